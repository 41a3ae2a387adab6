"""A paste's newer versions, newest first, are an index range instead of a read of every fork.

A paste's page links its 20 newest forks and counts up to 1,000 more
(``pastes.shown_children``). With only the foreign key's index on ``parent_id``, the
20 newest meant reading every fork and sorting them (or, as SQLite chose, walking
every paste by time until 21 forks had turned up). ``(parent_id, created_at)`` gives
them in order; SQLite's indexes end with the rowid (the id), PostgreSQL's need the id
at the end for ``created_at DESC, id DESC``, as in migration 0015.
"""
from peewee import PostgresqlDatabase


def up(migrator, db):
    with_id = ", id" if isinstance(db, PostgresqlDatabase) else ""
    db.execute_sql("DROP INDEX IF EXISTS paste_parent_recent")
    db.execute_sql(f"CREATE INDEX paste_parent_recent ON paste (parent_id, created_at{with_id})")


def down(migrator, db):
    db.execute_sql("DROP INDEX IF EXISTS paste_parent_recent")
