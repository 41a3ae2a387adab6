"""Commands of ``manage.py``: run, worker, migrate, users, tokens, backup, restore, routes."""
import logging
import os
import shlex
import sqlite3
import struct
from contextlib import contextmanager
from urllib.parse import quote

import click
from flask import current_app
from flask.cli import with_appcontext
from peewee import OperationalError

from suite import database
from suite.errors import SuiteError
from suite.extensions import db


def log_to_stderr():
    """Log records as one line each, with time, level and logger (task errors, shutdown, warnings)."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")


@click.command("run")
@with_appcontext
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--debug", is_flag=True, help="Flask's debugger and reloader instead of waitress.")
@click.option("--no-worker", is_flag=True, help="Do not run background tasks in this process.")
def run_command(host, port, debug, no_worker):
    """Serve the suite with its task worker (waitress; the reloader only with --debug)."""
    from suite.server import serve
    log_to_stderr()
    try:
        serve(current_app._get_current_object(), host, port, debug=debug, with_worker=not no_worker)
    except (OSError, ValueError) as err:  # a host that does not resolve, a port in use
        raise click.ClickException(f"cannot serve on {host}:{port}: {err}") from None


@click.command("worker")
@with_appcontext
@click.option("--workers", default=None, type=click.IntRange(min=1),
              help="Worker threads (default SUITE_TASK_WORKERS).")
def worker_command(workers):
    """Run the background task consumer."""
    from suite.jobs import make_consumer
    log_to_stderr()
    make_consumer(workers).run()


@click.command("migrate")
@with_appcontext
@click.option("--target", default=None, help="Stop after this migration (for tests and upgrades).")
def migrate_command(target):
    """Apply pending database migrations."""
    from playhouse.migrations import MigrationError
    try:
        applied = database.migrate(target)
    except MigrationError as err:
        raise click.ClickException(str(err)) from None
    except OperationalError as err:  # a SQLite file in a folder that does not exist, a server that refuses
        raise click.ClickException(f"cannot open the database: {err}") from None
    if applied:
        click.echo("\n".join(f"applied {name}" for name in applied))
    elif target and _newest_applied() > target:
        click.echo(f"database is already past {target} (at {_newest_applied()}); migrate only goes forward, "
                   "so nothing was changed")
    else:
        click.echo("database is up to date")
    if "0005_search" in applied:
        # The search index starts empty: fill it from what an older database already holds.
        rebuild_search_index()
    elif {"0011_search_champions", "0012_search_champions_pg", "0022_search_cjk_and_accents",
            "0023_bookmark_notes_owner_only"} & set(applied):
        with db.connection_context():
            build_search_lists()


def _newest_applied():
    with db.connection_context():
        return max((name for (name,) in db.execute_sql("SELECT name FROM schema_migration")), default="")


@click.command("create-user")
@with_appcontext
@click.argument("name")
@click.option("--admin", is_flag=True, help="Make the user an administrator.")
@click.option("--password", default=None,
              help="Password (asked for when left out; on the command line it shows in `ps` and shell history).")
@click.option("--password-stdin", is_flag=True, help="Read the password from the first line of standard input.")
def create_user_command(name, admin, password, password_stdin):
    """Create an account (works when registration is closed)."""
    from suite.auth.accounts import create_user
    require_migrated()
    if password_stdin:
        if password is not None:
            raise click.UsageError("Give --password or --password-stdin, not both.")
        password = click.get_text_stream("stdin").readline().rstrip("\r\n")
    elif password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    with db.connection_context():
        try:
            user = create_user(name, password, is_admin=admin)
        except SuiteError as err:
            raise click.ClickException(err.message) from None
    click.echo(f"created {'admin' if user.is_admin else 'user'} {user.username}")


@click.command("create-token")
@with_appcontext
@click.argument("name")
@click.option("--label", default="command line", show_default=True)
def create_token_command(name, label):
    """Create an API token for a user and print it (it is shown only once)."""
    from suite.auth.accounts import create_token
    from suite.auth.models import User
    require_migrated()
    with db.connection_context():
        user = User.by_name(name)
        if user is None:
            raise click.ClickException(f"no user named {name!r}")
        try:
            _row, token = create_token(user, label)
        except SuiteError as err:
            raise click.ClickException(err.message) from None
    click.echo(token)


def require_migrated():
    """Stop with a clear message when the database has no tables yet (or cannot be opened)."""
    try:
        with db.connection_context():
            if not db.table_exists("user"):
                raise click.ClickException("the database is not set up yet: run `python manage.py migrate` first")
    except OperationalError as err:
        raise click.ClickException(f"cannot open the database: {err}") from None


@contextmanager
def output_file(path, force):
    """Where to write the file ``path`` (``PATH.partial``): moved over PATH in one step once written.

    Never the live database, never over an existing file without ``--force``; a folder
    that does not exist or cannot be written is a clear message, and a failed write
    leaves PATH as it was.
    """
    if os.path.exists(path) and not database.is_postgres() and os.path.samefile(path, db.obj.database):
        raise click.ClickException(f"{path} is the live database itself; choose another file")
    if os.path.exists(path) and not force:
        raise click.ClickException(f"{path} exists; pass --force to replace it")
    partial = f"{path}.partial"
    try:
        yield partial
        os.replace(partial, path)
    except (sqlite3.Error, OSError) as err:
        raise click.ClickException(f"cannot write {path}: {err}") from None
    finally:
        if os.path.exists(partial):
            os.remove(partial)


def _pg_connection_options():
    """pg_dump/pg_restore options naming the suite's PostgreSQL server and user."""
    p = db.obj.connect_params
    return [f"--host={p.get('host', 'localhost')}", f"--port={p.get('port', 5432)}",
            f"--username={p.get('user', os.environ.get('USER', 'postgres'))}"]


