"""Wiki imports run in the background: one row per uploaded export zip with its progress.

The import ran inside the upload request; behind gunicorn (30 s worker timeout) a zip of a
few thousand pages was cut off half way with no report. The request now keeps the zip and
queues a task, which records its progress here page by page (and resumes after the last
page saved when its worker died).
"""
import datetime

from peewee import (
    AutoField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
    TextField,
)


def up(migrator, db):
    class User(Model):
        id = AutoField()

        class Meta:
            table_name = "user"

    class ImportRun(Model):
        id = AutoField()
        owner = ForeignKeyField(User, on_delete="CASCADE")
        filename = CharField(max_length=255, default="")
        status = CharField(max_length=10, default="pending")
        total = IntegerField(default=0)
        processed = IntegerField(default=0)
        created = IntegerField(default=0)
        updated = IntegerField(default=0)
        skipped = IntegerField(default=0)
        files = IntegerField(default=0)
        problems = TextField(default="")
        message = TextField(default="")
        created_at = DateTimeField(default=datetime.datetime.utcnow)
        progressed_at = DateTimeField(null=True)
        stalls = IntegerField(default=0)

        class Meta:
            table_name = "wiki_import"

    db.bind([User, ImportRun])
    db.create_tables([ImportRun])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "wiki_import"')
