"""Pastebin fixtures: create pastes through the real curl interface and find them in the database."""
import time

import pytest

from suite import pagecache
from suite.pastebin.models import Paste

PY = "def greet(name):\n    return f'hello {name}'\n\nprint(greet('world'))\n"


def slug_of(resp):
    """The slug from a 201 curl answer or a redirect to the paste."""
    url = resp.headers.get("Location") or resp.get_data(as_text=True).strip()
    return url.rstrip("/").rsplit("/", 1)[-1]


@pytest.fixture
def paste_as(app):
    """paste_as(client, content=..., **fields) → slug, posted the way curl does."""
    def make(client, content=PY, **fields):
        data = {"content": content, **fields}
        resp = client.post("/paste/", data=data, csrf=False)
        assert resp.status_code == 201, resp.get_data(as_text=True)
        return slug_of(resp)
    return make


@pytest.fixture
def get_paste(app):
    """The Paste row for a slug (None when gone)."""
    def get(slug):
        with app.app_context():
            return Paste.get_or_none(Paste.slug == slug)
    return get


class PageCacheClock:
    """The page cache's clock, which a test moves on by setting ``offset`` (seconds)."""

    def __init__(self):
        self.offset = 0

    def monotonic(self):
        return time.monotonic() + self.offset


def page_cache_clock(monkeypatch):
    """Give the page cache a clock the test can move on; returns it."""
    clock = PageCacheClock()
    monkeypatch.setattr(pagecache, "time", clock)
    return clock


@pytest.fixture
def parent_deleted_after_lookup(monkeypatch):
    """The race of a parent deleted by its owner after a new version's request looked it up, before its insert.

    Only the timing is arranged: the real lookup runs, then the real delete_paste
    commits, as the owner's request would between the two.
    """
    from suite.pastebin import pastes
    looked_up = pastes.readable_without_burning

    def then_deleted(slug, user):
        parent = looked_up(slug, user)
        pastes.delete_paste(Paste.get_by_id(parent.id))
        return parent
    monkeypatch.setattr(pastes, "readable_without_burning", then_deleted)
