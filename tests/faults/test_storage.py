"""A database that cannot be written (read-only, disk full): an error page in the layout, never a traceback.

We run as root in CI, where ``chmod 444`` does not stop writes, and a tiny tmpfs needs privileges we do
not have: the faults are injected in SQLite itself — ``PRAGMA query_only`` (SQLITE_READONLY) and
``PRAGMA max_page_count`` at the current size (SQLITE_FULL, what a full disk gives).
"""
import pytest

from suite.extensions import db
from tests.faults.instance import Instance

BIG = "a page that needs new database pages\n" * 6000


@pytest.fixture
def sqlite_app(make_app, tmp_path):
    """An app on its own migrated SQLite file with alice signed in (also when the run uses PostgreSQL)."""
    inst = Instance(tmp_path / "sqlite")
    inst.path.mkdir()
    inst.setup()
    app = make_app(DATABASE_URL=f"sqlite:///{inst.db_path}")
    from suite.auth.accounts import create_user
    with app.app_context():
        user = create_user("alice", "correct horse battery")
    client = app.test_client()
    from tests.conftest import sign_in
    sign_in(client, user)
    app.alice = client
    app.instance = inst
    return app


def _fault(app, pragma, value):
    """From now on every connection of ``app`` has ``PRAGMA pragma = value``."""
    db.obj.close_all()
    with app.app_context():
        if value == "current":
            value = db.execute_sql("PRAGMA page_count").fetchone()[0]
        db.obj.pragma(pragma, value, permanent=True)
        db.close()


def _writes(client):
    yield "wiki save", client.post("/wiki/Full_Disk/edit", data={"content": BIG, "base_revision": 0,
                                                                 "message": "", "save": "Save"})
    yield "paste", client.post("/paste/", data={"files-0-content": BIG, "files-0-name": "big.txt",
                                                "title": "big", "visibility": "public", "expires": "never"})
    yield "bookmark", client.post("/bookmarks/add", data={"url": "https://example.org/" + "x" * 2000,
                                                          "title": "t", "notes": BIG[:9000], "tags": "a b"})


def _assert_error_pages(app):
    answered = {}
    for what, resp in _writes(app.alice):
        body = resp.get_data(as_text=True)
        answered[what] = resp.status_code
        assert 'class="topbar"' in body or resp.status_code < 500, what
        for leak in ("Traceback", "OperationalError", "sqlite3", "readonly database", "disk is full"):
            assert leak not in body, f"{what}: the error page shows {leak!r}"
    return answered


def _nothing_saved(app):
    tables = ("wiki_page", "wiki_revision", "paste", "bookmark", "search_doc")
    return {t: app.instance.query(f'SELECT COUNT(*) FROM "{t}"')[0][0] for t in tables}


@pytest.mark.parametrize(("pragma", "value"), [("query_only", 1), ("max_page_count", "current")],
                         ids=["read-only", "disk-full"])
def test_unwritable_database_gives_an_error_page_and_saves_nothing(sqlite_app, pragma, value):
    before = _nothing_saved(sqlite_app)
    _fault(sqlite_app, pragma, value)
    answered = _assert_error_pages(sqlite_app)
    assert all(status == 503 for status in answered.values()), answered
    assert sqlite_app.instance.integrity() == ("ok", [])
    assert _nothing_saved(sqlite_app) == before


def test_read_only_database_still_serves_reading(sqlite_app):
    sqlite_app.alice.post("/wiki/Readable/edit", data={"content": "still here", "base_revision": 0, "save": "Save"})
    _fault(sqlite_app, "query_only", 1)
    for path in ("/", "/wiki/Readable", "/paste/recent", "/bookmarks/", "/search?q=still"):
        assert sqlite_app.alice.get(path).status_code == 200, path


def test_unwritable_database_error_says_saving_is_impossible_right_now(sqlite_app):
    _fault(sqlite_app, "max_page_count", "current")
    resp = next(iter(_writes(sqlite_app.alice)))[1]
    assert resp.status_code == 503
    assert b"could not be saved" in resp.data
