"""Metadata found in pages, and what the fetch task stores."""
from suite.bookmarks.metadata import parse_html, well_formed
from suite.bookmarks.models import Bookmark
from tests.bookmarks.conftest import ARTICLE, add, only_bookmark


def test_parse_title_description_image_icon_canonical_and_text():
    meta = parse_html(ARTICLE, "http://site.test/a/b")
    assert meta.title == "A Tale of Two Pages"
    assert meta.description == "The best of pages, the worst of pages."
    assert meta.image == "http://site.test/og.png"
    assert meta.icons == ["http://site.test/icon.png"]
    assert meta.canonical == "http://site.test/article"
    assert "zebrafish of times" in meta.text and "script text" not in meta.text


def test_broken_markup_does_not_raise():
    meta = parse_html("<html><title>x</title><p <<<>>> &#xZZ; <![CDATA[", "http://t/")
    assert meta.title == "x"


def test_unclosed_tags_by_the_hundred_thousand_are_read_in_linear_time():
    # HTMLParser alone (Python before 3.11.13, CVE-2025-6069) took 66 s on 120 KB of these, 311 s on
    # 240 KB; this is 1.2 MB, a fifth of what a fetch may read.
    page = "<title>Still here</title><p>text</p>" + "<a b='" * 200_000
    assert well_formed(page) == "<title>Still here</title><p>text</p>"
    meta = parse_html(page, "http://t/")
    assert (meta.title, meta.text.strip()) == ("Still here", "text")


def test_fetch_fills_blank_title_and_indexes_page_text(open_client, open_app, site):
    add(open_client, f"{site.url}/article")
    b = only_bookmark(open_app)
    assert (b.title, b.fetch_status, b.http_status) == ("A Tale of Two Pages", "done", 200)
    assert b.favicon.endswith("-f.webp")
    html = open_client.get("/bookmarks/?q=zebrafish").data
    assert b"Tale of Two Pages" in html


def test_a_new_url_forgets_what_was_read_from_the_old_page(open_client, open_app, site):
    add(open_client, f"{site.url}/article", title="My link")
    b = only_bookmark(open_app)
    assert "zebrafish" in b.page_text and b.favicon and b.image_url and b.canonical_url
    assert b"My link" in open_client.get("/bookmarks/?q=zebrafish").data  # found by the page's words
    # the new address is a PDF: its fetch reads no text, so nothing would replace the old page's
    resp = open_client.post(f"/bookmarks/{b.id}/edit", data={"url": f"{site.url}/doc.pdf", "title": "My link"})
    assert resp.status_code == 302
    b = only_bookmark(open_app)
    assert (b.fetch_status, b.page_text, b.favicon, b.image_url, b.canonical_url) == ("done", "", "", "", "")
    assert "/doc.pdf" not in open_client.get("/search?q=zebrafish").get_data(as_text=True)
    assert b"My link" not in open_client.get("/bookmarks/?q=zebrafish").data


def test_typed_title_is_kept(open_client, open_app, site):
    add(open_client, f"{site.url}/article", title="Mine")
    assert only_bookmark(open_app).title == "Mine"


def test_pdf_is_saved_without_reading_it(open_client, open_app, site):
    add(open_client, f"{site.url}/doc.pdf")
    b = only_bookmark(open_app)
    assert b.fetch_status == "done" and "Not a web page (application/pdf)" in b.fetch_error
    assert b.thumb_source == "card"


def test_image_target_becomes_its_own_picture(open_client, open_app, site):
    add(open_client, f"{site.url}/og.png")
    b = only_bookmark(open_app)
    assert (b.fetch_status, b.fetch_error, b.thumb_source) == ("done", "", "og:image")


def test_huge_page_is_read_up_to_the_cap(make_app, site):
    from suite.bookmarks import crawl
    app = make_app(FETCH_ALLOW_HOSTS="127.0.0.1", FETCH_MAX_BYTES=200_000)
    with app.app_context():
        from suite.auth.accounts import create_user
        from suite.bookmarks.bookmarks import add_bookmark
        user = create_user("alice", "correct horse battery")
        b, _ = add_bookmark(user, f"{site.url}/huge", enqueue=False)
        assert crawl.fetch_metadata(b)
        b = Bookmark.get_by_id(b.id)
        assert b.fetch_status == "done" and len(b.page_text) <= 200_000


def test_unreachable_host_marks_failed_with_reason(open_client, open_app):
    add(open_client, "http://no-such-host.invalid/")
    b = only_bookmark(open_app)
    assert b.fetch_status == "failed" and "could not be found" in b.fetch_error and b.is_broken


def test_retry_fetches_again(open_client, open_app, site):
    add(open_client, f"{site.url}/article", title="T")
    with open_app.app_context():
        Bookmark.update(fetch_status="failed", thumb_status="failed").execute()
        b = Bookmark.get()
    open_client.post(f"/bookmarks/{b.id}/retry", data={})
    assert only_bookmark(open_app).status == "done"
