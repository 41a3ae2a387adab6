"""Generations for the page cache; an index that makes "recent wiki changes" a range scan."""
from peewee import BigIntegerField, CharField, Model


def up(migrator, db):
    class CacheGeneration(Model):
        name = CharField(max_length=32, primary_key=True)
        value = BigIntegerField(default=0)

        class Meta:
            table_name = "cache_generation"

    db.bind([CacheGeneration])
    db.create_tables([CacheGeneration])
    db.execute_sql("CREATE INDEX search_doc_kind_recent ON search_doc (kind, updated_at)")


def down(migrator, db):
    db.execute_sql("DROP INDEX IF EXISTS search_doc_kind_recent")
    db.execute_sql("DROP TABLE IF EXISTS cache_generation")
