"""Code newer than its database (upgraded without `manage.py migrate`): one clear 503, never 500s."""
from suite.database import migrate, migration_runner, pending_migrations


def test_a_database_behind_the_code_answers_503_saying_to_migrate_until_it_is(app):
    with app.app_context():
        assert pending_migrations() == []
        newest = migration_runner().down()  # as if the code had just gained its newest migration
        assert pending_migrations() == newest
    client = app.test_client()
    page = client.get("/")
    assert page.status_code == 503 and "python manage.py migrate" in page.get_data(as_text=True)
    api = client.get("/api/v1/search?q=x")
    assert api.status_code == 503 and api.json["error"]["code"] == "migrations_pending"
    with app.app_context():
        assert migrate() == newest
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/search?q=x").status_code == 200


def test_a_database_never_migrated_has_every_migration_pending(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path}/empty.db")
    with app.app_context():
        pending = pending_migrations()
    assert pending[0] == "0001_accounts" and len(pending) >= 18
    assert app.test_client().get("/wiki/").status_code == 503