@click.command("backup")
@with_appcontext
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
def backup_command(path, force):
    """Copy the SQLite database to PATH with the online backup API (PostgreSQL: prints pg_dump)."""
    if database.is_postgres():  # nothing was backed up: say how, and fail so scripts notice
        raise click.ClickException("This suite runs on PostgreSQL; back it up with:\n  " + shlex.join(
            ["pg_dump", "--format=custom", f"--file={path}", *_pg_connection_options(), db.obj.database]))
    with output_file(path, force) as partial:
        source, target = sqlite3.connect(db.obj.database), sqlite3.connect(partial)
        try:
            # In one step, one read of a snapshot (writers go on: WAL). Taken in steps, SQLite starts
            # the copy over whenever another process writes between two: under steady writes a
            # large database was never copied.
            with target:
                source.backup(target, pages=-1)
            ok = target.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            target.close()
            source.close()
        if ok != "ok":
            raise click.ClickException(f"the backup failed its integrity check: {ok}")
    click.echo(f"backed up {db.obj.database} to {path} ({os.path.getsize(path)} bytes)")


#: SQLite's "dead man switch" byte in the ``-shm`` file of a WAL database: every connection that has
#: the database open holds a shared lock on it (``UNIX_SHM_DMS`` in SQLite's os_unix.c).
SHM_DMS_OFFSET = 128


def database_in_use(path):
    """True when another process has the SQLite database at ``path`` open.

    Asks the kernel (F_GETLK, which takes no lock) whether the byte every open connection
    locks in ``PATH-shm`` is held, as SQLite itself does before it resets the WAL index.
    A server that has not yet opened the database is not seen.
    """
    try:
        import fcntl
    except ImportError:  # not a POSIX system: nothing to ask
        return False
    try:
        fd = os.open(f"{path}-shm", os.O_RDONLY)
    except FileNotFoundError:
        return False
    try:
        layout = "hhqqi4x"  # struct flock: l_type, l_whence, l_start, l_len, l_pid
        query = struct.pack(layout, fcntl.F_WRLCK, os.SEEK_SET, SHM_DMS_OFFSET, 1, 0)
        answer = fcntl.fcntl(fd, fcntl.F_GETLK, query)
        return struct.unpack(layout, answer)[0] != fcntl.F_UNLCK
    finally:
        os.close(fd)


def read_only(path):
    """A read-only connection to the SQLite file at ``path``."""
    return sqlite3.connect(f"file:{quote(os.path.abspath(path))}?mode=ro", uri=True)


def check_backup(path):
    """Refuse a file that is not a sound SQLite database of the suite; returns its migrations."""
    try:
        source = read_only(path)
    except sqlite3.Error as err:
        raise click.ClickException(f"cannot open {path}: {err}") from None
    try:
        ok = source.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            raise click.ClickException(f"{path} fails its integrity check ({ok}); nothing was restored")
        return {name for (name,) in source.execute("SELECT name FROM schema_migration")}
    except sqlite3.DatabaseError as err:  # not a database, or not one of the suite
        raise click.ClickException(f"{path} is not a backup of the suite ({err}); nothing was restored") from None
    finally:
        source.close()


