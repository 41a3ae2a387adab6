"""SQLite search: the FTS5 index also holds each item's app (``kind``).

A search of one app (the wiki's own search, a paste or bookmark search) can then
ask FTS5 for that app's matches only (``{kind} : "wiki"``) instead of ranking every
app's matches and dropping the others: at 100,000 bookmarks and 10,000 pages a wiki
search had to rank twelve times as many matches as it could show. The column
weighs nothing in bm25. PostgreSQL is unchanged.
"""
from peewee import PostgresqlDatabase


def _index(columns):
    new = ", ".join("new." + c for c in columns)
    old = ", ".join("old." + c for c in columns)
    names = ", ".join(columns)
    return [
        "DROP TRIGGER IF EXISTS search_doc_ai",
        "DROP TRIGGER IF EXISTS search_doc_ad",
        "DROP TRIGGER IF EXISTS search_doc_au",
        "DROP TABLE IF EXISTS search_fts",
        f"""CREATE VIRTUAL TABLE search_fts USING fts5(
             {names}, content='search_doc', content_rowid='id',
             tokenize='porter unicode61 remove_diacritics 2')""",
        f"""CREATE TRIGGER search_doc_ai AFTER INSERT ON search_doc BEGIN
             INSERT INTO search_fts(rowid, {names}) VALUES (new.id, {new}); END""",
        f"""CREATE TRIGGER search_doc_ad AFTER DELETE ON search_doc BEGIN
             INSERT INTO search_fts(search_fts, rowid, {names}) VALUES ('delete', old.id, {old}); END""",
        f"""CREATE TRIGGER search_doc_au AFTER UPDATE ON search_doc BEGIN
             INSERT INTO search_fts(search_fts, rowid, {names}) VALUES ('delete', old.id, {old});
             INSERT INTO search_fts(rowid, {names}) VALUES (new.id, {new}); END""",
        "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
    ]


def up(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        for sql in _index(["title", "body", "tags", "url", "kind"]):
            db.execute_sql(sql)


def down(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        for sql in _index(["title", "body", "tags", "url"]):
            db.execute_sql(sql)
