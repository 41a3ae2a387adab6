"""Leases: work that only one process of the suite may do at a time, held for a bounded time.

A lease is one row per name in the ``lease`` table; taking it is a single UPDATE that only
succeeds while the lease is free or has expired, so of two processes or threads (several
``worker``s, gunicorn and ``run``; SQLite or PostgreSQL; any queue) one gets it. A holder that
dies (SIGKILL, OOM) keeps it only until it expires.
"""
import datetime
import uuid

from peewee import CharField, DateTimeField

from suite.auth.models import utcnow
from suite.database import BaseModel

FREE = datetime.datetime(1970, 1, 1)


class Lease(BaseModel):
    """Who holds the work called ``name`` and until when."""

    name = CharField(max_length=64, primary_key=True)
    holder = CharField(max_length=32, default="")
    expires_at = DateTimeField(default=FREE)

    class Meta:
        table_name = "lease"


def take(name, seconds):
    """The lease ``name`` for ``seconds``: a token to give it back with, or None while another holds it."""
    Lease.insert(name=name).on_conflict_ignore().execute()
    now, token = utcnow(), uuid.uuid4().hex
    taken = Lease.update(holder=token, expires_at=now + datetime.timedelta(seconds=seconds)).where(
        Lease.name == name, Lease.expires_at <= now).execute()
    return token if taken else None


def give_back(name, token):
    """End the lease at once (only ours: once it expired, another holder may have it)."""
    Lease.update(holder="", expires_at=FREE).where(Lease.name == name, Lease.holder == token).execute()
