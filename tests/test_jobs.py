"""Background jobs: inline in tests, and through a real huey consumer on SQLite and Redis."""
import os
import time

import pytest

from suite import jobs
from suite.auth.models import User


@jobs.job()
def rename_user(user_id, name):
    """A task that needs the database (and so its own connection in the worker)."""
    User.update(username=name).where(User.id == user_id).execute()
    return name


def _wait_for(predicate, seconds=10):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def test_tasks_run_inline_when_immediate(app, users):
    with app.app_context():
        rename_user(users["alice"].id, "alicia")
        assert User.get_by_id(users["alice"].id).username == "alicia"


def _consume(app):
    from suite.auth.accounts import create_user
    from suite.server import start_consumer
    with app.app_context():
        bob = create_user("bob", "long enough password")
    consumer = start_consumer(app)
    try:
        with app.app_context():
            assert rename_user(bob.id, "robert") is None  # nobody reads a task's return value
            assert _wait_for(lambda: User.get_by_id(bob.id).username == "robert")
        assert jobs.huey.storage.result_store_size() == 0  # so none is kept (it grew by one per bookmark)
    finally:
        consumer.stop(graceful=True)


def test_real_consumer_runs_a_task_from_the_sqlite_queue(make_app):
    app = make_app(TASKS_IMMEDIATE=False)
    assert type(jobs.huey.storage).__name__ == "SqliteStorage"
    assert jobs.huey.storage.filename == os.path.join(app.instance_path, "tasks.db")
    _consume(app)


@pytest.mark.skipif(not os.environ.get("SUITE_TEST_REDIS_URL"), reason="set SUITE_TEST_REDIS_URL (CI starts redis-server)")
def test_real_consumer_runs_a_task_from_redis(make_app):
    app = make_app(TASKS_IMMEDIATE=False, REDIS_URL=os.environ["SUITE_TEST_REDIS_URL"])
    assert type(jobs.huey.storage).__name__ == "RedisStorage"
    jobs.huey.storage.flush_all()
    _consume(app)


def test_enqueue_after_commit_waits_for_the_transaction(app, users):
    from suite.extensions import db
    seen = []
    with app.app_context():
        with db.atomic():
            jobs.enqueue_after_commit(seen.append, "ran")
            assert seen == []
        assert seen == ["ran"]
