"""Pastes, their files and the stored highlighted HTML."""
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
from suite.database import BaseModel, Prepared

VISIBILITIES = ("public", "unlisted", "private")
TITLE_MAX = 200  # characters of a paste's title: the column's size, and what the forms and the API take


class Paste(BaseModel):
    """One paste: a titled bundle of files at an unguessable slug."""

    id = AutoField()
    slug = CharField(max_length=16, unique=True)
    user = ForeignKeyField(User, null=True, backref="pastes", on_delete="CASCADE")
    title = CharField(max_length=TITLE_MAX, default="")
    visibility = CharField(max_length=10, default="public")
    expires_at = DateTimeField(null=True, index=True)
    burn_after_reading = BooleanField(default=False)
    # newest children first: index paste_parent_recent on (parent_id, created_at), made by migration 0030
    parent = ForeignKeyField("self", null=True, backref="children", on_delete="SET NULL")
    created_at = DateTimeField(default=utcnow, index=True)
    updated_at = DateTimeField(default=utcnow)

    def is_expired(self, now=None):
        """True once the expiry time has passed."""
        return self.expires_at is not None and self.expires_at <= (now or utcnow())

    def owned_by(self, user):
        """True when ``user`` (maybe anonymous) owns this paste."""
        return self.user_id is not None and getattr(user, "id", None) == self.user_id

    @property
    def files(self):
        """The files in order (loaded once per object)."""
        if "_files" not in self.__dict__:
            self.__dict__["_files"] = list(FILES_OF.rows(self.id))
        return self.__dict__["_files"]

    @property
    def display_title(self):
        """The title, or the first file's name, or the slug."""
        return self.title or (self.files[0].name if self.files else "") or self.slug


class PasteFile(BaseModel):
    """One file of a paste, in order."""

    id = AutoField()
    paste = ForeignKeyField(Paste, backref="file_rows", on_delete="CASCADE")
    position = IntegerField(default=0)
    name = CharField(max_length=255, default="")
    lang = CharField(max_length=64, default="text")
    content = TextField()
    content_hash = CharField(max_length=64)
    size = IntegerField(default=0)
    line_count = IntegerField(default=0)

    class Meta:
        indexes = ((("paste", "position"), True),)


FILES_OF = Prepared(lambda paste_id: PasteFile.select().where(PasteFile.paste == paste_id).order_by(PasteFile.position))


class Highlight(BaseModel):
    """Highlighted, line-anchored HTML of one text under one lexer and Pygments version."""

    id = AutoField()
    content_hash = CharField(max_length=64)
    lexer = CharField(max_length=64)
    version = CharField(max_length=20)
    html = TextField()
    notice = CharField(max_length=200, default="")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        indexes = ((("content_hash", "lexer", "version"), True),)
