"""Bookmarks: a bookmark's background work is claimed, so two workers never do it at once.

The fetch task of a saved, edited or retried bookmark and the per-minute backlog run both
fetch pending bookmarks, and two backlog runs can overlap (a run may take longer than its
minute; there are two worker threads): each fetched and photographed the same bookmark. A
worker now sets ``bookmark.claimed_at`` in one UPDATE that only succeeds while the row is
unclaimed (or its claim is older than the lease: the worker died), and clears it when done.
"""
from peewee import DateTimeField


def up(migrator, db):
    migrator.migrate(migrator.add_column("bookmark", "claimed_at", DateTimeField(null=True)))


def down(migrator, db):
    migrator.migrate(migrator.drop_column("bookmark", "claimed_at"))
