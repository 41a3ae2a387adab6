"""Why the suite pools database connections: a cheap page with and without the pool.

Serves the same request — the health check, one ``SELECT 1`` — three ways in one
process, through Flask's WSGI test client so only the application's own cost counts:

* a bare Flask "hello" app (the yardstick),
* the suite as shipped (a pooled connection per thread: pragmas run once),
* the suite with a plain peewee database that connects per request (pragmas every time).

Prints requests per second and the ratio to bare Flask. Usage:
``python bench/bench_db_connections.py [--seconds 3] [--database-url URL]``
"""
import argparse
import tempfile
import time

from flask import Flask

from suite import create_app
from suite.database import SQLITE_PRAGMAS
from suite.extensions import db


def rate(client, path, seconds):
    """Requests per second for ``path`` over about ``seconds``."""
    for _ in range(50):
        client.get(path)
    done, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        for _ in range(100):
            client.get(path)
        done += 100
    return done / (time.perf_counter() - start)


def bare_app():
    """The yardstick: Flask answering a constant."""
    app = Flask("bare")
    app.add_url_rule("/healthz", "h", lambda: {"status": "ok"})
    return app


def unpooled(url):
    """A plain (not pooled) peewee database for the same URL."""
    from playhouse.db_url import connect
    if url.startswith("sqlite"):
        from peewee import SqliteDatabase
        return SqliteDatabase(url.split(":///", 1)[1], pragmas=SQLITE_PRAGMAS, timeout=10)
    return connect(url)


def main():
    """Run the three measurements and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    instance = tempfile.mkdtemp(prefix="suite-bench-")
    suite = create_app({"INSTANCE_PATH": instance, "DATABASE_URL": args.database_url,
                        "SCREENSHOT_BACKEND": "none", "RATELIMIT_API": "1000000/minute"})
    url = suite.config["DATABASE_URL"]
    bare = rate(bare_app().test_client(), "/healthz", args.seconds)
    pooled = rate(suite.test_client(), "/healthz", args.seconds)
    db.obj.close_all()
    db.initialize(unpooled(url))
    per_request = rate(suite.test_client(), "/healthz", args.seconds)
    print(f"database: {url.split('://')[0]}")
    print(f"{'variant':<34}{'req/s':>10}{'vs bare':>10}")
    for name, value in (("bare Flask", bare), ("suite, pooled connection (shipped)", pooled),
                        ("suite, connect per request", per_request)):
        print(f"{name:<34}{value:>10.0f}{value / bare:>10.2f}")


if __name__ == "__main__":
    main()
