"""SQLite search: champion lists, so a one-word search reads the best few documents, not every match.

``search_champion`` holds, per word and app (and over every app), the documents that
score best for the word alone, with the word's weighted count and the document's
length to score them again. ``search_champion_list`` keeps the avgdl each list was
built at, the best score it left out and the app's longest document holding the word;
``search_champion_word`` how many documents hold the word (bm25's idf).

Triggers keep them exact: a changed or deleted document leaves its old text in
``search_champion_gone`` (to be counted out and its rows found by their key), a new or
changed one waits in ``search_champion_pending``, until ``settle`` does both (see
``suite.search.champions``). PostgreSQL has its own (0012).
"""
from peewee import PostgresqlDatabase

TEXT_CHANGED = ("old.title IS NOT new.title OR old.body IS NOT new.body OR old.tags IS NOT new.tags "
                "OR old.url IS NOT new.url OR old.kind IS NOT new.kind")
LISTS_EXIST = "EXISTS (SELECT 1 FROM search_champion_list)"
# The text a document had, so ``settle`` can take it out of the words' document counts.
# (Not when the old text was never counted in: the document was still pending.)
GONE = ("INSERT INTO search_champion_gone (doc_id, kind, title, body, tags, url) "
        "SELECT old.id, old.kind, old.title, old.body, old.tags, old.url WHERE " + LISTS_EXIST +
        " AND NOT EXISTS (SELECT 1 FROM search_champion_pending WHERE doc_id = old.id)")

UP = [
    """CREATE TABLE search_champion (
         term TEXT NOT NULL, kind TEXT NOT NULL, impact REAL NOT NULL, doc_id INTEGER NOT NULL,
         freq REAL NOT NULL, length INTEGER NOT NULL,
         PRIMARY KEY (term, kind, impact DESC, freq, length, doc_id)) WITHOUT ROWID""",
    """CREATE TABLE search_champion_list (
         term TEXT NOT NULL, kind TEXT NOT NULL, avgdl REAL NOT NULL, floor REAL NOT NULL,
         max_length INTEGER NOT NULL, built INTEGER NOT NULL, PRIMARY KEY (term, kind)) WITHOUT ROWID""",
    "CREATE TABLE search_champion_word (term TEXT PRIMARY KEY, docs INTEGER NOT NULL) WITHOUT ROWID",
    "CREATE TABLE search_champion_pending (doc_id INTEGER PRIMARY KEY)",
    """CREATE TABLE search_champion_gone (id INTEGER PRIMARY KEY, doc_id INTEGER NOT NULL, kind TEXT,
         title TEXT, body TEXT, tags TEXT, url TEXT)""",
    f"""CREATE TRIGGER search_champion_ai AFTER INSERT ON search_doc WHEN {LISTS_EXIST} BEGIN
         INSERT OR IGNORE INTO search_champion_pending (doc_id) VALUES (new.id); END""",
    f"""CREATE TRIGGER search_champion_au AFTER UPDATE ON search_doc WHEN {TEXT_CHANGED} BEGIN
         {GONE};
         INSERT OR IGNORE INTO search_champion_pending (doc_id) SELECT new.id WHERE {LISTS_EXIST}; END""",
    f"""CREATE TRIGGER search_champion_ad AFTER DELETE ON search_doc BEGIN
         {GONE};
         DELETE FROM search_champion_pending WHERE doc_id = old.id; END""",
]
DOWN = ["DROP TRIGGER IF EXISTS search_champion_ai", "DROP TRIGGER IF EXISTS search_champion_au",
        "DROP TRIGGER IF EXISTS search_champion_ad", "DROP TABLE IF EXISTS search_champion_pending",
        "DROP TABLE IF EXISTS search_champion_gone", "DROP TABLE IF EXISTS search_champion_word",
        "DROP TABLE IF EXISTS search_champion_list", "DROP TABLE IF EXISTS search_champion"]


def up(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        for sql in UP:
            db.execute_sql(sql)


def down(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        for sql in DOWN:
            db.execute_sql(sql)
