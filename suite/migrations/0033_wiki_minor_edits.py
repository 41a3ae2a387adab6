"""Wiki: minor edits (``wiki_revision.minor``), as in MediaWiki: an editor marks a typo fix or a
formatting change as minor, and recent changes and watchlists can hide them. Earlier revisions
are not minor.
"""
from peewee import BooleanField


def up(migrator, db):
    migrator.migrate(migrator.add_column("wiki_revision", "minor", BooleanField(default=False)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("wiki_revision", "minor"))
