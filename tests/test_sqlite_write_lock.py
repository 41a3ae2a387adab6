"""SQLite's write lock: a write transaction waits for it by polling, never in the busy handler.

The busy handler sleeps ever longer (up to 100 ms a time) and wakes on its own schedule,
so under many writers one request could wait for seconds while newer ones got the lock.
What these tests hold: a transaction waits for a lock another process holds and starts
once it is free; it gives up with "database is locked" after the busy timeout's time,
as the busy handler would; and other statements keep the busy handler.
"""
import os
import sqlite3
import threading
import time

import pytest
from peewee import OperationalError

from suite import pagecache
from suite.database import SQLITE_PRAGMAS
from suite.extensions import db

pytestmark = pytest.mark.skipif(bool(os.environ.get("SUITE_TEST_DATABASE_URL")),
                                reason="SQLite's write lock: PostgreSQL locks rows")


@pytest.fixture
def other_process(app):
    """A second connection to the same file, as another gunicorn worker has."""
    conn = sqlite3.connect(app.config["DATABASE_URL"].split(":///", 1)[1], isolation_level=None, timeout=0)
    yield conn
    conn.close()


def busy_timeout():
    return db.execute_sql("PRAGMA busy_timeout").fetchone()[0]


def test_a_write_transaction_waits_for_the_lock_and_starts_when_it_is_released(app, other_process):
    other_process.execute("BEGIN IMMEDIATE")
    done, failed = threading.Event(), []

    def write():
        with app.app_context():
            try:
                with db.atomic():
                    pagecache.changed("wiki")
                done.set()
            except Exception as exc:  # noqa: BLE001 - reported below
                failed.append(exc)

    writer = threading.Thread(target=write)
    writer.start()
    time.sleep(0.3)
    assert not done.is_set() and not failed  # still waiting for the other process
    other_process.execute("COMMIT")
    writer.join(5)
    assert done.is_set() and not failed
    with app.app_context():
        assert pagecache.generations()["wiki"] >= 1


def test_it_gives_up_with_database_is_locked_after_the_busy_timeout(app, other_process):
    other_process.execute("BEGIN IMMEDIATE")
    try:
        with app.app_context():
            db.obj.WAIT = 0.2  # this test's database object only; the setting's 10 s otherwise
            started = time.monotonic()
            with pytest.raises(OperationalError, match="database is locked"):
                with db.atomic():
                    pass
            assert time.monotonic() - started >= 0.2
            assert not db.in_transaction()
    finally:
        other_process.execute("ROLLBACK")


def test_other_statements_keep_the_busy_handler(app):
    with app.app_context():
        with db.atomic():
            assert busy_timeout() == SQLITE_PRAGMAS["busy_timeout"]
        assert busy_timeout() == SQLITE_PRAGMAS["busy_timeout"]


def test_the_page_cache_generation_moves_inside_the_writers_transaction(app, other_process):
    """The bump is no second write after the commit, which would queue for the lock again."""
    with app.app_context():
        before = pagecache.generations().get("paste", 0)
        with db.atomic():
            pagecache.changed("paste")
            assert pagecache.generations()["paste"] == before + 1  # this transaction sees it
            seen = other_process.execute("SELECT value FROM cache_generation WHERE name = 'paste'").fetchone()
            assert (seen[0] if seen else 0) == before  # nobody else does before the commit
        assert other_process.execute("SELECT value FROM cache_generation WHERE name = 'paste'").fetchone()[0] \
            == before + 1
