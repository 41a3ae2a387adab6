"""Bookmarks, their tags, and import runs."""
from peewee import (
    SQL,
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

PENDING, DONE, FAILED = "pending", "done", "failed"


class Bookmark(BaseModel):
    """One saved page of one user, with what the background tasks learned about it."""

    id = AutoField()
    owner = ForeignKeyField(User, backref="bookmarks", on_delete="CASCADE")
    url = TextField()
    url_hash = CharField(max_length=64)  # sha256 of the normalized URL; unique per owner
    domain = CharField(max_length=255, index=True)
    title = TextField(default="")
    title_sort = CharField(max_length=500, default="")  # the title with case and accents aside (title A–Z)
    description = TextField(default="")
    notes = TextField(default="")
    is_private = BooleanField(default=True)
    unread = BooleanField(default=False)
    created_at = DateTimeField(default=utcnow, index=True)
    updated_at = DateTimeField(default=utcnow)
    # metadata fetch
    fetch_status = CharField(max_length=10, default=PENDING, index=True)
    fetch_error = TextField(default="")
    http_status = IntegerField(null=True)
    canonical_url = TextField(default="")
    image_url = TextField(default="")
    favicon = CharField(max_length=80, default="")  # file name under MEDIA_PATH/thumbs
    page_text = TextField(default="")
    # thumbnails
    thumb_status = CharField(max_length=10, default=PENDING)
    thumb_source = CharField(max_length=12, default="")  # screenshot | og:image | card
    thumb_small = CharField(max_length=80, default="")
    thumb_large = CharField(max_length=80, default="")
    thumb_error = TextField(default="")
    claimed_at = DateTimeField(null=True)  # a worker is fetching it since (crawl.claim; migration 0018)
    # dead-link check
    is_broken = BooleanField(default=False, index=True)
    checked_at = DateTimeField(null=True, index=True)
    check_error = TextField(default="")

    class Meta:
        indexes = ((("owner", "url_hash"), True),)

    @property
    def tag_names(self):
        """The bookmark's tag names, sorted (names attached by a list query, else ``tag_links``)."""
        names = self.__dict__.get("_tag_names")
        return names if names is not None else sorted(link.tag.name for link in self.tag_links)

    @tag_names.setter
    def tag_names(self, names):
        self._tag_names = sorted(names)

    @property
    def status(self):
        """One word for the UI: pending while any task runs, failed when the fetch failed."""
        if PENDING in (self.fetch_status, self.thumb_status):
            return PENDING
        return FAILED if FAILED in (self.fetch_status, self.thumb_status) else DONE


class Tag(BaseModel):
    """A user's tag (lower-case, unique per user), with how many bookmarks carry it.

    The counts are kept by database triggers (migration 0007) in the transaction of every
    write, so tag lists never count over all bookmarks; nothing in Python writes them.
    """

    id = AutoField()
    owner = ForeignKeyField(User, backref="bookmark_tags", on_delete="CASCADE")
    name = CharField(max_length=64)
    bookmark_count = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])
    public_count = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])

    class Meta:
        table_name = "bookmarks_tag"
        indexes = ((("owner", "name"), True),)


class BookmarkTag(BaseModel):
    """A tag on a bookmark."""

    id = AutoField()
    bookmark = ForeignKeyField(Bookmark, backref="tag_links", on_delete="CASCADE")
    tag = ForeignKeyField(Tag, backref="bookmark_links", on_delete="CASCADE")

    class Meta:
        table_name = "bookmarks_tagging"
        indexes = ((("bookmark", "tag"), True),)


class ImportRun(BaseModel):
    """One Netscape-file import and its progress (the progress page polls it)."""

    id = AutoField()
    owner = ForeignKeyField(User, on_delete="CASCADE")
    filename = CharField(max_length=255, default="")
    status = CharField(max_length=10, default=PENDING)  # pending | running | done | failed
    total = IntegerField(default=0)
    processed = IntegerField(default=0)
    created = IntegerField(default=0)
    duplicates = IntegerField(default=0)
    message = TextField(default="")
    created_at = DateTimeField(default=utcnow)
    progressed_at = DateTimeField(null=True)  # claimed or last batch saved: a run silent long after died
    stalls = IntegerField(default=0)  # how often it was taken up again after its worker died

    class Meta:
        table_name = "bookmarks_import"


MODELS = [Bookmark, Tag, BookmarkTag, ImportRun]
