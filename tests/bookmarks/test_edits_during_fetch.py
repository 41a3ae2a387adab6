"""The background fetch takes seconds; what the owner does to the bookmark meanwhile wins.

A real page server on 127.0.0.1 holds its answer until the test has made its change, so the
change lands exactly while the fetch waits for the page.
"""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from suite.bookmarks.models import Bookmark

PAGE = (b"<html><head><title>Zebracorn page</title><meta name='description' content='Fetched words.'>"
        b"</head><body><p>Fetched body text</p></body></html>")


class HeldPage(BaseHTTPRequestHandler):
    """Answers once the test releases it (``server.arrived`` tells a request is waiting)."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.arrived.set()
        self.server.release.wait(15)
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(PAGE)))
        self.end_headers()
        self.wfile.write(PAGE)


@pytest.fixture
def held():
    """The held page's server on 127.0.0.1."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), HeldPage)
    server.daemon_threads = True
    server.arrived, server.release = threading.Event(), threading.Event()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.url = f"http://127.0.0.1:{server.server_port}/page"
    yield server
    server.release.set()
    server.shutdown()


@pytest.fixture
def app(make_app):
    """Fetching may reach 127.0.0.1; tasks are queued, not run inline (the test runs the fetch)."""
    return make_app(FETCH_ALLOW_HOSTS="127.0.0.1", FETCH_TIMEOUT=20.0, TASKS_IMMEDIATE=False)


@pytest.fixture
def api(app, token):
    """A JSON client for alice's bookmarks."""
    client = app.test_client()
    headers = {"Authorization": "Bearer " + token}

    def call(method, path, **kwargs):
        return client.open("/api/v1/bookmarks" + path, method=method, headers=headers, **kwargs)
    return call


def while_fetching(app, held, bookmark_id, change):
    """Run the bookmark's background work; ``change()`` runs while the page is being fetched."""
    from suite.bookmarks import crawl

    def work():
        with app.app_context():
            crawl.process(bookmark_id)
    worker = threading.Thread(target=work)
    worker.start()
    assert held.arrived.wait(10), "the fetch never reached the page"
    change()
    held.release.set()
    worker.join(30)
    assert not worker.is_alive()


def stored(app, bookmark_id):
    with app.app_context():
        return Bookmark.get_or_none(Bookmark.id == bookmark_id)


def test_an_edit_made_during_the_fetch_is_kept(app, api, held, client):
    bid = api("POST", "", json={"url": held.url, "private": False, "tags": ["a"]}).get_json()["id"]

    def edit():
        assert api("PATCH", f"/{bid}", json={"private": True, "notes": "my secret notes",
                                             "title": "My title"}).status_code == 200
    while_fetching(app, held, bid, edit)

    b = stored(app, bid)
    assert (b.is_private, b.notes, b.title) == (True, "my secret notes", "My title")
    assert b.fetch_status == "done" and "Fetched body text" in b.page_text  # the fetch was stored too
    assert b.thumb_status == "done"
    assert held.url not in client.get("/u/alice/bookmarks").get_data(as_text=True)
    assert client.get("/api/v1/search?q=zebracorn").get_json()["items"] == []


def test_the_fetched_title_fills_only_a_title_still_empty(app, api, held):
    bid = api("POST", "", json={"url": held.url}).get_json()["id"]

    def edit():
        api("PATCH", f"/{bid}", json={"description": "Mine, typed while it fetched"})
    while_fetching(app, held, bid, edit)

    b = stored(app, bid)
    assert (b.title, b.description) == ("Zebracorn page", "Mine, typed while it fetched")


def test_a_url_changed_during_the_fetch_gets_nothing_from_the_old_page(app, api, held):
    bid = api("POST", "", json={"url": held.url}).get_json()["id"]
    new_url = held.url + "?v=2"

    def move():
        assert api("PATCH", f"/{bid}", json={"url": new_url}).status_code == 200
    while_fetching(app, held, bid, move)

    b = stored(app, bid)
    assert (b.url, b.title, b.page_text) == (new_url, "", "")
    assert (b.fetch_status, b.thumb_status) == ("pending", "pending")  # its own fetch is queued


def test_a_bookmark_deleted_during_the_fetch_stays_gone(app, api, held, client):
    bid = api("POST", "", json={"url": held.url, "private": False, "title": "embarrassing link"}).get_json()["id"]

    def delete():
        assert api("DELETE", f"/{bid}").status_code == 204
    while_fetching(app, held, bid, delete)

    assert stored(app, bid) is None
    assert client.get("/api/v1/search?q=embarrassing").get_json()["items"] == []
    assert "embarrassing link" not in client.get("/u/alice").get_data(as_text=True)
    assert "embarrassing link" not in client.get("/").get_data(as_text=True)


def test_an_edit_from_a_copy_read_before_the_picture_keeps_the_picture(app, users):
    from suite.bookmarks import crawl
    from suite.bookmarks.bookmarks import add_bookmark, get_bookmark, update_bookmark
    with app.app_context():
        bid = add_bookmark(users["alice"], "https://example.com/a", title="A", enqueue=False)[0].id
        copy = get_bookmark(users["alice"], bid)  # the edit request reads the bookmark...
        crawl.make_picture(Bookmark.get_by_id(bid))  # ...the task finishes its picture...
        update_bookmark(copy, notes="edited")  # ...then the edit is saved
        b = Bookmark.get_by_id(bid)
    assert (b.notes, b.thumb_status, b.thumb_source) == ("edited", "done", "card")
    assert b.thumb_small
