"""SQLite: an account's id is never given to another account.

The user table's id was a plain INTEGER PRIMARY KEY, and SQLite gives a new row the largest
id plus one: delete the newest account and the next one registered gets its id. The session
id is "<user id>:<epoch>", so a cookie of the deleted account (another device, a stolen
cookie) signed in as the newcomer. AUTOINCREMENT never hands out an id again; SQLite can only
add it by rebuilding the table (its documented twelve-step procedure: foreign keys off
outside a transaction, copy, drop, rename, check). PostgreSQL's sequences never reuse ids.
"""
from peewee import PostgresqlDatabase

atomic = False
PLAIN_KEY = '"id" INTEGER NOT NULL PRIMARY KEY'


def _rebuild(db, autoincrement):
    (create,) = db.execute_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'user'").fetchone()
    indexes = [sql for (sql,) in db.execute_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'user' AND sql IS NOT NULL")]
    key = PLAIN_KEY + " AUTOINCREMENT"
    old, new = (PLAIN_KEY, key) if autoincrement else (key, PLAIN_KEY)
    if old not in create:
        raise RuntimeError(f"unexpected user table: {create}")
    db.execute_sql("PRAGMA foreign_keys = OFF")
    try:
        with db.atomic():
            db.execute_sql(create.replace(old, new).replace('"user"', '"user_rebuilt"', 1))
            db.execute_sql('INSERT INTO "user_rebuilt" SELECT * FROM "user"')
            db.execute_sql('DROP TABLE "user"')
            db.execute_sql('ALTER TABLE "user_rebuilt" RENAME TO "user"')
            for sql in indexes:
                db.execute_sql(sql)
            broken = db.execute_sql("PRAGMA foreign_key_check").fetchall()
            if broken:
                raise RuntimeError(f"foreign keys broken by the rebuild: {broken[:5]}")
    finally:
        db.execute_sql("PRAGMA foreign_keys = ON")


def up(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        _rebuild(db, autoincrement=True)


def down(migrator, db):
    if not isinstance(db, PostgresqlDatabase):
        _rebuild(db, autoincrement=False)