@click.command("restore")
@with_appcontext
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--force", is_flag=True, help="Do not ask before replacing the database.")
def restore_command(path, force):
    """Replace the SQLite database with a backup (stop the server and workers first; PostgreSQL: prints pg_restore)."""
    if database.is_postgres():
        raise click.ClickException(
            "This suite runs on PostgreSQL; restore a pg_dump backup with pg_restore (stop the server and "
            "workers first):\n  " + shlex.join(["pg_restore", "--clean", "--if-exists", "--no-owner",
                                                 *_pg_connection_options(), f"--dbname={db.obj.database}", path]))
    live = db.obj.database
    if os.path.exists(live) and os.path.samefile(path, live):
        raise click.ClickException(f"{path} is the live database itself")
    applied = check_backup(path)
    if database_in_use(live):
        raise click.ClickException(f"{live} is open in another process (manage.py run, worker or gunicorn): "
                                   "stop them first; nothing was restored")
    if not force:
        click.confirm(f"Replace {live} with {path}? Everything written since that backup is lost", abort=True)
    try:
        source, target = read_only(path), sqlite3.connect(live, timeout=10)
        try:
            source.backup(target, pages=1024)  # through SQLite: the live file's WAL is taken care of
            ok = target.execute("PRAGMA quick_check").fetchone()[0]
        finally:
            target.close()  # the last connection: its WAL is checkpointed into the file and removed
            source.close()
    except sqlite3.Error as err:
        raise click.ClickException(f"cannot restore into {live}: {err}") from None
    if ok != "ok":
        raise click.ClickException(f"the restored database fails its check: {ok}")
    click.echo(f"restored {live} from {path} ({os.path.getsize(live)} bytes)")
    known = {os.path.basename(p)[:-3] for p in os.listdir(database.MIGRATIONS_DIR) if p[:1].isdigit() and p.endswith(".py")}
    if known - applied:
        click.echo("the backup is older than this code: run `python manage.py migrate` before starting the server")
    if applied - known:
        click.echo("warning: the backup comes from a newer version of the suite than this code "
                   f"({', '.join(sorted(applied - known))})")


@click.command("reindex")
@with_appcontext
@click.option("--kind", type=click.Choice(["bookmark", "paste", "wiki"]), default=None,
              help="Rebuild only this kind (default: all).")
def reindex_command(kind):
    """Rebuild the unified search index from the apps' data, with a progress bar."""
    require_migrated()
    rebuild_search_index(kind)


def rebuild_search_index(kind=None):
    """Re-index every item (of one kind, or all) with a progress bar per app."""
    from suite.registry import suite_apps
    from suite.search.models import SearchDoc
    with db.connection_context(), current_app.test_request_context():
        if db.table_exists("search_champion_list"):
            from suite.search import champion_lists
            with db.atomic():
                champion_lists().clear()  # built again at the end
        for entry in suite_apps():
            if entry.reindex is None or kind not in (None, entry.search_kind):
                continue
            total, steps = entry.reindex()
            with db.atomic():
                SearchDoc.delete().where(SearchDoc.kind == entry.search_kind).execute()
                with click.progressbar(steps, length=total, label=f"{entry.title:<10}") as bar:
                    for _ in bar:
                        pass
            click.echo(f"indexed {total} {entry.search_kind}{'s' if total != 1 else ''}")
        build_search_lists()


def build_search_lists():
    """Champion lists for every common word of the search index, built afresh."""
    from suite.search.tasks import refresh_lists
    if db.table_exists("search_champion_list"):
        def shown(words):
            with click.progressbar(words, label="search lists (best documents of common words)") as bar:
                yield from bar
        click.echo(f"lists for {refresh_lists(rebuild=True, progress=shown)} common words")


@click.command("routes")
@with_appcontext
def routes_command():
    """Print every URL rule with its methods, one per line."""
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda r: r.rule):
        methods = ",".join(sorted(m for m in rule.methods if m not in ("HEAD", "OPTIONS")))
        click.echo(f"{methods:<22} {rule.rule}  ({rule.endpoint})")


COMMANDS = [run_command, worker_command, migrate_command, create_user_command,
            create_token_command, backup_command, restore_command, reindex_command, routes_command]


def init_app(app):
    """Attach the commands to ``app.cli`` (manage.py and ``flask --app suite`` see them)."""
    for command in COMMANDS:
        app.cli.add_command(command)
