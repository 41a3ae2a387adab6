"""Pastebin benchmark (not a test): create and view 1,000- and 10,000-line Python pastes.

    .venv/bin/python bench/bench_pastebin.py [--requests 20] [--database URL]

Bare Flask and the suite are served by the same server (waitress, 4 threads) on
127.0.0.1 in the same run; each figure is the median of ``--requests`` requests
and is printed as a ratio to the bare Flask response. Every create sends new text
(so it pays for highlighting); views read the stored HTML.
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

SNIPPET = '''def fibonacci(n: int) -> int:
    """Return the n-th Fibonacci number."""
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b  # step
    return a


class Point:
    x: float = 0.0
    y: float = 0.0
'''


def python_source(lines, salt):
    """About ``lines`` lines of Python, unique per ``salt``."""
    block = SNIPPET.split("\n")
    body = [block[i % len(block)] for i in range(lines - 1)]
    return f"# paste {salt}\n" + "\n".join(body) + "\n"


def serve(wsgi_app):
    """Serve an app with waitress on a free port; returns its base URL."""
    server = create_server(wsgi_app, host="127.0.0.1", port=0, threads=4)
    threading.Thread(target=server.run, daemon=True).start()
    return f"http://127.0.0.1:{server.effective_port}"


def median_seconds(fn, n):
    """Median wall time of ``n`` calls of ``fn`` (after one warm-up)."""
    fn()
    times = []
    for _ in range(n):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=20)
    parser.add_argument("--database", default="", help="SUITE_DATABASE_URL (default: SQLite in a temp dir)")
    args = parser.parse_args()
    config = {"INSTANCE_PATH": tempfile.mkdtemp(prefix="bench-pastebin-"), "TASKS_IMMEDIATE": True}
    if args.database:
        config["DATABASE_URL"] = args.database
    app = create_app(config)
    with app.app_context():
        from suite.auth.accounts import create_token, create_user
        from suite.database import migrate
        migrate()
        token = create_token(create_user("bench", "correct horse battery"), "bench")[1]
    db.close()
    bare = Flask("bare")
    bare.add_url_rule("/", "hello", lambda: "Hello, World!")
    bare_url, suite_url = serve(bare), serve(app)
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    counter = iter(range(10**9))

    def create(lines):
        resp = session.post(suite_url + "/paste/", data={"content": python_source(lines, next(counter)),
                                                        "lang": "python"})
        resp.raise_for_status()
        return resp.text.strip()

    plain = requests.Session()
    base = median_seconds(lambda: plain.get(bare_url + "/").raise_for_status(), args.requests * 5)
    print(f"database: {app.config['DATABASE_URL'].split('@')[-1]}")
    print(f"bare Flask response (waitress): {base * 1000:.2f} ms (median of {args.requests * 5})")
    for lines in (1_000, 10_000):
        url = create(lines)
        rows = {f"create {lines:,}-line paste": median_seconds(lambda n=lines: create(n), args.requests),
                f"view {lines:,}-line paste": median_seconds(lambda u=url: session.get(u).raise_for_status(),
                                                             args.requests),
                f"raw {lines:,}-line paste": median_seconds(
                    lambda u=url: session.get(u + "/raw").raise_for_status(), args.requests)}
        for label, value in rows.items():
            print(f"{label:<26} {value * 1000:8.1f} ms   {value / base:7.1f}× bare Flask")


if __name__ == "__main__":
    main()
