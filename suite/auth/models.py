"""Accounts, API tokens, the record of failed sign-ins, and who follows whom."""
import datetime
import hashlib

from flask_login import UserMixin
from peewee import (
    AutoField,
    BooleanField,
    CharField,
    CompositeKey,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
)

from suite.database import BaseModel

EPOCH = datetime.datetime(1970, 1, 1)


def utcnow():
    """Naive UTC now, the one clock of the database."""
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


class User(UserMixin, BaseModel):
    """A person with an account; the first one registered is an admin."""

    id = AutoField()
    username = CharField(max_length=40)
    name_key = CharField(max_length=40, unique=True)  # lower-cased username
    password_hash = CharField(max_length=255)
    is_admin = BooleanField(default=False)
    session_epoch = IntegerField(default=0)  # bumped on password change: old sessions end
    created_at = DateTimeField(default=utcnow)

    #: The sign-in (``LoginSession``) this request came with: set by the session loader and at sign-in.
    login_sid = None

    def get_id(self):
        """The account's id for caches: ``<id>:<epoch>:<stamp>``. The epoch is bumped by a password
        change, which signs out other sessions; the stamp (``session_stamp``) ties an id to this account."""
        return f"{self.id}:{self.session_epoch}:{self.session_stamp}"

    def session_id(self):
        """What the session and keep-me-signed-in cookies hold (flask-login's ``id_attribute``):
        ``get_id()`` and the sign-in's own id, so signing out ends that cookie on the server too."""
        return f"{self.get_id()}:{self.login_sid}"

    @property
    def session_stamp(self):
        """The account's creation time in microseconds: another account given the same id has another.

        Ids of accounts deleted before migration 0016 can be handed out again (SQLite's counter
        starts at the highest id left), and a deleted account's session cookies would then
        sign in as the newcomer; with the stamp they match no account.
        """
        return int((self.created_at - EPOCH).total_seconds() * 1_000_000)

    @classmethod
    def by_name(cls, username):
        """The user with this name (any case), or None."""
        key = (username or "").strip().lower()
        if not key or "\x00" in key or len(key) > 40:  # cannot be a name; PostgreSQL refuses NUL
            return None
        return cls.get_or_none(cls.name_key == key)


class ApiToken(BaseModel):
    """A personal API token; only its SHA-256 is stored, the token is shown once."""

    id = AutoField()
    user = ForeignKeyField(User, backref="tokens", on_delete="CASCADE")
    label = CharField(max_length=80)
    token_hash = CharField(max_length=64, unique=True)
    prefix = CharField(max_length=12)  # first characters, to recognise a token in the list
    created_at = DateTimeField(default=utcnow)
    last_used_at = DateTimeField(null=True)

    @staticmethod
    def hash(token):
        """The stored form of a token."""
        return hashlib.sha256(token.encode()).hexdigest()


class LoginSession(BaseModel):
    """One sign-in of one browser. Its cookies name it; signing out deletes it, and with it every
    copy of those cookies (Flask keeps the session in the cookie, which alone cannot be taken back)."""

    key = CharField(max_length=64, primary_key=True)  # SHA-256 of the id in the cookie
    user = ForeignKeyField(User, backref="login_sessions", on_delete="CASCADE", index=True)
    created_at = DateTimeField(default=utcnow)

    @staticmethod
    def hash(sid):
        """The stored form of a sign-in id."""
        return hashlib.sha256(sid.encode()).hexdigest()


class LoginFailure(BaseModel):
    """One failed sign-in, keyed by ``user:<name>`` and ``ip:<addr>`` for throttling."""

    id = AutoField()
    key = CharField(max_length=120, index=True)
    failed_at = DateTimeField(default=utcnow, index=True)


class Follow(BaseModel):
    """``follower`` follows ``followed``: the self-referencing many-to-many of users."""

    follower = ForeignKeyField(User, backref="following_rows", on_delete="CASCADE")
    followed = ForeignKeyField(User, backref="follower_rows", on_delete="CASCADE")
    created_at = DateTimeField(default=utcnow)

    class Meta:
        primary_key = CompositeKey("follower", "followed")
        indexes = ((("followed", "follower"), False),)
