"""manage.py commands of the bookmarks app: bulk thumbnails and file import, with progress bars."""
import click
from flask.cli import with_appcontext

from suite.auth.models import User
from suite.cli import require_migrated
from suite.errors import SuiteError
from suite.extensions import db


def _user(name):
    user = User.by_name(name)
    if user is None:
        raise click.ClickException(f"no user named {name!r}")
    return user


@click.command("thumbnails")
@click.option("--missing", is_flag=True, help="Only bookmarks without a picture yet.")
@click.option("--user", "username", default=None, help="Only this user's bookmarks.")
@with_appcontext
def thumbnails_command(missing, username):
    """Fetch pages and (re)make thumbnails in bulk."""
    require_migrated()
    from suite.bookmarks import crawl
    from suite.bookmarks.models import Bookmark
    with db.connection_context():
        query = Bookmark.select(Bookmark.id).order_by(Bookmark.id)
        if missing:
            query = query.where(Bookmark.thumb_small == "")
        if username:
            query = query.where(Bookmark.owner == _user(username).id)
        ids = [b.id for b in query]
        sources = {}
        with click.progressbar(ids, label="Thumbnails", show_pos=True) as bar:
            for bookmark_id in bar:
                source = crawl.process(bookmark_id, pending_only=False)  # all of them, pending or not
                sources[source] = sources.get(source, 0) + 1
    summary = ", ".join(f"{n} {s}" for s, n in sorted(sources.items(), key=str)) or "nothing to do"
    click.echo(f"made {len(ids)} thumbnails: {summary}")


@click.command("import-bookmarks")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", "username", required=True, help="Whose bookmarks they become.")
@click.option("--public", is_flag=True, help="Entries without a PRIVATE flag become public.")
@with_appcontext
def import_command(path, username, public):
    """Import a Netscape bookmark file (Firefox, Chrome, Pinboard, linkding, Karakeep)."""
    from suite.bookmarks import netscape
    from suite.bookmarks.importer import import_entries
    require_migrated()
    with open(path, "rb") as f:
        data = f.read()
    with db.connection_context():
        user = _user(username)
        try:
            entries = netscape.parse(data)
        except SuiteError as err:
            raise click.ClickException(err.message) from None
        with click.progressbar(length=len(entries), label="Importing", show_pos=True) as bar:
            done = [0]

            def advance(n, _created, _duplicates):
                bar.update(n - done[0])
                done[0] = n
            created, duplicates, invalid = import_entries(user, entries, private_default=not public,
                                                          on_batch=advance)
    click.echo(f"{created} imported, {duplicates} already saved, {invalid} skipped (not http/https). "
               "Pages and thumbnails are fetched in the background by the worker.")


COMMANDS = [thumbnails_command, import_command]
