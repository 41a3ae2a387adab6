"""Bookmarks: "title A–Z" files accented titles under their letter.

The list was ordered by ``lower(title)``, so Ärger, Éclair and Öl came after Zebra.
``bookmark.title_sort`` is the title with case and accents aside (``suite.text.sort_key``),
filled here for existing bookmarks; the owner's title index moves from ``lower(title)`` to it.
"""
from peewee import PostgresqlDatabase

BATCH = 1000


def sort_key(text):  # suite.text.sort_key as of this migration
    import unicodedata
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def up(migrator, db):
    # in place: the migrator adds a NOT NULL column on SQLite by copying the table, which breaks its triggers
    db.execute_sql("ALTER TABLE bookmark ADD COLUMN title_sort VARCHAR(500) NOT NULL DEFAULT ''")
    last = 0
    while True:
        rows = db.execute_sql(f"SELECT id, title FROM bookmark WHERE id > {db.param} AND title <> '' "
                              f"ORDER BY id LIMIT {BATCH}", (last,)).fetchall()
        if not rows:
            break
        for bookmark_id, title in rows:
            db.execute_sql(f"UPDATE bookmark SET title_sort = {db.param} WHERE id = {db.param}",
                           (sort_key(title)[:500], bookmark_id))
        last = rows[-1][0]
    _index(db, "title_sort")


def down(migrator, db):
    _index(db, "lower(title)")
    db.execute_sql("ALTER TABLE bookmark DROP COLUMN title_sort")


def _index(db, column):
    """The owner's title index (with the id on PostgreSQL, as migration 0015 made it)."""
    db.execute_sql("DROP INDEX IF EXISTS bookmark_owner_title")
    with_id = ", id" if isinstance(db, PostgresqlDatabase) else ""
    db.execute_sql(f"CREATE INDEX bookmark_owner_title ON bookmark (owner_id, {column}{with_id})")
