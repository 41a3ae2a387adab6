"""Bookmarks, tags and import runs."""
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

    class Bookmark(Model):
        id = AutoField()
        owner = ForeignKeyField(User, on_delete="CASCADE")
        url = TextField()
        url_hash = CharField(max_length=64)
        domain = CharField(max_length=255, index=True)
        title = TextField(default="")
        description = TextField(default="")
        notes = TextField(default="")
        is_private = BooleanField(default=True)
        unread = BooleanField(default=False)
        created_at = DateTimeField(default=datetime.datetime.utcnow, index=True)
        updated_at = DateTimeField(default=datetime.datetime.utcnow)
        fetch_status = CharField(max_length=10, default="pending", index=True)
        fetch_error = TextField(default="")
        http_status = IntegerField(null=True)
        canonical_url = TextField(default="")
        image_url = TextField(default="")
        favicon = CharField(max_length=80, default="")
        page_text = TextField(default="")
        thumb_status = CharField(max_length=10, default="pending")
        thumb_source = CharField(max_length=12, default="")
        thumb_small = CharField(max_length=80, default="")
        thumb_large = CharField(max_length=80, default="")
        thumb_error = TextField(default="")
        is_broken = BooleanField(default=False, index=True)
        checked_at = DateTimeField(null=True, index=True)
        check_error = TextField(default="")

        class Meta:
            table_name = "bookmark"
            indexes = ((("owner", "url_hash"), True),)

    class Tag(Model):
        id = AutoField()
        owner = ForeignKeyField(User, on_delete="CASCADE")
        name = CharField(max_length=64)

        class Meta:
            table_name = "bookmarks_tag"
            indexes = ((("owner", "name"), True),)

    class BookmarkTag(Model):
        id = AutoField()
        bookmark = ForeignKeyField(Bookmark, on_delete="CASCADE")
        tag = ForeignKeyField(Tag, on_delete="CASCADE")

        class Meta:
            table_name = "bookmarks_tagging"
            indexes = ((("bookmark", "tag"), True),)

    class ImportRun(Model):
        id = AutoField()
        owner = ForeignKeyField(User, on_delete="CASCADE")
        filename = CharField(max_length=255, default="")
        status = CharField(max_length=10, default="pending")
        total = IntegerField(default=0)
        processed = IntegerField(default=0)
        created = IntegerField(default=0)
        duplicates = IntegerField(default=0)
        message = TextField(default="")
        created_at = DateTimeField(default=datetime.datetime.utcnow)

        class Meta:
            table_name = "bookmarks_import"

    models = [Bookmark, Tag, BookmarkTag, ImportRun]
    db.bind(models)
    db.create_tables(models)
    db.execute_sql('CREATE INDEX IF NOT EXISTS "bookmark_owner_created" ON "bookmark" ("owner_id", "created_at")')


def down(migrator, db):
    for table in ("bookmarks_tagging", "bookmarks_tag", "bookmarks_import", "bookmark"):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
