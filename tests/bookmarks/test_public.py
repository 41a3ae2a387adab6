"""Public bookmark pages and Atom feeds: only public bookmarks, for anyone."""
from xml.etree import ElementTree

from tests.bookmarks.conftest import add

ATOM = "{http://www.w3.org/2005/Atom}"


def _seed(client):
    add(client, "https://example.com/open", title="Open <one>", tags="news", is_private="")
    add(client, "https://example.com/secret", title="Secret one", tags="news")
    add(client, "https://example.com/other", title="Other public", tags="misc", is_private="")


def test_public_page_lists_only_public_bookmarks(alice_client, client):
    _seed(alice_client)
    html = client.get("/u/alice/bookmarks").data
    assert b"Open &lt;one&gt;" in html and b"Other public" in html and b"Secret one" not in html


def test_public_page_filters_by_tag(alice_client, client):
    _seed(alice_client)
    html = client.get("/u/alice/bookmarks?tag=misc").data
    assert b"Other public" in html and b"Open &lt;one&gt;" not in html


def test_unknown_user_is_404(client):
    assert client.get("/u/nobody/bookmarks").status_code == 404


def test_user_feed_is_atom_with_public_entries(alice_client, client):
    _seed(alice_client)
    resp = client.get("/u/alice/bookmarks.atom")
    assert resp.mimetype == "application/atom+xml"
    feed = ElementTree.fromstring(resp.data)
    titles = [e.find(ATOM + "title").text for e in feed.findall(ATOM + "entry")]
    assert sorted(titles) == ["Open <one>", "Other public"]


def test_tag_feed(alice_client, client):
    _seed(alice_client)
    feed = ElementTree.fromstring(client.get("/u/alice/bookmarks/tag/news.atom").data)
    assert [e.find(ATOM + "title").text for e in feed.findall(ATOM + "entry")] == ["Open <one>"]


def test_private_bookmarks_stay_out_of_others_search(alice_client, bob_client):
    _seed(alice_client)
    assert b"Secret one" not in bob_client.get("/bookmarks/?q=secret").data
    assert b"Secret one" in alice_client.get("/bookmarks/?q=secret").data


def test_bookmark_embed_shows_public_or_own_bookmarks_only(alice_client, app, users):
    from suite.bookmarks.models import Bookmark
    from suite.embeds import render_embed
    _seed(alice_client)
    with app.app_context():
        public = Bookmark.get(Bookmark.title == "Open <one>").id
        secret = Bookmark.get(Bookmark.title == "Secret one").id
    with app.test_request_context():
        assert "Open &lt;one&gt;" in render_embed("bookmark", str(public), users["bob"])
        assert "not available" in render_embed("bookmark", str(secret), users["bob"])
        assert "Secret one" in render_embed("bookmark", str(secret), users["alice"])
        assert "not available" in render_embed("bookmark", "nope", users["alice"])
