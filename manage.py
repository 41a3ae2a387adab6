#!/usr/bin/env python3
"""The suite's command line: `python manage.py --help`."""
import click
from flask.cli import FlaskGroup, shell_command

from suite import create_app


def make_app():
    """The suite for a command: a bad setting is one line naming it, not a traceback."""
    try:
        return create_app()
    except ValueError as err:
        raise click.ClickException(str(err)) from None


@click.group(cls=FlaskGroup, create_app=make_app, add_default_commands=False,
             add_version_option=False, load_dotenv=False)
def cli():
    """Manage the suite: run, worker, migrate, create-user, create-token, backup, routes."""


cli.add_command(shell_command)

if __name__ == "__main__":
    cli()
