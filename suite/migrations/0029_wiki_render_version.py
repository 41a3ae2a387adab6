"""Wiki: each stored render keeps the fingerprint of the renderer that made it (``wiki_revision.render_version``).

A page whose render was made by another renderer (before an upgrade changed the Markdown rules, or
Markdown, Pygments or nh3) is rendered again on its next view, so no later change needs a migration like
0028 to drop the stored renders. Renders stored before this have none and are made again once.
"""
from peewee import CharField


def up(migrator, db):
    migrator.migrate(migrator.add_column("wiki_revision", "render_version", CharField(max_length=16, null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("wiki_revision", "render_version"))
