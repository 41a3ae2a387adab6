"""The peewee database layer: engine choice, per-request connections, the base model, migrations.

Connections come from a pool (one open connection per worker thread, reused across
requests), so SQLite's pragmas and PostgreSQL's handshake are paid once per thread,
not once per request. The pool discards connections that the driver reports closed.
"""
import glob
import json
import os
import random
import sqlite3
import time
from contextlib import contextmanager
from functools import wraps
from urllib.parse import urlparse

from flask import current_app
from peewee import SQL, DatabaseError, Model, Tuple, __exception_wrapper__
from playhouse.pool import PooledPostgresqlDatabase, PooledSqliteDatabase
from werkzeug.routing import IntegerConverter

from suite.errors import Conflict
from suite.extensions import db

MIGRATIONS_DIR = os.path.join(os.path.dirname(__file__), "migrations")

#: ``cache_size``: 1 MB per connection (one connection per worker thread). The operating
#: system caches the file anyway, and in WAL mode a write by any other connection empties
#: a connection's cache, so a larger one mostly holds memory: at 100k items 16 MB made no
#: read faster and cost a two-thread web worker up to 32 MB; 2 MB (SQLite's default) → 1 MB
#: kept 2.1 MB less after 10,000 mixed requests with no change in any request's latency.
SQLITE_PRAGMAS = {
    "journal_mode": "wal",
    "busy_timeout": 10000,
    "foreign_keys": 1,
    "synchronous": "normal",
    "cache_size": -1000,
}


class Prepared:
    """A query whose SQL is built once per database engine, then run again with new values.

    peewee turns its expression tree into SQL on every execution: for a join of three
    models that is most of a lookup's cost (0.3 ms of a 1.3 ms wiki page view at 100k
    items). The hottest lookups (a page by title, a paste by slug, the signed-in user)
    send the same SQL every time with other values, so ``build`` is called once with
    placeholder values and later calls only put the real values in their places.
    ``build`` must use each value as a plain parameter (not in an ``IN`` list, not
    transformed); a value peewee did not send as a parameter is refused when built.
    Values go to the driver as given, with no field conversion: ids, not model
    instances; many ids as one parameter with ``ids_param`` and ``in_ids``; and
    ``None`` is a plain NULL parameter, which ``=`` never matches (peewee turns
    ``== None`` into ``IS NULL`` only when it builds the query).
    """

    MARK = "\x00Prepared value {} (placeholder)\x00"
    NUMBER = -7_319_845_000_000  # placeholders for int values: MARK's number plus the position

    def __init__(self, build):
        self.build = build
        self.built = {}  # database class (the SQL dialect) -> (query, sql, params, [(param index, value index)])

    def _compiled(self, values):
        dialect = type(db.obj)
        found = self.built.get(dialect)
        if found is None:
            marks = [self.NUMBER - i if isinstance(v, int) and not isinstance(v, bool) else self.MARK.format(i)
                     for i, v in enumerate(values)]
            query = self.build(*marks)
            sql, params = query.sql()
            slots = [(p, marks.index(param)) for p, param in enumerate(params) if param in marks]
            if {v for _p, v in slots} != set(range(len(marks))):
                raise ValueError("Prepared: a value is not a plain parameter of the query")
            found = self.built[dialect] = (query, sql, params, slots)
        return found

    def rows(self, *values):
        """The query's results (models, tuples or dicts, as ``build`` chose) for ``values``."""
        query, sql, params, slots = self._compiled(values)
        params = list(params)
        for p, v in slots:
            params[p] = values[v]
        return query._get_cursor_wrapper(db.execute_sql(sql, params)).iterator()

    def first(self, *values):
        """The first result for ``values``, or None."""
        return next(self.rows(*values), None)


def ids_param(ids):
    """Many ids as one query parameter (for ``in_ids``): a JSON array on SQLite, an array on PostgreSQL."""
    return list(ids) if is_postgres() else json.dumps(list(ids))


def in_ids(param):
    """``IN`` operand reading the ids of one ``ids_param`` (one placeholder, however many ids)."""
    if is_postgres():
        return SQL("(SELECT unnest(%s::bigint[]))", (param,))
    return SQL("(SELECT value FROM json_each(?))", (param,))


def in_batches(query, order, size):
    """The rows of ``query`` as lists of ``size``, each read after the last row of the one before.

    ``order`` is the fields the query is ordered by, ascending, together unique (say
    created_at and id). Each batch is one query that starts where the last one ended,
    along an index on ``order``: an export of 100,000 rows never holds more than a batch
    and never reads the rows before it again, as OFFSET would.
    """
    query, key = query.order_by(*order).limit(size), Tuple(*order)
    rows = list(query)
    while rows:
        yield rows
        if len(rows) < size:
            return
        rows = list(query.where(key > Tuple(*(getattr(rows[-1], f.name) for f in order))))


def one_page(query, number, size):
    """Page ``number`` of ``query`` at ``size`` rows a page, and the first row of the next page
    if there is one (``len(rows) > size``: show a "Next" link).

    Not ``paginate(number, size + 1)``: that starts page ``number`` at ``(number - 1) * (size + 1)``,
    so the row that only told whether a next page exists was shown on no page at all.
    """
    return query.limit(size + 1).offset((number - 1) * size)


