"""Imports resume after their worker died; the bookmarks backlog runs once at a time.

An import whose worker was killed (SIGKILL, OOM killer, a container restart) stayed
"running" for good. Each batch now records ``progressed_at``: the per-minute backlog sets a
run that made no progress for ten minutes back to pending and queues it again (``stalls``
counts how often, so a file that kills its worker every time ends as failed).

The ``lease`` table holds work that one process at a time may do (``suite.leases``): the
backlog runs were queued every minute while earlier ones still worked, and filled the task
threads ahead of every new bookmark's fetch.
"""
import datetime

from peewee import CharField, DateTimeField, IntegerField, Model


def up(migrator, db):
    class Lease(Model):
        name = CharField(max_length=64, primary_key=True)
        holder = CharField(max_length=32, default="")
        expires_at = DateTimeField(default=datetime.datetime(1970, 1, 1))

        class Meta:
            table_name = "lease"

    db.bind([Lease])
    db.create_tables([Lease])
    migrator.migrate(migrator.add_column("bookmarks_import", "progressed_at", DateTimeField(null=True)),
                     migrator.add_column("bookmarks_import", "stalls", IntegerField(default=0)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("bookmarks_import", "stalls"),
                     migrator.drop_column("bookmarks_import", "progressed_at"))
    db.execute_sql('DROP TABLE IF EXISTS "lease"')
