"""Search: a shared bookmark's notes leave the index; a private bookmark's stay.

Notes are shown to no one but the owner, yet the search text of every bookmark held them,
so anyone found a public bookmark by a word of its notes and read them in the snippet.
The index now holds notes only while the bookmark is private (``index_bookmark``). Here
each public bookmark with notes gets the body it is indexed with now: its description and
page text (the triggers update FTS5, the tsvector and the champion lists). Pages the page
cache holds with bookmark results are dropped (the bookmark generation moves).
``down`` puts the notes back. The body is stored as ``index_item`` stores it (0022's
``indexed_text``: CJK characters apart, marker characters out).
"""
from suite.search.indextext import indexed_text

MAX_BODY = 1_000_000  # suite.search.MAX_BODY
BUMP_BOOKMARKS = ("INSERT INTO cache_generation (name, value) VALUES ('bookmark', 1) "
                  "ON CONFLICT (name) DO UPDATE SET value = cache_generation.value + 1")


def _rewrite(db, with_notes):
    """Give each public bookmark with notes its entry's body, with or without the notes."""
    rows = db.execute_sql("SELECT id, description, notes, page_text FROM bookmark "
                          "WHERE NOT is_private AND notes <> ''").fetchall()
    update = (f"UPDATE search_doc SET body = {db.param} "
              f"WHERE kind = 'bookmark' AND item_id = {db.param}")
    for bookmark_id, description, notes, page_text in rows:
        parts = (description, notes if with_notes else "", page_text)
        body = indexed_text("\n".join(part for part in parts if part)[:MAX_BODY])  # as index_item stores it (0022)
        db.execute_sql(update, (body, str(bookmark_id)))
    db.execute_sql(BUMP_BOOKMARKS)


def up(migrator, db):
    _rewrite(db, with_notes=False)


def down(migrator, db):
    _rewrite(db, with_notes=True)
