"""Background jobs with huey: the one queue of the suite and the ``job`` decorator.

The huey instance is declared here without storage and bound in ``create_app``:
SQLite file in the instance folder by default, Redis when ``SUITE_REDIS_URL`` is
set, in-memory and inline when ``SUITE_TASKS_IMMEDIATE`` is on (tests). Tasks run
outside any request, so ``job`` gives each one an app context and its own
database connection. Apps put their tasks in ``suite/<app>/tasks.py``.
"""
import logging
import os
import sys
from functools import wraps


def _import_huey_without_redis():
    """Import huey while keeping ``redis`` out of this process.

    ``huey.storage`` imports redis at import time (``try: from redis import ...``) for
    its Redis backends, and redis imports asyncio: about 6 MB in every web worker,
    though only a suite with ``SUITE_REDIS_URL`` uses it. So redis is hidden during
    that one import; huey's own Redis classes are then left without a client, and
    ``redis_storage_class`` loads a private copy of ``huey.storage`` that sees redis
    when the configuration asks for it. Nothing changes if redis or huey.storage
    was imported already.
    """
    if "redis" in sys.modules or "huey.storage" in sys.modules:
        return
    sys.modules["redis"] = None  # makes `import redis` raise ImportError, which huey expects
    try:
        import huey.storage  # noqa: F401
    finally:
        if sys.modules.get("redis", 0) is None:
            del sys.modules["redis"]


_import_huey_without_redis()

from huey import MemoryHuey  # noqa: E402
from huey.storage import MemoryStorage, SqliteStorage  # noqa: E402

from suite.extensions import db  # noqa: E402
from suite.ratelimit import Sparse  # noqa: E402

# results=False: nothing reads what a task returns, and huey would keep each value for good
# (a Redis hash or the tasks.db table grew by one entry per saved bookmark)
huey = MemoryHuey("suite", results=False, immediate=False)
_state = {"app": None}
log = logging.getLogger("suite.jobs")


def job(*task_args, **task_kwargs):
    """``huey.task`` that runs inside the suite's app context with a database connection."""
    def decorate(fn):
        @wraps(fn)
        def run(*args, **kwargs):
            with task_context():
                return fn(*args, **kwargs)
        return huey.task(*task_args, **task_kwargs)(run)
    return decorate


def periodic_job(validate_datetime, **task_kwargs):
    """``huey.periodic_task`` with the same app context and connection as ``job``."""
    def decorate(fn):
        @wraps(fn)
        def run(*args, **kwargs):
            with task_context():
                return fn(*args, **kwargs)
        return huey.periodic_task(validate_datetime, **task_kwargs)(run)
    return decorate


class task_context:
    """App context plus a pooled connection, reusing the caller's when run inline."""

    def __enter__(self):
        from flask import has_app_context
        self._ctx = None
        if not has_app_context():
            if _state["app"] is None:
                raise RuntimeError("suite.jobs: no app bound; create_app() first")
            self._ctx = _state["app"].app_context()
            self._ctx.push()
        self._opened = db.connect(reuse_if_open=True)
        return self

    def __exit__(self, *exc):
        if self._opened and not db.is_closed():
            db.close()
        if self._ctx is not None:
            self._ctx.pop()


def enqueue_after_commit(task, *args, **kwargs):
    """Enqueue ``task`` once the current transaction commits (the row it needs exists).

    The data is saved by then, so a queue that cannot be reached (Redis down, the SQLite
    queue locked) must not turn the request into an error: the failure is logged (once a
    minute at most) and the work is left to the app's backlog (bookmarks: the pending ones
    are fetched every minute). Inline (``TASKS_IMMEDIATE``) errors still raise.
    """
    db.after_commit(lambda: _enqueue(task, args, kwargs))


_enqueue_warning = Sparse()


def _enqueue(task, args, kwargs):
    try:
        task(*args, **kwargs)
    except Exception:
        if huey.immediate:
            raise
        if _enqueue_warning.due():
            name = getattr(getattr(task, "task_class", None), "__name__", None) or repr(task)
            log.warning("could not queue %s%r (left to the backlog)", name, args, exc_info=True)


def init_app(app):
    """Bind the queue's storage to the app's configuration."""
    cfg = app.config
    _state["app"] = app
    huey.immediate = False
    if cfg["TASKS_IMMEDIATE"]:
        huey.storage_class, huey.storage_kwargs = MemoryStorage, {}
    elif cfg["REDIS_URL"]:
        huey.storage_class, huey.storage_kwargs = redis_storage_class(), {"url": cfg["REDIS_URL"]}
    else:
        path = os.path.join(app.instance_path, "tasks.db")
        huey.storage_class, huey.storage_kwargs = SqliteStorage, {"filename": path}
    huey.storage = huey.create_storage()
    huey.immediate = cfg["TASKS_IMMEDIATE"]


_redis_storage = []


def redis_storage_class():
    """huey's ``RedisStorage``, from a copy of ``huey.storage`` loaded with redis importable."""
    import huey.storage
    if huey.storage.Redis is not None:  # redis was there when huey was imported
        return huey.storage.RedisStorage
    if not _redis_storage:
        import importlib.util
        spec = importlib.util.find_spec("huey.storage")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        _redis_storage.append(module.RedisStorage)
    return _redis_storage[0]


def load_tasks():
    """Import every app's tasks so the consumer knows them."""
    import importlib
    for name in ("suite.search", "suite.bookmarks", "suite.pastebin", "suite.wiki"):
        try:
            importlib.import_module(name + ".tasks")
        except ModuleNotFoundError as err:
            if err.name != name + ".tasks":
                raise


def make_consumer(workers=None):
    """A huey consumer over the suite's queue (threads; periodic tasks on).

    SIGTERM (``systemctl stop``, ``docker stop``) stops it gracefully: running tasks get
    ``SUITE_SHUTDOWN_TIMEOUT`` seconds to finish; SIGINT (Ctrl-C) stops it at once.
    """
    load_tasks()
    config = _state["app"].config
    return huey.create_consumer(workers=workers or config["TASK_WORKERS"], worker_type="thread", periodic=True,
                                check_worker_health=True, initial_delay=0.1, max_delay=1.0,
                                graceful_signal="TERM", shutdown_timeout=config["SHUTDOWN_TIMEOUT"])
