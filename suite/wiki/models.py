"""The wiki's tables: pages, their revisions (with the cached render), links and attachments."""
from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from suite.auth.models import User, utcnow
from suite.database import BaseModel


class Page(BaseModel):
    """A titled page; ``version`` is the number of its current revision (the optimistic lock)."""

    id = AutoField()
    title = CharField(max_length=200)
    key = CharField(max_length=200, unique=True)      # case-folded title: lookups ignore case
    sort_key = CharField(max_length=200, default="")  # case and accents aside: A–Z lists (titles.sort_key)
    version = IntegerField(default=0)
    redirect_to = CharField(max_length=200, null=True)  # key of the target when the page redirects
    protected = BooleanField(default=False)             # only admins may edit
    deleted = BooleanField(default=False)
    created_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)
    updated_at = DateTimeField(default=utcnow, index=True)

    class Meta:
        table_name = "wiki_page"
        indexes = ((("sort_key", "key"), False),)


class Revision(BaseModel):
    """One saved state of a page; ``html``/``toc`` cache its sanitized render (NULL, or made by another
    ``render_version`` than the code's: render again)."""

    id = AutoField()
    page = ForeignKeyField(Page, backref="revisions", on_delete="CASCADE")
    number = IntegerField()
    kind = CharField(max_length=10, default="edit")    # edit, revert, rename, delete, restore, import
    author = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow, index=True)
    message = CharField(max_length=200, default="")
    content = TextField()
    content_hash = CharField(max_length=64)
    html = TextField(null=True)
    toc = TextField(null=True)
    render_version = CharField(max_length=16, null=True)  # markup.renderer_version() of html and toc
    minor = BooleanField(default=False)  # a minor edit (typos, formatting), as its author said

    class Meta:
        table_name = "wiki_revision"
        indexes = ((("page", "number"), True),)

    @property
    def author_name(self):
        """Who saved it, for people."""
        return self.author.username if self.author_id else "(deleted user)"


class Link(BaseModel):
    """A wikilink from a page's current revision to a title (which may not exist yet)."""

    id = AutoField()
    from_page = ForeignKeyField(Page, backref="links", on_delete="CASCADE")
    to_key = CharField(max_length=200, index=True)

    class Meta:
        table_name = "wiki_link"
        indexes = ((("from_page", "to_key"), True),)


class Attachment(BaseModel):
    """A file uploaded to a page, stored under ``MEDIA_PATH/wiki/``."""

    id = AutoField()
    page = ForeignKeyField(Page, backref="attachments", on_delete="CASCADE")
    name = CharField(max_length=120)
    content_type = CharField(max_length=100)
    size = IntegerField()
    sha256 = CharField(max_length=64)
    stored_name = CharField(max_length=80)    # file name on disk (random, never the user's)
    is_image = BooleanField(default=False)
    width = IntegerField(null=True)
    height = IntegerField(null=True)
    uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "wiki_attachment"
        indexes = ((("page", "name"), True),)


class AttachmentVersion(BaseModel):
    """A file a page had under ``name`` before it was replaced or deleted: kept, with its stored file,
    so it can be downloaded and put back (the file history MediaWiki keeps)."""

    id = AutoField()
    page = ForeignKeyField(Page, backref="attachment_versions", on_delete="CASCADE")
    name = CharField(max_length=120)
    content_type = CharField(max_length=100)
    size = IntegerField()
    sha256 = CharField(max_length=64)
    stored_name = CharField(max_length=80)
    is_image = BooleanField(default=False)
    width = IntegerField(null=True)
    height = IntegerField(null=True)
    uploaded_by = ForeignKeyField(User, null=True, on_delete="SET NULL")
    created_at = DateTimeField()                        # when this version was uploaded
    retired_at = DateTimeField(default=utcnow)          # when it was replaced or deleted
    retired_by = ForeignKeyField(User, null=True, on_delete="SET NULL", backref="+")
    deleted = BooleanField(default=False)               # retired by a delete, not by a newer upload

    class Meta:
        table_name = "wiki_attachment_version"
        indexes = ((("page", "name", "retired_at"), False),)


class Watch(BaseModel):
    """A page on someone's watchlist (it follows the page through renames: the row names its id)."""

    id = AutoField()
    user = ForeignKeyField(User, on_delete="CASCADE")
    page = ForeignKeyField(Page, on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        table_name = "wiki_watch"
        indexes = ((("user", "page"), True),)


class ImportRun(BaseModel):
    """One import of an export zip and its progress (the progress page polls it)."""

    id = AutoField()
    owner = ForeignKeyField(User, on_delete="CASCADE")
    filename = CharField(max_length=255, default="")
    status = CharField(max_length=10, default="pending")  # pending | running | done | failed
    total = IntegerField(default=0)        # pages in the zip
    processed = IntegerField(default=0)    # pages done: a run taken up again resumes after them
    created = IntegerField(default=0)
    updated = IntegerField(default=0)
    skipped = IntegerField(default=0)
    files = IntegerField(default=0)        # attachments added
    problems = TextField(default="")       # one line per page or file skipped (the first MAX_PROBLEMS)
    message = TextField(default="")
    created_at = DateTimeField(default=utcnow)
    progressed_at = DateTimeField(null=True)  # claimed or last page saved: a run silent long after died
    stalls = IntegerField(default=0)          # how often it was taken up again after its worker died

    class Meta:
        table_name = "wiki_import"