@contextmanager
def snapshot():
    """One view of the database for a long read (an export): what others commit meanwhile is not seen.

    An export reads in batches, each after the last one's key; without one view, a page
    renamed to a key already passed while the export runs is in neither batch, and the
    zip silently lacks it. SQLite: a deferred transaction (in WAL mode its first read
    fixes the view, and writers go on). PostgreSQL: REPEATABLE READ, READ ONLY.
    """
    if is_postgres():
        with db.atomic():
            db.execute_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            yield
    else:
        with db.atomic("DEFERRED"):
            yield


def one_at_a_time(name):
    """Inside a transaction: wait until no other transaction holding ``name`` is open.

    For a check-then-write that a unique index cannot guard ("no user yet, so this one is
    the admin"). SQLite needs nothing: its write transactions begin IMMEDIATE and so
    already run one at a time. PostgreSQL: a transaction-scoped advisory lock on the name.
    """
    if is_postgres():
        db.execute_sql("SELECT pg_advisory_xact_lock(hashtext(%s))", (name,))


#: PostgreSQL's SQLSTATEs for a transaction it rolled back so that another could go on.
DEADLOCK, SERIALIZATION_FAILURE = "40P01", "40001"
RUN_AGAIN_AFTER = (0.02, 0.1)  # seconds, at random: the winner commits first (a deadlock took 1 s to find)


def lost_to_another(error):
    """True when ``error`` is PostgreSQL ending this transaction for a deadlock or a serialization failure."""
    return getattr(getattr(error, "orig", None), "pgcode", None) in (DEADLOCK, SERIALIZATION_FAILURE)  # the driver's


def run_again_if_lost(fn):
    """Decorator for a function that makes its own transaction: run it once more if PostgreSQL
    rolled it back for a deadlock or serialization failure, then answer Conflict (409), not a 500.

    Inside a caller's transaction nothing is run again (that transaction is lost as a whole).
    Callbacks queued with ``after_commit`` by the lost run are dropped with its rollback (peewee
    clears them), so nothing is queued twice. The run again waits a moment first: started at
    once, it could take a row back before the winner, still waiting for it, was woken, and the
    two deadlocked again (1 of 6 runs of tests/test_database.py's real deadlock; 0 of 10 with the wait).
    """
    @wraps(fn)
    def run(*args, **kwargs):
        for attempt in (1, 2):
            try:
                return fn(*args, **kwargs)
            except DatabaseError as err:
                if db.in_transaction() or not lost_to_another(err):
                    raise
                if attempt == 2:
                    raise Conflict("Someone changed the same items at the same moment; please try again.") from err
            time.sleep(random.uniform(*RUN_AGAIN_AFTER))
    return run


class BaseModel(Model):
    """Base of every model in the suite: bound to the shared database."""

    class Meta:
        database = db
        legacy_table_names = False


class PollingSqliteDatabase(PooledSqliteDatabase):
    """The pooled SQLite database, whose write transactions wait for the lock by polling it.

    SQLite's busy handler sleeps ever longer while it waits (1, 2, 5 … 100 ms) and wakes
    on its own schedule, not when the lock is freed; meanwhile newer writers take it, and
    an unlucky request waits for seconds. ``begin`` retries BEGIN IMMEDIATE every
    millisecond instead, for as long as the busy handler would have waited; other
    statements keep the busy handler. With the page cache's bump inside the transaction
    (``pagecache.changed``), through gunicorn at 1,000 items, two runs each: 16 writers on
    4 workers, p99 290–625 → 161–232 ms, slowest 540–1,180 → 240–420 ms, as many writes;
    the bench's write rows (4 threads), p99 148–908 → 46–62 ms. Either change alone did nothing.
    """

    POLL = 0.001                                   # seconds between tries
    WAIT = SQLITE_PRAGMAS["busy_timeout"] / 1000   # then "database is locked", as the busy handler would

    def begin(self, lock_type=None):
        lock_type = lock_type or self._lock_type
        if lock_type not in ("IMMEDIATE", "EXCLUSIVE"):
            return super().begin(lock_type)
        conn = self.connection()
        deadline = time.monotonic() + self.WAIT
        conn.execute("PRAGMA busy_timeout = 0")
        try:
            with __exception_wrapper__:
                while True:
                    try:
                        conn.execute(f"BEGIN {lock_type}")
                        return None
                    except sqlite3.OperationalError as exc:
                        if getattr(exc, "sqlite_errorname", "") != "SQLITE_BUSY" or time.monotonic() >= deadline:
                            raise
                    time.sleep(self.POLL)
        finally:
            conn.execute(f"PRAGMA busy_timeout = {SQLITE_PRAGMAS['busy_timeout']}")


