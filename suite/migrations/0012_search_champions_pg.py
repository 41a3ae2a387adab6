"""PostgreSQL search: champion lists, so a one-word search reads the best few documents, not every match.

ts_rank_cd (normalization 32) scores a document for a query from that document alone:
no corpus statistics. So a stored score stays exact until its document changes, and a
trigger keeps the lists exact as documents change, in the writer's transaction.

``search_champion`` holds, per common word (its lexemes: 'walk' | 'walking') and app (and over
every app), the documents that score best for that word alone, with their score.
``search_champion_list`` keeps each list's floor: the first (score, id) it left out in
the search's order (best score, then oldest), or (-1, -1) when it left nothing out.
Every document before the floor is in the list. (Ending a list at a document, not at
a score, keeps it short: ts_rank_cd gives thousands of documents the same score; and
a new document that ties the floor comes after it, so it costs its write nothing.)
SQLite has its own tables of the same names (0011; bm25 needs more to score again).
"""
from peewee import PostgresqlDatabase

# A changed or deleted document leaves every list it was in; a new or changed one joins the lists of
# the words it holds (of its app and of every app) where it comes before the floor.
SYNC = """CREATE FUNCTION search_champion_sync() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'INSERT' THEN
    DELETE FROM search_champion WHERE doc_id = OLD.id;
  END IF;
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO search_champion (list_id, score, doc_id)
    SELECT l.id, s.score, NEW.id
      FROM search_champion_list l,
           LATERAL (SELECT ts_rank_cd(NEW.tsv, l.query::tsquery, 32) AS score OFFSET 0) s  -- scored once
     WHERE l.lexemes && tsvector_to_array(NEW.tsv) AND l.kind IN (NEW.kind, '*')
       AND (s.score > l.floor OR (s.score = l.floor AND NEW.id < l.floor_id))
    ON CONFLICT DO NOTHING;
  END IF;
  RETURN NULL;
END $$"""

UP = [
    """CREATE TABLE search_champion_list (
         id SERIAL PRIMARY KEY, query TEXT NOT NULL, kind TEXT NOT NULL, lexemes TEXT[] NOT NULL,
         floor REAL NOT NULL, floor_id INTEGER NOT NULL, built INTEGER NOT NULL, UNIQUE (query, kind))""",
    # Read by every write's trigger, written only when lists are built: no pending list to read through
    # (a build's 3,832 rows left pending made the trigger's lookup 5.3 ms instead of 1.2).
    "CREATE INDEX search_champion_list_lexemes ON search_champion_list USING GIN (lexemes) WITH (fastupdate = off)",
    "CREATE TABLE search_champion (list_id INTEGER NOT NULL, score REAL NOT NULL, doc_id INTEGER NOT NULL)",
    "CREATE UNIQUE INDEX search_champion_order ON search_champion (list_id, score DESC, doc_id)",
    "CREATE INDEX search_champion_doc ON search_champion (doc_id)",
    SYNC,
    """CREATE TRIGGER search_champion_sync AFTER INSERT OR DELETE
         ON search_doc FOR EACH ROW EXECUTE FUNCTION search_champion_sync()""",
    # index_item sets every column: only a change of the indexed text or the app moves a document's lists
    # (a visibility change, or saving the same text again, costs its write nothing).
    """CREATE TRIGGER search_champion_sync_update AFTER UPDATE ON search_doc FOR EACH ROW
         WHEN (OLD.tsv IS DISTINCT FROM NEW.tsv OR OLD.kind IS DISTINCT FROM NEW.kind)
         EXECUTE FUNCTION search_champion_sync()""",
]
DOWN = ["DROP TRIGGER IF EXISTS search_champion_sync ON search_doc",
        "DROP TRIGGER IF EXISTS search_champion_sync_update ON search_doc", "DROP FUNCTION IF EXISTS search_champion_sync()",
        "DROP TABLE IF EXISTS search_champion_list", "DROP TABLE IF EXISTS search_champion"]


def up(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        for sql in UP:
            db.execute_sql(sql)


def down(migrator, db):
    if isinstance(db, PostgresqlDatabase):
        for sql in DOWN:
            db.execute_sql(sql)
