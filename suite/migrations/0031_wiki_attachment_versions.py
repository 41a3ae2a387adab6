"""Wiki: a file replaced or deleted is kept as an earlier version (``wiki_attachment_version``).

Replacing an attachment removed the old file from disk, and deleting one removed it for good:
nothing could bring it back. Each replaced or deleted file now keeps its row here, with its
stored file, to be downloaded and put back, as MediaWiki's file history.
"""
import datetime

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
)


def up(migrator, db):
    class User(Model):
        id = AutoField()

        class Meta:
            table_name = "user"

    class Page(Model):
        id = AutoField()

        class Meta:
            table_name = "wiki_page"

    class AttachmentVersion(Model):
        id = AutoField()
        page = ForeignKeyField(Page, on_delete="CASCADE")
        name = CharField(max_length=120)
        content_type = CharField(max_length=100)
        size = IntegerField()
        sha256 = CharField(max_length=64)
        stored_name = CharField(max_length=80)
        is_image = BooleanField(default=False)
        width = IntegerField(null=True)
        height = IntegerField(null=True)
        uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField()
        retired_at = DateTimeField(default=datetime.datetime.utcnow)
        retired_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
        deleted = BooleanField(default=False)

        class Meta:
            table_name = "wiki_attachment_version"
            indexes = ((("page", "name", "retired_at"), False),)

    db.bind([User, Page, AttachmentVersion])
    db.create_tables([AttachmentVersion])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "wiki_attachment_version"')
