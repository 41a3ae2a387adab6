"""Bookmarks benchmark (not a test): import of 10,000 entries, list and search at 100,000, screenshots.

    .venv/bin/python bench/bench_bookmarks.py [--bookmarks 100000] [--requests 40] [--shots 20]

Figures: the import in seconds; list and search latency as a ratio to a bare Flask
response served by the same server (waitress) in the same run; screenshots per
minute with a warm browser (Playwright + system Chromium) of a local page.
"""
import argparse
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import requests  # noqa: E402
from flask import Flask  # noqa: E402
from waitress.server import create_server  # noqa: E402

from suite import create_app  # noqa: E402
from suite.extensions import db  # noqa: E402

PASSWORD = "correct horse battery"
WORDS = ("python flask web database search screenshot browser privacy backup linux kernel rust "
         "garden recipe travel music photo history science math design typography").split()


def netscape_file(n, offset=0):
    """A Netscape file of ``n`` distinct bookmarks in a few folders."""
    rows = []
    for i in range(offset, offset + n):
        a, b = WORDS[i % len(WORDS)], WORDS[(i * 7) % len(WORDS)]
        rows.append(f'<DT><A HREF="https://site{i % 997}.example/{a}/{i}" ADD_DATE="{1500000000 + i}" '
                    f'TAGS="{a},{b}">{a.title()} and {b} number {i}</A>\n<DD>Notes about {a} {b} {i}')
    return ("<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<TITLE>Bookmarks</TITLE>\n<DL><p>\n"
            "<DT><H3>Bench</H3>\n<DL><p>\n" + "\n".join(rows) + "\n</DL><p>\n</DL><p>\n").encode()


def serve(wsgi_app):
    """Serve an app with waitress on a free port; returns its base URL."""
    server = create_server(wsgi_app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    return f"http://127.0.0.1:{server.effective_port}"


def timed_gets(session, url, n):
    """Median seconds of ``n`` sequential GETs (after two warm-ups)."""
    for _ in range(2):
        session.get(url).raise_for_status()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        resp = session.get(url)
        times.append(time.perf_counter() - start)
        resp.raise_for_status()
    return statistics.median(times)


def bench_import(app, user):
    from suite.bookmarks import netscape
    from suite.bookmarks.importer import import_entries
    data = netscape_file(10_000)
    start = time.perf_counter()
    with app.app_context():
        entries = netscape.parse(data)
        created, _dup, _inv = import_entries(user, entries)
    elapsed = time.perf_counter() - start
    assert created == 10_000, created
    return elapsed


def seed(app, user, total):
    from suite.bookmarks import netscape
    from suite.bookmarks.importer import import_entries
    have = 10_000
    while have < total:
        n = min(20_000, total - have)
        with app.app_context():
            import_entries(user, netscape.parse(netscape_file(n, offset=have)))
        have += n
        print(f"  seeded {have:,}", flush=True)


def bench_pages(app, user, n):
    bare = Flask("bare")
    bare.add_url_rule("/", "hello", lambda: "hello")
    bare_url, suite_url = serve(bare), serve(app)
    session = requests.Session()
    login = session.get(suite_url + "/auth/login")
    token = login.text.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    session.post(suite_url + "/auth/login", data={"username": "bench", "password": PASSWORD, "csrf_token": token})
    base = timed_gets(requests.Session(), bare_url + "/", n)
    results = {"bare Flask": base}
    for label, path in (("list (grid, page 1)", "/bookmarks/"), ("list page 50, tag filter", "/bookmarks/?tag=python&page=50"),
                        ("search 'python garden'", "/bookmarks/?q=python+garden"),
                        ("search + visibility filter", "/bookmarks/?q=rust&visibility=private")):
        results[label] = timed_gets(session, suite_url + path, n)
    return results


def bench_screenshots(n):
    from suite.bookmarks.fetch import Guard
    from suite.bookmarks.screenshot import PlaywrightBrowser, find_browser
    from tests.bookmarks.conftest import _serve
    path = find_browser("")
    if path is None:
        return None
    site = _serve("127.0.0.1")
    site.spy_url = "http://127.0.0.2:1"
    url = f"http://127.0.0.1:{site.server_port}/article"
    backend, guard = PlaywrightBrowser(path), Guard.from_setting("127.0.0.1")
    backend.capture(url, guard, 10)  # warm up
    start = time.perf_counter()
    for _ in range(n):
        backend.capture(url, guard, 10)
    elapsed = time.perf_counter() - start
    backend.close()
    return n / elapsed * 60


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bookmarks", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=40)
    parser.add_argument("--shots", type=int, default=20)
    parser.add_argument("--database", default="", help="SUITE_DATABASE_URL (default: SQLite in a temp dir)")
    args = parser.parse_args()
    instance = tempfile.mkdtemp(prefix="bench-bookmarks-")
    config = {"INSTANCE_PATH": instance, "SCREENSHOT_BACKEND": "none", "TASKS_IMMEDIATE": True,
              "RATELIMIT_ENABLED": False}
    if args.database:
        config["DATABASE_URL"] = args.database
    app = create_app(config)
    with app.app_context():
        from suite.auth.accounts import create_user
        from suite.database import migrate
        migrate()
        user = create_user("bench", PASSWORD)
    db.close()
    print(f"database: {app.config['DATABASE_URL']}")
    seconds = bench_import(app, user)
    print(f"import of 10,000 Netscape entries: {seconds:.1f} s ({10_000 / seconds:,.0f} per second)")
    seed(app, user, args.bookmarks)
    results = bench_pages(app, user, args.requests)
    base = results.pop("bare Flask")
    print(f"bare Flask response: {base * 1000:.2f} ms (median of {args.requests})")
    for label, value in results.items():
        print(f"{label:<28} {value * 1000:8.1f} ms   {value / base:6.1f}× bare Flask  ({args.bookmarks:,} bookmarks)")
    rate = bench_screenshots(args.shots)
    print("screenshots: no browser found" if rate is None else f"screenshots with a warm browser: {rate:.0f} per minute")


if __name__ == "__main__":
    main()