class RecentPostgresqlDatabase(PooledPostgresqlDatabase):
    """The pooled PostgreSQL database, which pings only connections that sat unused for a while.

    peewee's pool sends ``SELECT 1`` each time it hands out an idle connection, to find
    connections the server closed. A request checks a connection out twice (the page
    cache's generations, then the view), so every request paid two extra round trips:
    a page served from the cache took 446 µs in-process at 100k items, 236 µs of it
    the generations (110 µs the query, the rest the ping). A connection given back less
    than ``PING_AFTER`` seconds ago is handed out without the ping, as HikariCP does
    for connections used within its last 500 ms; older ones are still pinged. What it
    risks: a connection the server dropped within that second (a restart) fails the one
    request that gets it, and is then discarded (its state is unknown).
    """

    PING_AFTER = 1.0  # seconds

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._returned = {}  # conn_key -> time.monotonic() when given back to the pool

    def _is_closed(self, conn):
        returned = self._returned.pop(self.conn_key(conn), None)
        if conn.closed:
            return True
        if returned is not None and time.monotonic() - returned < self.PING_AFTER:
            status = self._adapter.txn_status(conn)
            if status == self._adapter.txn_idle:
                return False
        return super()._is_closed(conn)

    def _close(self, conn, close_conn=False):
        key = self.conn_key(conn)
        self._returned[key] = time.monotonic()
        super()._close(conn, close_conn)
        if conn.closed:  # discarded (stale, broken or asked for): never handed out again
            self._returned.pop(key, None)


def make_database(url, max_connections=32, stale_timeout=300):
    """Build a pooled peewee database for a ``sqlite:///`` or ``postgresql://`` URL."""
    scheme = urlparse(url).scheme
    if scheme in ("sqlite", "sqlite+pool"):
        path = url.split(":///", 1)[1]
        return PollingSqliteDatabase(
            path, pragmas=SQLITE_PRAGMAS, lock_type="IMMEDIATE", timeout=10,
            check_same_thread=False, max_connections=max_connections,
            stale_timeout=stale_timeout, rank_functions=True)
    if scheme in ("postgres", "postgresql", "postgres+pool", "postgresql+pool"):
        from playhouse import db_url  # it imports every backend's extension module: only here
        params = db_url.parse(url)
        return RecentPostgresqlDatabase(
            params.pop("database"), max_connections=max_connections,
            stale_timeout=stale_timeout, timeout=10, **params)
    raise ValueError(f"SUITE_DATABASE_URL: unsupported database scheme {scheme!r}")


def is_postgres():
    """True when the suite runs on PostgreSQL."""
    return "postgres" in type(db.obj).__name__.lower()


class RowIdConverter(IntegerConverter):
    """``<int:id>`` in URLs, limited to numbers a database integer column can hold.

    The pattern stops below 2**31 (at 2,099,999,999), so a larger number matches no
    route and is a plain 404, never an overflow error from the database driver.
    """

    regex = r"\d{1,9}|1\d{9}|20\d{8}"


def init_app(app):
    """Point the shared database at the configured engine and wire the request hooks."""
    app.url_map.converters["int"] = RowIdConverter
    cfg = app.config
    db.initialize(make_database(cfg["DATABASE_URL"], cfg["DB_MAX_CONNECTIONS"], cfg["DB_STALE_TIMEOUT"]))
    app.before_request(open_connection)
    app.before_request(require_current_schema)
    app.teardown_appcontext(close_connection)


def open_connection():
    """Take a connection from the pool for this request."""
    db.connect(reuse_if_open=True)


def pending_migrations():
    """Names of the migration files not applied to this database, in order (all of them on an empty one)."""
    names = sorted(os.path.basename(path)[:-3] for path in glob.glob(os.path.join(MIGRATIONS_DIR, "[0-9]*.py")))
    try:
        applied = {name for (name,) in db.execute_sql("SELECT name FROM schema_migration")}
    except DatabaseError:  # no such table: never migrated
        if is_postgres() and not db.in_transaction():
            db.connection().rollback()  # a failed statement leaves PostgreSQL's connection aborted
        applied = set()
    return [name for name in names if name not in applied]


def require_current_schema():
    """Before each request, until it has held once in this process: every migration is applied.

    Code upgraded without ``manage.py migrate`` would read columns the database lacks and
    answer 500s here and there (seen: every new paste and the dashboard, "no such column");
    it answers one 503 saying what to run instead. Once current, never asked again.
    """
    if current_app.extensions.get("suite.schema_current"):
        return None
    pending = pending_migrations()
    if not pending:
        current_app.extensions["suite.schema_current"] = True
        return None
    from suite.errors import error_response
    return error_response(503, "migrations_pending",
                          f"This suite's database is older than its code ({len(pending)} migration(s) "
                          f"pending, the first {pending[0]}): run `python manage.py migrate`.")


def close_connection(exc=None):
    """Give the request's connection back to the pool."""
    if not db.is_closed():
        db.close()


def migration_runner():
    """peewee's migration runner over ``suite/migrations``."""
    from playhouse.migrations import Runner  # (and argparse): not needed to serve requests
    return Runner(db.obj, directory=MIGRATIONS_DIR)


def migrate(target=None):
    """Apply pending migrations (up to ``target``); returns the names applied."""
    with db.connection_context():
        return migration_runner().up(target=target)
