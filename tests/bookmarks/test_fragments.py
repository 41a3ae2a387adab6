"""A bookmark keeps the fragment it was saved with; whether two URLs are one page decides the fragment's kind.

A place in the page (``#os.walk``) is the same page: saving it again opens the bookmark. A route of a
page that is an app (``#inbox/ID``, ``#/settings``, ``#!/x``) is a page of its own. A text fragment
(``#:~:text=``) never makes another page.
"""
import hashlib
import io

from suite.bookmarks.models import Bookmark
from tests.bookmarks.conftest import add

OS_WALK = "https://docs.python.org/3/library/os.html#os.walk"


def _urls(app):
    with app.app_context():
        return sorted(b.url for b in Bookmark.select())


def test_a_bookmark_keeps_the_fragment_it_was_saved_with(alice_client, app):
    add(alice_client, OS_WALK)
    with app.app_context():
        bookmark = Bookmark.get()
    assert bookmark.url == OS_WALK
    assert f'href="{OS_WALK}"'.encode() in alice_client.get(f"/bookmarks/{bookmark.id}").data


def test_another_place_in_the_same_page_opens_the_bookmark_saved_before(alice_client, app):
    add(alice_client, OS_WALK)
    for again in ("https://docs.python.org/3/library/os.html#os.listdir", "https://docs.python.org/3/library/os.html",
                  "https://docs.python.org/3/library/os.html#:~:text=walk%20a%20tree"):
        resp = add(alice_client, again)
        assert "/edit" in resp.headers["Location"]  # the existing bookmark, with the "saved before" notice
    assert _urls(app) == [OS_WALK]


def test_routes_in_the_fragment_are_pages_of_their_own(alice_client, app):
    routes = ["https://mail.google.com/mail/u/0/#inbox/FMfcgzQXJ", "https://mail.google.com/mail/u/0/#sent/ABC",
              "https://example.com/app#/settings", "https://example.com/app#/profile", "https://example.com/app#!/x"]
    for url in routes:
        add(alice_client, url)
    assert _urls(app) == sorted(routes)
    add(alice_client, "https://mail.google.com/mail/u/0/#inbox/FMfcgzQXJ:~:text=hello")  # the same route
    add(alice_client, "https://example.com/app#/settings#privacy")  # a place in the routed page
    assert _urls(app) == sorted(routes)


def test_a_route_is_its_own_page_in_an_import_too(alice_client, app):
    text = """<!DOCTYPE NETSCAPE-Bookmark-file-1>
<DL><p>
    <DT><A HREF="https://mail.google.com/mail/u/0/#inbox/FMfcgzQXJ">One mail</A>
    <DT><A HREF="https://mail.google.com/mail/u/0/#inbox/KtbxLwgs">Another mail</A>
    <DT><A HREF="https://docs.python.org/3/library/os.html#os.walk">os.walk</A>
    <DT><A HREF="https://docs.python.org/3/library/os.html#os.listdir">os.listdir</A>
</DL><p>
"""
    resp = alice_client.post("/bookmarks/import", data={"file": (io.BytesIO(text.encode()), "mails.html")},
                             content_type="multipart/form-data")
    status = alice_client.get(resp.headers["Location"] + ".json").get_json()
    assert (status["created"], status["duplicates"]) == (3, 1)
    assert _urls(app) == [OS_WALK, "https://mail.google.com/mail/u/0/#inbox/FMfcgzQXJ",
                          "https://mail.google.com/mail/u/0/#inbox/KtbxLwgs"]


def test_a_bookmark_saved_before_fragments_were_kept_is_still_found(alice_client, app, users):
    """Rows saved by earlier versions hold the URL without its fragment and the hash of that URL:
    they stay valid, and the same page with a fragment still opens them."""
    old = "https://docs.python.org/3/library/os.html"
    with app.app_context():
        Bookmark.create(owner=users["alice"].id, url=old, url_hash=hashlib.sha256(old.encode()).hexdigest(),
                        domain="docs.python.org", fetch_status="done", thumb_status="done")
    resp = add(alice_client, OS_WALK)
    assert "/edit" in resp.headers["Location"]
    assert _urls(app) == [old]


def test_editing_a_bookmark_to_another_place_in_its_page_keeps_the_new_fragment(alice_client, app):
    add(alice_client, OS_WALK)
    with app.app_context():
        bookmark = Bookmark.get()
    listdir = "https://docs.python.org/3/library/os.html#os.listdir"
    resp = alice_client.post(f"/bookmarks/{bookmark.id}/edit", data={"url": listdir, "title": "os", "tags": ""})
    assert resp.status_code == 302
    assert _urls(app) == [listdir]
