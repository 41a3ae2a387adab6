"""Someone's pastes, newest first, as an index range instead of a sort of all their pastes."""


def up(migrator, db):
    db.execute_sql("CREATE INDEX paste_user_recent ON paste (user_id, created_at)")


def down(migrator, db):
    db.execute_sql("DROP INDEX IF EXISTS paste_user_recent")
