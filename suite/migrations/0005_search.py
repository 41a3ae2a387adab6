"""The unified search index: search_doc plus FTS5 (SQLite) or a tsvector with GIN (PostgreSQL)."""
import datetime

from peewee import (
    AutoField,
    CharField,
    DateTimeField,
    IntegerField,
    Model,
    PostgresqlDatabase,
    TextField,
)

SQLITE_FTS = [
    """CREATE VIRTUAL TABLE search_fts USING fts5(
         title, body, tags, url, content='search_doc', content_rowid='id',
         tokenize='porter unicode61 remove_diacritics 2')""",
    """CREATE TRIGGER search_doc_ai AFTER INSERT ON search_doc BEGIN
         INSERT INTO search_fts(rowid, title, body, tags, url)
         VALUES (new.id, new.title, new.body, new.tags, new.url); END""",
    """CREATE TRIGGER search_doc_ad AFTER DELETE ON search_doc BEGIN
         INSERT INTO search_fts(search_fts, rowid, title, body, tags, url)
         VALUES ('delete', old.id, old.title, old.body, old.tags, old.url); END""",
    """CREATE TRIGGER search_doc_au AFTER UPDATE ON search_doc BEGIN
         INSERT INTO search_fts(search_fts, rowid, title, body, tags, url)
         VALUES ('delete', old.id, old.title, old.body, old.tags, old.url);
         INSERT INTO search_fts(rowid, title, body, tags, url)
         VALUES (new.id, new.title, new.body, new.tags, new.url); END""",
]

POSTGRES_TSV = [
    """ALTER TABLE search_doc ADD COLUMN tsv tsvector GENERATED ALWAYS AS (
         setweight(to_tsvector('english', coalesce(title, '')), 'A') ||
         setweight(to_tsvector('simple', coalesce(tags, '')), 'B') ||
         setweight(to_tsvector('simple', coalesce(url, '')), 'C') ||
         setweight(to_tsvector('english', left(coalesce(body, ''), 500000)), 'D')) STORED""",
    "CREATE INDEX search_doc_tsv ON search_doc USING GIN (tsv)",
]


def up(migrator, db):
    class SearchDoc(Model):
        id = AutoField()
        kind = CharField(max_length=16)
        item_id = CharField(max_length=64)
        owner_id = IntegerField(null=True, index=True)
        visibility = CharField(max_length=10)
        title = TextField(default="")
        body = TextField(default="")
        url = TextField(default="")
        tags = TextField(default="")
        lang = CharField(max_length=64, default="")
        updated_at = DateTimeField(default=datetime.datetime.utcnow)

        class Meta:
            table_name = "search_doc"
            indexes = ((("kind", "item_id"), True),)

    db.bind([SearchDoc])
    db.create_tables([SearchDoc])
    for sql in POSTGRES_TSV if isinstance(db, PostgresqlDatabase) else SQLITE_FTS:
        db.execute_sql(sql)


def down(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        db.execute_sql("DROP TABLE IF EXISTS search_fts")
    db.execute_sql("DROP TABLE IF EXISTS search_doc")
