"""The PostgreSQL connection pool pings only connections that sat unused for a while.

Each request checks a connection out twice (the page cache's generations, then the view);
a ping each time was two extra round trips per request. What the server saw last on a
connection (``pg_stat_activity.query``) tells whether the pool pinged it.
"""
import os

import psycopg2
import pytest
from peewee import InterfaceError, OperationalError

from suite.database import RecentPostgresqlDatabase
from suite.extensions import db

pytestmark = pytest.mark.skipif(not os.environ.get("SUITE_TEST_DATABASE_URL"),
                                reason="the pool's ping is PostgreSQL's (SQLite's pool has nothing to ping)")


@pytest.fixture
def pool(app):
    with app.app_context():
        assert isinstance(db.obj, RecentPostgresqlDatabase)
        if not db.is_closed():
            db.close()
        observer = psycopg2.connect(database=db.obj.database, **db.obj.connect_params)
        observer.autocommit = True
        yield observer
        observer.close()
        db.obj.PING_AFTER = RecentPostgresqlDatabase.PING_AFTER


def used(marker):
    """Check a connection out, run a query that names ``marker``, give it back; its backend's pid."""
    with db.connection_context():
        return db.execute_sql(f"SELECT pg_backend_pid() AS {marker}").fetchone()[0]


def last_query(observer, pid):
    with observer.cursor() as cur:
        cur.execute("SELECT query FROM pg_stat_activity WHERE pid = %s", (pid,))
        return cur.fetchone()[0]


def checked_out_pid():
    return db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]


def test_a_connection_given_back_just_now_is_handed_out_without_a_ping(pool):
    pid = used("just_now")
    db.connect()
    try:
        assert "just_now" in last_query(pool, pid)  # nothing was sent on it at checkout
        assert checked_out_pid() == pid             # and it is the same connection
    finally:
        db.close()


def test_a_connection_unused_for_longer_is_pinged(pool):
    db.obj.PING_AFTER = 0.0
    pid = used("long_ago")
    db.connect()
    try:
        assert last_query(pool, pid) == "SELECT 1"
        assert checked_out_pid() == pid
    finally:
        db.close()


def test_a_connection_the_server_closed_while_unused_is_replaced_at_checkout(pool):
    db.obj.PING_AFTER = 0.0
    pid = used("to_be_closed")
    with pool.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with db.connection_context():
        assert checked_out_pid() != pid


def test_within_the_window_a_dropped_connection_fails_once_and_is_then_discarded(pool):
    pid = used("dropped")
    with pool.cursor() as cur:
        cur.execute("SELECT pg_terminate_backend(%s)", (pid,))
    with pytest.raises((OperationalError, InterfaceError)):
        with db.connection_context():
            checked_out_pid()
    with db.connection_context():
        assert checked_out_pid() != pid
