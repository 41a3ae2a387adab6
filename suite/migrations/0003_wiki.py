"""Wiki: pages, revisions with cached renders, links, attachments."""
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

    class Page(Model):
        id = AutoField()
        title = CharField(max_length=200)
        key = CharField(max_length=200, unique=True)
        version = IntegerField(default=0)
        redirect_to = CharField(max_length=200, null=True)
        protected = BooleanField(default=False)
        deleted = BooleanField(default=False)
        created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField(default=datetime.datetime.utcnow)
        updated_at = DateTimeField(default=datetime.datetime.utcnow, index=True)

        class Meta:
            table_name = "wiki_page"

    class Revision(Model):
        id = AutoField()
        page = ForeignKeyField(Page, on_delete="CASCADE")
        number = IntegerField()
        kind = CharField(max_length=10, default="edit")
        author = ForeignKeyField(User, null=True, on_delete="SET NULL")
        created_at = DateTimeField(default=datetime.datetime.utcnow, index=True)
        message = CharField(max_length=200, default="")
        content = TextField()
        content_hash = CharField(max_length=64)
        html = TextField(null=True)
        toc = TextField(null=True)

        class Meta:
            table_name = "wiki_revision"
            indexes = ((("page", "number"), True),)

    class Link(Model):
        id = AutoField()
        from_page = ForeignKeyField(Page, on_delete="CASCADE")
        to_key = CharField(max_length=200, index=True)

        class Meta:
            table_name = "wiki_link"
            indexes = ((("from_page", "to_key"), True),)

    class Attachment(Model):
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
        created_at = DateTimeField(default=datetime.datetime.utcnow)

        class Meta:
            table_name = "wiki_attachment"
            indexes = ((("page", "name"), True),)

    db.bind([User, Page, Revision, Link, Attachment])
    db.create_tables([Page, Revision, Link, Attachment])


def down(migrator, db):
    for table in ("wiki_attachment", "wiki_link", "wiki_revision", "wiki_page"):
        db.execute_sql(f'DROP TABLE IF EXISTS "{table}"')
