"""manage.py commands of the wiki: ``wiki export FILE`` and ``wiki import FILE --user NAME``."""
import click
from flask.cli import with_appcontext

from suite.auth.models import User
from suite.cli import output_file, require_migrated
from suite.errors import SuiteError
from suite.extensions import db


@click.group("wiki")
def wiki_group():
    """Wiki maintenance: export and import the whole wiki."""


@wiki_group.command("export")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--force", is_flag=True, help="Replace PATH if it exists.")
@with_appcontext
def export_command(path, force):
    """Write the whole wiki (pages and history) to a zip file."""
    from suite.wiki.archive import export_wiki
    require_migrated()
    with output_file(path, force) as partial, db.connection_context(), open(partial, "wb") as target:
        count = export_wiki(target)
    click.echo(f"exported {count} pages to {path}")


@wiki_group.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--user", "username", required=True, help="Author of revisions added to existing pages.")
@with_appcontext
def import_command(path, username):
    """Load a wiki export zip (no upload size limit; the same checks per page and file as the web import)."""
    from suite.wiki.archive import Archive, import_wiki
    require_migrated()
    with db.connection_context():
        user = User.by_name(username)
        if user is None:
            raise click.ClickException(f"no user named {username!r}")
        try:
            found = Archive(path)
            with click.progressbar(length=found.total, label="Importing", show_pos=True) as bar:
                report = import_wiki(found, user, on_page=lambda n, _report: bar.update(1))
        except SuiteError as err:
            raise click.ClickException(err.message) from None
    for problem in report.problems:
        click.echo(f"skipped {problem}", err=True)
    click.echo(f"created {report.created}, updated {report.updated}, skipped {report.skipped} pages, "
               f"attached {report.files} files")


COMMANDS = [wiki_group]
