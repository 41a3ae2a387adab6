"""Search: each entry knows when its item expires, so an expired paste leaves every result at once.

Expiry is no write: an expired paste stayed in the unified search, the API search and the
dashboards (with a snippet of its text) until the purge task deleted it, every five
minutes and never without a worker. ``search_doc.expires_at`` holds the paste's expiry and
every listing asks for ``expires_at IS NULL OR expires_at > now``. Existing entries take
theirs from the paste table (only pastes with an expiry: on SQLite each row updated is
also rewritten in the FTS index by its trigger).
"""
from peewee import DateTimeField

BACKFILL = """UPDATE search_doc SET expires_at =
    (SELECT p.expires_at FROM paste AS p WHERE p.id = CAST(search_doc.item_id AS INTEGER))
  WHERE kind = 'paste' AND item_id IN (SELECT CAST(id AS TEXT) FROM paste WHERE expires_at IS NOT NULL)"""


def up(migrator, db):
    migrator.migrate(migrator.add_column("search_doc", "expires_at", DateTimeField(null=True)))
    db.execute_sql(BACKFILL)


def down(migrator, db):
    migrator.migrate(migrator.drop_column("search_doc", "expires_at"))
