"""Accounts, API tokens, failed sign-ins."""
import datetime

from peewee import (
    AutoField,
    BooleanField,
    CharField,
    DateTimeField,
    ForeignKeyField,
    IntegerField,
    Model,
)


def up(migrator, db):
    class User(Model):
        id = AutoField()
        username = CharField(max_length=40)
        name_key = CharField(max_length=40, unique=True)
        password_hash = CharField(max_length=255)
        is_admin = BooleanField(default=False)
        session_epoch = IntegerField(default=0)
        created_at = DateTimeField(default=datetime.datetime.utcnow)

        class Meta:
            table_name = "user"

    class ApiToken(Model):
        id = AutoField()
        user = ForeignKeyField(User, on_delete="CASCADE")
        label = CharField(max_length=80)
        token_hash = CharField(max_length=64, unique=True)
        prefix = CharField(max_length=12)
        created_at = DateTimeField(default=datetime.datetime.utcnow)
        last_used_at = DateTimeField(null=True)

        class Meta:
            table_name = "api_token"

    class LoginFailure(Model):
        id = AutoField()
        key = CharField(max_length=120, index=True)
        failed_at = DateTimeField(index=True)

        class Meta:
            table_name = "login_failure"

    db.bind([User, ApiToken, LoginFailure])
    db.create_tables([User, ApiToken, LoginFailure])


def down(migrator, db):
    db.execute_sql('DROP TABLE IF EXISTS "api_token"')
    db.execute_sql('DROP TABLE IF EXISTS "login_failure"')
    db.execute_sql('DROP TABLE IF EXISTS "user"')
