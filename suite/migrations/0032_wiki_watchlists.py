"""Wiki: watchlists (``wiki_watch``): the pages each user follows, as in MediaWiki.

Pages a user created or edited before this migration are not added: a watchlist starts with
the pages saved or watched from now on.
"""
import datetime

from peewee import AutoField, DateTimeField, ForeignKeyField, Model


def up(migrator, db):
    class User(Model):
        id = AutoField()

        class Meta:
            table_name = "user"

    class Page(Model):
        id = AutoField()

        class Meta:
            table_name = "wiki_page"

    class Watch(Model):
        id = AutoField()
        user = ForeignKeyField(User, on_delete="CASCADE")
        page = ForeignKeyField(Page, on_delete="CASCADE")
        created_at = DateTimeField(default=datetime.datetime.utcnow)

        class Meta:
            table_name = "wiki_watch"
            indexes = ((("user", "page"), True),)

    db.bind([User, Page, Watch])
    db.create_tables([Watch])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "wiki_watch"')
