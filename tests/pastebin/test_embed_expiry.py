"""A paste embedded in another page is shown no longer than it lives, cached copies included."""
import datetime

import pytest

from suite.auth.models import utcnow
from suite.pastebin.models import Paste
from tests.pastebin.conftest import page_cache_clock
from tests.wiki.conftest import WikiActions


@pytest.fixture
def clock(monkeypatch):
    return page_cache_clock(monkeypatch)


def set_expiry(app, slug, expires_at):
    """Move a paste's expiry in the database, as the clock would (no write anyone notes)."""
    with app.app_context():
        Paste.update(expires_at=expires_at).where(Paste.slug == slug).execute()


def test_a_wiki_page_embedding_an_expiring_paste_is_not_kept_past_the_paste_s_expiry(
        app, alice_client, paste_as, clock):
    slug = paste_as(alice_client, "temporary wifi password: okapi-7781\n", expires="1h")
    WikiActions(alice_client).save("Office", f"Guest info:\n\n[[paste:{slug}]]\n")
    set_expiry(app, slug, utcnow() + datetime.timedelta(seconds=60))  # a minute left of its life
    reader = app.test_client()
    assert b"okapi-7781" in reader.get("/wiki/Office").data

    clock.offset = 61  # the minute passes: the paste expires, and nothing is written
    set_expiry(app, slug, utcnow() - datetime.timedelta(seconds=1))
    resp = reader.get("/wiki/Office")
    assert resp.status_code == 200 and b"okapi-7781" not in resp.data
    assert b"not available" in resp.data
