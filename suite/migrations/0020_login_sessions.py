"""Sign-ins kept on the server: signing out ends a session cookie wherever it was copied.

Flask keeps the session in a signed cookie, so a copy taken before signing out (a shared
computer, a stolen cookie) went on working for up to 31 days, and a keep-me-signed-in cookie
for a year. Each sign-in is now a ``login_session`` row named in its cookies; signing out
deletes it, changing the password deletes them all. Sessions from before this migration name
no row: everyone signs in once after upgrading.
"""
import datetime

from peewee import CharField, DateTimeField, ForeignKeyField, IntegerField, Model


def up(migrator, db):
    class User(Model):
        id = IntegerField(primary_key=True)

        class Meta:
            table_name = "user"

    class LoginSession(Model):
        key = CharField(max_length=64, primary_key=True)
        user = ForeignKeyField(User, on_delete="CASCADE", index=True)
        created_at = DateTimeField(default=datetime.datetime.utcnow)

        class Meta:
            table_name = "login_session"

    db.bind([User, LoginSession])
    db.create_tables([LoginSession])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "login_session"')
