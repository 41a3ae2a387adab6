"""Search: words inside Chinese/Japanese/Korean text are found; PostgreSQL matches as FTS5 does.

- Every entry's title, body and tags get the text ``index_item`` gives now
  (``suite.search.indextext``): CJK characters set apart, so "東京" is found inside
  "明日は東京タワーに行きます", and the snippet markers \\x02/\\x03 (IRC formatting) made spaces,
  so they no longer turn into <mark> in snippets. Text without either is unchanged.
- PostgreSQL: ``search_fold(text)`` folds accented Latin letters one for one (``translate``:
  no unaccent extension, which managed databases may refuse), and the ``search_english``
  configuration is english's stemmer without its stop words. The tsvector is built again
  from folded text with it ("cafe" finds "café", "to be or not to be" finds Hamlet, as on
  SQLite). Ranking is unchanged for searches without stop words: stop words always took a
  position, and ts_rank_cd (normalization 32) does not weigh a document's length. PostgreSQL
  15 cannot change a generation expression, so the column is dropped and added again (a
  rewrite of the table), kept in its row (0014), with its GIN index (0013).
- Champion lists are dropped (``manage.py migrate`` builds them again afterwards) and every
  app's cached pages with them.
"""
import unicodedata

from peewee import PostgresqlDatabase

from suite.search.indextext import indexed_text, shown_text

LATIN = [*range(0xC0, 0x250), *range(0x1E00, 0x1F00)]


def _folds():
    """(accented Latin letters, their base letters): one for one, as FTS5's remove_diacritics."""
    pairs = []
    for code in LATIN:
        decomposed = unicodedata.normalize("NFD", chr(code))
        base, marks = decomposed[0], decomposed[1:]
        if base.isascii() and base.isalpha() and marks and all(unicodedata.combining(m) for m in marks):
            pairs.append((chr(code), base))
    return "".join(a for a, _ in pairs), "".join(b for _, b in pairs)


def _fold_function():
    accented, plain = _folds()
    return (f"CREATE FUNCTION search_fold(text) RETURNS text LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE "
            f"AS $$ SELECT translate($1, '{accented}', '{plain}') $$")


def _tsv(stemmed, fold):
    def text(column):
        return f"search_fold({column})" if fold else column
    return f"""ALTER TABLE search_doc ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
         setweight(to_tsvector('{stemmed}', {text("coalesce(title, '')")}), 'A') ||
         setweight(to_tsvector('simple', {text("coalesce(tags, '')")}), 'B') ||
         setweight(to_tsvector('simple', {text("coalesce(url, '')")}), 'C') ||
         setweight(to_tsvector('{stemmed}', {text("left(coalesce(body, ''), 500000)")}), 'D')) STORED,
         ALTER COLUMN tsv SET STORAGE MAIN"""


SYNC_ON_UPDATE = """CREATE TRIGGER search_champion_sync_update AFTER UPDATE ON search_doc FOR EACH ROW
         WHEN (OLD.tsv IS DISTINCT FROM NEW.tsv OR OLD.kind IS DISTINCT FROM NEW.kind)
         EXECUTE FUNCTION search_champion_sync()"""
DROP_TSV = ["DROP TRIGGER IF EXISTS search_champion_sync_update ON search_doc",
            "ALTER TABLE search_doc DROP COLUMN tsv"]
ADD_TSV_INDEX = ["CREATE INDEX search_doc_tsv ON search_doc USING GIN (tsv) WITH (gin_pending_list_limit = 256)",
                 SYNC_ON_UPDATE]
SEARCH_ENGLISH = [
    "CREATE TEXT SEARCH DICTIONARY search_english_stem (TEMPLATE = snowball, Language = english)",
    "CREATE TEXT SEARCH CONFIGURATION search_english (COPY = english)",
    "ALTER TEXT SEARCH CONFIGURATION search_english ALTER MAPPING REPLACE english_stem WITH search_english_stem",
]
DROP_SEARCH_ENGLISH = ["DROP TEXT SEARCH CONFIGURATION IF EXISTS search_english",
                       "DROP TEXT SEARCH DICTIONARY IF EXISTS search_english_stem",
                       "DROP FUNCTION IF EXISTS search_fold(text)"]
CLEAR_LISTS = {"postgres": ["DELETE FROM search_champion", "DELETE FROM search_champion_list"],
               "sqlite": ["DELETE FROM search_champion", "DELETE FROM search_champion_list",
                          "DELETE FROM search_champion_word", "DELETE FROM search_champion_pending",
                          "DELETE FROM search_champion_gone"]}
BUMP = ("INSERT INTO cache_generation (name, value) VALUES ({p}, 1) "
        "ON CONFLICT (name) DO UPDATE SET value = cache_generation.value + 1")


def _rewrite(db, new_text):
    """Give each entry ``new_text`` of its title, body and tags, where that differs."""
    rows = db.execute_sql("SELECT id, title, body, tags FROM search_doc").fetchall()
    update = f"UPDATE search_doc SET title = {db.param}, body = {db.param}, tags = {db.param} WHERE id = {db.param}"
    for doc_id, *texts in rows:
        new = [new_text(text or "") for text in texts]
        if new != [text or "" for text in texts]:
            db.execute_sql(update, (*new, doc_id))
    for kind in ("bookmark", "paste", "wiki"):
        db.execute_sql(BUMP.format(p=db.param), (kind,))


def up(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    for sql in CLEAR_LISTS["postgres" if postgres else "sqlite"]:
        db.execute_sql(sql)
    if not postgres:
        _rewrite(db, indexed_text)
        return
    for sql in [*DROP_TSV, _fold_function(), *SEARCH_ENGLISH]:
        db.execute_sql(sql)
    _rewrite(db, indexed_text)  # no tsvector meanwhile: computed once, below
    for sql in [_tsv("search_english", fold=True), *ADD_TSV_INDEX]:
        db.execute_sql(sql)


def down(migrator, db):
    postgres = isinstance(db, PostgresqlDatabase)
    for sql in CLEAR_LISTS["postgres" if postgres else "sqlite"]:
        db.execute_sql(sql)
    if postgres:
        for sql in DROP_TSV:
            db.execute_sql(sql)
    _rewrite(db, shown_text)
    if postgres:
        for sql in [_tsv("english", fold=False), *ADD_TSV_INDEX, *DROP_SEARCH_ENGLISH]:
            db.execute_sql(sql)
