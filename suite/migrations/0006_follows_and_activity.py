"""Following between users; indexes that make recent-activity lists a range scan."""
import datetime

from peewee import CompositeKey, DateTimeField, ForeignKeyField, IntegerField, Model


def up(migrator, db):
    class User(Model):
        id = IntegerField(primary_key=True)

        class Meta:
            table_name = "user"

    class Follow(Model):
        follower = ForeignKeyField(User, on_delete="CASCADE")
        followed = ForeignKeyField(User, on_delete="CASCADE")
        created_at = DateTimeField(default=datetime.datetime.utcnow)

        class Meta:
            table_name = "follow"
            primary_key = CompositeKey("follower", "followed")
            indexes = ((("followed", "follower"), False),)

    db.bind([User, Follow])
    db.create_tables([Follow])
    db.execute_sql("CREATE INDEX search_doc_owner_recent ON search_doc (owner_id, updated_at)")
    db.execute_sql("CREATE INDEX search_doc_public_recent ON search_doc (visibility, updated_at)")


def down(migrator, db):
    db.execute_sql("DROP INDEX IF EXISTS search_doc_owner_recent")
    db.execute_sql("DROP INDEX IF EXISTS search_doc_public_recent")
    db.execute_sql('DROP TABLE IF EXISTS "follow"')
