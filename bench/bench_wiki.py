"""Benchmark (not a test): wiki page view and save against a bare Flask response, same server, same run.

A wiki of 10,000 pages (SQLite by default, ``SUITE_BENCH_DATABASE_URL`` for
PostgreSQL); one ~5 KB page with headings, code, a table and wikilinks is viewed
and saved over HTTP through waitress, and so is a bare Flask "hello" app on an
identical waitress server. Figures are medians over sequential requests.

    .venv/bin/python bench/bench_wiki.py [--pages 10000] [--requests 300]
"""
import argparse
import datetime
import os
import re
import socket
import statistics
import sys
import tempfile
import threading
import time

import requests
from flask import Flask
from waitress.server import create_server

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from suite import create_app  # noqa: E402
from suite.extensions import db  # noqa: E402

PASSWORD = "correct horse battery"


def five_kb_page():
    """A realistic page of about 5 KB."""
    parts = ["[TOC]\n"]
    for n in range(1, 9):
        parts.append(f"\n## Section {n}\n\nThis section explains part {n} of the process, links to "
                     f"[[Page {n * 7}]] and [[Missing {n}|a page to write]], and keeps **notes**.\n\n"
                     f"- [x] step one of {n}\n- [ ] step two of {n}\n\n"
                     f"```python\ndef step_{n}(value):\n    return value * {n}\n```\n\n"
                     "| key | value |\n|:----|------:|\n| a | 1 |\n| b | 2 |\n")
    return "".join(parts)


def fill_wiki(app, count):
    """``count`` pages inserted directly (renders are cached lazily on first view), plus the bench page."""
    from suite.auth.accounts import create_user
    from suite.database import migrate
    from suite.wiki import pages
    from suite.wiki.models import Link, Page, Revision
    with app.app_context():
        migrate()
        user = create_user("bench", PASSWORD, is_admin=True)
        now = datetime.datetime.utcnow()
        with db.atomic():
            for start in range(1, count, 500):
                batch = range(start, min(start + 500, count))
                Page.insert_many([{"title": f"Page {i}", "key": f"page {i}", "version": 1, "created_at": now,
                                   "updated_at": now} for i in batch]).execute()
            ids = {p.key: p.id for p in Page.select(Page.id, Page.key)}
            for start in range(1, count, 500):
                batch = range(start, min(start + 500, count))
                text = "Some text about page {} linking [[Page {}]].\n"
                Revision.insert_many([{"page": ids[f"page {i}"], "number": 1, "content": text.format(i, i + 1),
                                       "content_hash": "-", "created_at": now, "message": ""}
                                      for i in batch]).execute()
                Link.insert_many([{"from_page": ids[f"page {i}"], "to_key": f"page {i + 1}"}
                                  for i in batch]).execute()
        pages.save_page("Bench page", five_kb_page(), 0, user, "bench")
        db.close()
    return user


def serve(app):
    """Serve ``app`` with waitress on a free port in a thread; returns (base URL, server)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    server = create_server(app, host="127.0.0.1", port=port, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    time.sleep(0.2)
    return f"http://127.0.0.1:{port}", server


def timed(fn, n):
    """Median and mean of ``n`` calls, in milliseconds."""
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples), statistics.mean(samples)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pages", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    instance = tempfile.mkdtemp(prefix="bench-wiki-")
    settings = {"INSTANCE_PATH": instance, "TASKS_IMMEDIATE": True}
    if os.environ.get("SUITE_BENCH_DATABASE_URL"):
        settings["DATABASE_URL"] = os.environ["SUITE_BENCH_DATABASE_URL"]
    app = create_app(settings)
    started = time.perf_counter()
    fill_wiki(app, args.pages)
    print(f"filled {args.pages} pages in {time.perf_counter() - started:.1f}s "
          f"({'PostgreSQL' if 'postgres' in app.config['DATABASE_URL'] else 'SQLite'})")

    bare = Flask("bare")
    bare.add_url_rule("/", "hello", lambda: "hello")
    bare_url, bare_server = serve(bare)
    wiki_url, wiki_server = serve(app)

    session = requests.Session()
    session.post(wiki_url + "/auth/login", data={"username": "bench", "password": PASSWORD,
                                                 "csrf_token": _csrf(session, wiki_url + "/auth/login")})
    page = session.get(wiki_url + "/wiki/Bench_page")
    size = len(page.content)
    assert page.status_code == 200 and "Section 8" in page.text, page.status_code

    n = args.requests
    bare_ms = timed(lambda: session.get(bare_url + "/"), n)
    view_ms = timed(lambda: session.get(wiki_url + "/wiki/Bench_page"), n)
    edit_page = session.get(wiki_url + "/wiki/Bench_page/edit").text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', edit_page).group(1)
    state = {"version": int(re.search(r'name="base_revision" type="hidden" value="(\d+)"', edit_page).group(1))}
    text = five_kb_page()

    def save():
        state["version"] += 1
        resp = session.post(wiki_url + "/wiki/Bench_page/edit", allow_redirects=False, data={
            "csrf_token": token, "content": text + f"\nEdit {state['version']}\n",
            "base_revision": state["version"] - 1, "message": "bench", "save": "Save"})
        assert resp.status_code == 302, resp.status_code

    save_ms = timed(save, max(n // 3, 20))
    bare_ms2 = timed(lambda: session.get(bare_url + "/"), n)
    bare_med = (bare_ms[0] + bare_ms2[0]) / 2
    print(f"page HTML size: {size / 1024:.1f} KiB")
    print(f"bare Flask  : median {bare_med:.2f} ms")
    print(f"wiki view   : median {view_ms[0]:.2f} ms (mean {view_ms[1]:.2f})  ratio {view_ms[0] / bare_med:.1f}x")
    print(f"wiki save   : median {save_ms[0]:.2f} ms (mean {save_ms[1]:.2f})  ratio {save_ms[0] / bare_med:.1f}x")
    bare_server.close()
    wiki_server.close()


def _csrf(session, url):
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', session.get(url).text).group(1)


if __name__ == "__main__":
    main()
