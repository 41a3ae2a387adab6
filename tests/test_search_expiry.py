"""An expired paste leaves the search and the dashboards at once, cached pages included."""
import datetime
import importlib

import pytest

from suite import search
from suite.auth.models import utcnow
from suite.extensions import db
from suite.pastebin.models import Paste
from suite.search.models import SearchDoc
from tests.pastebin.conftest import page_cache_clock, slug_of

LISTINGS = ["/search?q=narwhal", "/api/v1/search?q=narwhal", "/"]


@pytest.fixture
def door_code(client):
    """An anonymous public paste that expires in ten minutes; its slug."""
    resp = client.post("/paste/", data={"title": "Door code", "content": "front door code is narwhal 5521\n",
                                        "expires": "10m"}, csrf=False)
    assert resp.status_code == 201
    return slug_of(resp)


@pytest.fixture
def later(monkeypatch):
    """later(seconds): the search's and the page cache's clocks move ``seconds`` on."""
    clock = page_cache_clock(monkeypatch)

    def move(seconds):
        moved = utcnow() + datetime.timedelta(seconds=seconds)
        monkeypatch.setattr(search, "utcnow", lambda: moved)
        clock.offset = seconds
    return move


@pytest.mark.parametrize("url", LISTINGS)
def test_an_expired_paste_is_no_longer_listed_even_before_the_purge(app, door_code, later, url):
    reader = app.test_client()
    assert b"Door code" in reader.get(url, headers={"Cache-Control": "no-cache"}).data
    later(601)
    resp = reader.get(url, headers={"Cache-Control": "no-cache"})
    assert resp.status_code == 200 and b"Door code" not in resp.data and b"5521" not in resp.data


@pytest.mark.parametrize("url", ["/search?q=narwhal", "/"])
def test_a_kept_page_listing_an_expiring_paste_is_kept_no_longer_than_the_paste_lives(make_app, later, url):
    app = make_app(PAGE_CACHE_SECONDS=3600)
    creator = app.test_client()
    creator.post("/paste/", data={"title": "Door code", "content": "narwhal 5521\n", "expires": "10m"}, csrf=False)
    reader = app.test_client()
    assert b"Door code" in reader.get(url).data
    assert reader.get(url).headers.get("X-Cache") == "hit"  # kept while the paste lives
    later(601)
    resp = reader.get(url)
    assert resp.headers.get("X-Cache") != "hit" and b"Door code" not in resp.data


def test_an_expired_private_paste_leaves_its_owner_s_search_and_dashboard(alice_client, later):
    resp = alice_client.post("/paste/", data={"title": "Walrus plans", "content": "narwhal\n", "expires": "1h",
                                              "visibility": "private"})
    assert resp.status_code == 201
    assert b"Walrus plans" in alice_client.get("/search?q=narwhal").data
    assert b"Walrus plans" in alice_client.get("/").data
    later(3601)
    assert b"Walrus plans" not in alice_client.get("/search?q=narwhal").data
    assert b"Walrus plans" not in alice_client.get("/").data


def test_the_migration_gives_existing_paste_entries_their_paste_s_expiry(app, door_code):
    migration = importlib.import_module("suite.migrations.0017_search_expiry")
    with app.app_context():
        paste = Paste.get(Paste.slug == door_code)
        SearchDoc.update(expires_at=None).execute()  # as entries made before the column were
        db.execute_sql(migration.BACKFILL)
        (entry,) = SearchDoc.select().where(SearchDoc.kind == "paste")
        assert entry.expires_at == paste.expires_at
