"""Pastes, paste files and stored highlights."""
import datetime

from peewee import (
    AutoField,
    BooleanField,
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

    class Paste(Model):
        id = AutoField()
        slug = CharField(max_length=16, unique=True)
        user = ForeignKeyField(User, null=True, on_delete="CASCADE")
        title = CharField(max_length=200, default="")
        visibility = CharField(max_length=10, default="public")
        expires_at = DateTimeField(null=True, index=True)
        burn_after_reading = BooleanField(default=False)
        parent = ForeignKeyField("self", null=True, on_delete="SET NULL")
        created_at = DateTimeField(default=datetime.datetime.utcnow, index=True)
        updated_at = DateTimeField(default=datetime.datetime.utcnow)

        class Meta:
            table_name = "paste"

    class PasteFile(Model):
        id = AutoField()
        paste = ForeignKeyField(Paste, on_delete="CASCADE")
        position = IntegerField(default=0)
        name = CharField(max_length=255, default="")
        lang = CharField(max_length=64, default="text")
        content = TextField()
        content_hash = CharField(max_length=64)
        size = IntegerField(default=0)
        line_count = IntegerField(default=0)

        class Meta:
            table_name = "paste_file"
            indexes = ((("paste", "position"), True),)

    class Highlight(Model):
        id = AutoField()
        content_hash = CharField(max_length=64)
        lexer = CharField(max_length=64)
        version = CharField(max_length=20)
        html = TextField()
        notice = CharField(max_length=200, default="")
        created_at = DateTimeField(default=datetime.datetime.utcnow)

        class Meta:
            table_name = "highlight"
            indexes = ((("content_hash", "lexer", "version"), True),)

    db.bind([User, Paste, PasteFile, Highlight])
    db.create_tables([Paste, PasteFile, Highlight])


def down(migrator, db):
    for table in ("paste_file", "highlight", "paste"):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
