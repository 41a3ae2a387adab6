"""Public bookmark pages and Atom feeds: only public bookmarks, for anyone."""
import re
from xml.etree import ElementTree

from suite.bookmarks.models import Bookmark
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


def test_the_public_pages_together_show_every_public_bookmark_once(alice_client, client):
    for n in range(65):  # 30 a page: three pages, two boundaries
        add(alice_client, f"https://example.com/p{n:02d}", title=f"Shared {n:02d}", is_private="")
    shown = []
    for number in (1, 2, 3):
        html = client.get(f"/u/alice/bookmarks?page={number}").get_data(as_text=True)
        shown += re.findall(r"Shared (\d\d)", html)
    assert sorted(shown) == [f"{n:02d}" for n in range(65)]


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


def _notes_search(client, token=None):
    """What a search for a word of the notes shows: the site search's page and the API's hit titles."""
    page = client.get("/search?q=marmalade").get_data(as_text=True)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return page, [hit["title"] for hit in client.get("/api/v1/search?q=marmalade", headers=headers).json["items"]]


def test_a_shared_bookmarks_notes_are_searched_by_no_one(alice_client, bob_client, client, token):
    add(alice_client, "https://example.com/bank", title="My bank", notes="security answer marmalade",
        is_private="")
    for reader, reader_token in ((client, None), (bob_client, None), (alice_client, token)):
        page, titles = _notes_search(reader, reader_token)
        assert "My bank" not in page and "answer" not in page and titles == []
    assert "My bank" not in alice_client.get("/bookmarks/?q=marmalade").get_data(as_text=True)


def test_a_private_bookmarks_notes_are_searched_by_its_owner_until_it_is_shared(alice_client, app, client, token):
    from suite.bookmarks.bookmarks import update_bookmark
    add(alice_client, "https://example.com/bank", title="My bank", notes="security answer marmalade")
    assert "<mark>marmalade</mark>" in alice_client.get("/bookmarks/?q=marmalade").get_data(as_text=True)
    assert _notes_search(alice_client, token)[1] == ["My bank"] and _notes_search(client)[1] == []
    with app.app_context():
        update_bookmark(Bookmark.get(), is_private=False)
    assert _notes_search(alice_client, token)[1] == [] and _notes_search(client)[1] == []


def test_upgrading_takes_shared_bookmarks_notes_out_of_the_index(alice_client, app, client, token):
    import importlib

    from suite.extensions import db
    from suite.search.models import SearchDoc
    add(alice_client, "https://example.com/bank", title="My bank", description="東京 Savings",
        notes="security answer marmalade", is_private="")
    add(alice_client, "https://example.com/jam", title="Jam", notes="marmalade recipe")
    with app.app_context():
        shared = str(Bookmark.get(Bookmark.title == "My bank").id)
        SearchDoc.update(body="東\x01京 Savings\nsecurity answer marmalade").where(  # what the index held before
            SearchDoc.item_id == shared).execute()
        assert _notes_search(client)[1] == ["My bank"]
        importlib.import_module("suite.migrations.0023_bookmark_notes_owner_only").up(None, db.obj)
        assert SearchDoc.get(SearchDoc.item_id == shared).body == "東\x01京 Savings"  # CJK apart, as index_item
    assert _notes_search(client)[1] == [] and _notes_search(alice_client, token)[1] == ["Jam"]


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


def _feed_titles(client):
    feed = ElementTree.fromstring(client.get("/u/alice/bookmarks.atom").data)  # raises when not well-formed
    return [e.find(ATOM + "title").text for e in feed.findall(ATOM + "entry")]


def test_control_characters_are_left_out_of_saved_text(alice_client, app, client):
    add(alice_client, "https://example.com/a", title="Tab\tvertical\x0bescape\x1bnul\x00",
        description="line\r\nnext\x07", notes="keep\nthis\x0c", is_private="")
    with app.app_context():
        b = Bookmark.get()
        # line ends stay (a browser's CRLF stored as LF, like the API's)
        assert (b.title, b.description, b.notes) == ("Tab\tverticalescapenul", "line\nnext", "keep\nthis")
    assert _feed_titles(client) == ["Tab\tverticalescapenul"]


def test_the_feed_stays_well_formed_with_control_characters_saved_earlier(alice_client, app, client):
    add(alice_client, "https://example.com/a", title="Old", description="desc", is_private="", tags="news")
    with app.app_context():
        Bookmark.update(title="Old\x0btitle\x1b", description="bad\x01summary").execute()
    assert _feed_titles(client) == ["Oldtitle"]
    feed = client.get("/u/alice/bookmarks/tag/news.atom").data
    assert ElementTree.fromstring(feed).find(f"{ATOM}entry/{ATOM}summary").text == "badsummary"


def test_imported_titles_lose_their_control_characters(alice_client, app):
    import io
    data = ('<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<DL><p>\n<DT><A HREF="https://example.com/" ADD_DATE="1">'
            'Bell\x07title</A>\n<DD>Form\x0cfeed\n</DL><p>\n').encode()
    alice_client.post("/bookmarks/import", data={"file": (io.BytesIO(data), "b.html")},
                      content_type="multipart/form-data")
    with app.app_context():
        b = Bookmark.get()
        assert (b.title, b.description) == ("Belltitle", "Formfeed")


def test_the_feed_is_as_new_as_its_newest_change(alice_client, app, client):
    """An older bookmark edited later made the feed's own <updated> older than one of its entries."""
    import datetime
    add(alice_client, "https://example.com/older", title="Older", is_private="")
    add(alice_client, "https://example.com/newer", title="Newer", is_private="")
    with app.app_context():
        older = Bookmark.get(Bookmark.url == "https://example.com/older")
        Bookmark.update(updated_at=older.updated_at + datetime.timedelta(hours=1)).where(
            Bookmark.id == older.id).execute()
    feed = ElementTree.fromstring(client.get("/u/alice/bookmarks.atom").data)
    entries = [e.find(ATOM + "updated").text for e in feed.findall(ATOM + "entry")]
    assert len(entries) == 2 and feed.find(ATOM + "updated").text == max(entries)
