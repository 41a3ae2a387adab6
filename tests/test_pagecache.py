"""The page cache: anonymous readers share finished pages until their content changes.

A hit is marked ``X-Cache: hit``. Every write that changes what a cached page shows
must be visible to the very next reader, in this process or any other.
"""
import logging
import re
import subprocess
import sys
import textwrap
import time

import pytest

from suite import pagecache
from suite.extensions import db
from tests.conftest import AuthActions
from tests.pastebin.conftest import slug_of
from tests.wiki.conftest import WikiActions

ROOT = __file__.rsplit("/tests/", 1)[0]


@pytest.fixture
def wiki(alice_client):
    return WikiActions(alice_client)


@pytest.fixture
def paste_as():
    """paste_as(client, content, **fields) → slug, posted the way curl does."""
    def make(client, content, **fields):
        resp = client.post("/paste/", data={"content": content, **fields}, csrf=False)
        assert resp.status_code == 201
        return slug_of(resp)
    return make


@pytest.fixture
def reader(app):
    """An anonymous visitor with no cookies at all."""
    return app.test_client()


def hit(resp):
    return resp.headers.get("X-Cache") == "hit"


def test_second_anonymous_view_of_a_wiki_page_is_served_from_the_cache(wiki, reader):
    wiki.save("Home", "First words")
    first, second = reader.get("/wiki/Home"), reader.get("/wiki/Home")
    assert first.status_code == second.status_code == 200
    assert not hit(first) and hit(second)
    assert first.data == second.data
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]


def test_an_edit_is_visible_to_the_next_anonymous_reader(wiki, reader):
    wiki.save("Home", "Old words")
    reader.get("/wiki/Home")
    assert hit(reader.get("/wiki/Home"))
    wiki.save("Home", "New words")
    resp = reader.get("/wiki/Home")
    assert not hit(resp) and b"New words" in resp.data and b"Old words" not in resp.data


def test_creating_a_page_turns_red_links_blue_for_cached_readers(wiki, reader):
    wiki.save("Home", "See [[Road map]].")
    reader.get("/wiki/Home")
    wiki.save("Road_map", "Plans")
    assert b'class="wikilink" href="/wiki/Road_map"' in reader.get("/wiki/Home").data


def test_signed_in_readers_are_never_served_a_cached_copy(wiki, reader, alice_client):
    wiki.save("Home", "Words")
    reader.get("/wiki/Home")
    resp = alice_client.get("/wiki/Home")
    assert not hit(resp) and b"/auth/logout" in resp.data  # alice sees her own header


def test_signed_in_views_do_not_fill_the_cache_for_anonymous_readers(wiki, reader, alice_client):
    wiki.save("Home", "Words")
    alice_client.get("/wiki/Home")
    resp = reader.get("/wiki/Home")
    assert not hit(resp) and b"/auth/logout" not in resp.data


def test_query_strings_are_separate_entries(wiki, reader):
    wiki.save("Home", "One")
    wiki.save("Home", "Two")
    reader.get("/wiki/Home?rev=1")
    resp = reader.get("/wiki/Home")
    assert not hit(resp) and b"Two" in resp.data
    assert hit(reader.get("/wiki/Home?rev=1"))


def test_missing_pages_are_not_cached(reader):
    assert reader.get("/wiki/Nowhere").status_code == 404
    assert not hit(reader.get("/wiki/Nowhere"))


def alices_paste(alice_client, token, content):
    """A paste owned by alice (posted with her API token, the way curl would)."""
    url = alice_client.post("/paste/", data={"content": content}, csrf=False,
                            headers={"Authorization": f"Bearer {token}"}).get_data(as_text=True).strip()
    return url.rsplit("/", 1)[-1]


def test_a_paste_view_is_cached_and_deleting_the_paste_ends_it(alice_client, reader, token):
    slug = alices_paste(alice_client, token, "print('cached')\n")
    reader.get(f"/paste/{slug}")
    assert hit(reader.get(f"/paste/{slug}"))
    assert alice_client.post(f"/paste/{slug}/delete", data={}).status_code in (302, 303)
    assert reader.get(f"/paste/{slug}").status_code == 404


def test_burn_after_reading_pastes_are_never_cached(client, reader, paste_as, app):
    slug = paste_as(client, "secret\n", expires="burn")
    for _ in range(2):  # the page that asks before showing it
        resp = reader.get(f"/paste/{slug}")
        assert resp.status_code == 200 and not hit(resp) and b"Show and delete" in resp.data
    assert not [k for k in app.wsgi_app.entries if k[-2] == f"/paste/{slug}"]
    token = re.search(r'name="csrf_token" value="([^"]+)"', resp.get_data(as_text=True)).group(1)
    shown = reader.post(f"/paste/{slug}", data={"csrf_token": token})
    assert shown.status_code == 200 and b"secret" in shown.data
    assert reader.get(f"/paste/{slug}").status_code == 404


def test_a_paste_that_expires_is_kept_no_longer_than_its_life(app, reader, paste_as, client):
    slug = paste_as(client, "short-lived\n", expires="1h")
    reader.get(f"/paste/{slug}")
    cache = app.wsgi_app
    (entry,) = [e for k, e in cache.entries.items() if k[-2] == f"/paste/{slug}"]
    assert entry[1] - time.monotonic() <= 3600


def test_a_wiki_page_embedding_a_paste_changes_when_the_paste_is_deleted(wiki, alice_client, reader, token):
    slug = alices_paste(alice_client, token, "print('embedded words')\n")
    wiki.save("Snippets", f"[[paste:{slug}]]")
    assert b"embedded words" in reader.get("/wiki/Snippets").data
    assert hit(reader.get("/wiki/Snippets"))
    alice_client.post(f"/paste/{slug}/delete", data={})
    resp = reader.get("/wiki/Snippets")
    assert not hit(resp) and b"embedded words" not in resp.data


def test_a_write_in_another_process_invalidates_this_process_cache(app, wiki, reader):
    """Two gunicorn workers share nothing but the database: the generation lives there."""
    wiki.save("Home", "Before")
    reader.get("/wiki/Home")
    assert hit(reader.get("/wiki/Home"))
    script = textwrap.dedent(f"""
        from suite import create_app
        from suite.auth.models import User
        from suite.wiki import pages
        app = create_app({{"INSTANCE_PATH": {app.instance_path!r}, "DATABASE_URL": {app.config["DATABASE_URL"]!r},
                          "SCREENSHOT_BACKEND": "none"}})
        with app.app_context():
            page, current = pages.get_page("Home")
            pages.save_page("Home", "After, from elsewhere", current.number, User.get(User.username == "alice"))
    """)
    done = subprocess.run([sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    resp = reader.get("/wiki/Home")
    assert not hit(resp) and b"After, from elsewhere" in resp.data


def test_a_rolled_back_write_does_not_bump_the_generation(app):
    with app.app_context():
        before = pagecache.generations().get("wiki", 0)
        with pytest.raises(RuntimeError):
            with db.atomic():
                pagecache.changed("wiki")
                raise RuntimeError("save failed")
        assert pagecache.generations().get("wiki", 0) == before
        with db.atomic():
            pagecache.changed("wiki")
            pagecache.changed("wiki")
        assert pagecache.generations()["wiki"] > before


def test_a_rolled_back_savepoint_does_not_take_a_later_change_along(app):
    with app.app_context():
        before = pagecache.generations().get("wiki", 0)
        with db.atomic():
            with pytest.raises(RuntimeError):
                with db.atomic():  # a savepoint
                    pagecache.changed("wiki")
                    raise RuntimeError("this part failed")
            pagecache.changed("wiki")  # the part that stays
        assert pagecache.generations().get("wiki", 0) > before


def test_the_cache_keeps_to_its_memory_budget(make_app):
    app = make_app(PAGE_CACHE_MB=0.04)  # 41 KB: a page of ~9 KB fits four times
    wiki = WikiActions(_alice(app))
    reader = app.test_client()
    for n in range(6):
        wiki.save(f"Page_{n}", "words " * 1000)
    for n in range(6):
        reader.get(f"/wiki/Page_{n}")
    cache = app.wsgi_app
    assert 0 < cache.size <= cache.max_bytes
    assert len(cache.entries) < 6
    assert hit(reader.get("/wiki/Page_5")) and not hit(reader.get("/wiki/Page_0"))


def test_page_cache_mb_zero_turns_it_off(make_app):
    app = make_app(PAGE_CACHE_MB=0)
    wiki = WikiActions(_alice(app))
    wiki.save("Home", "Words")
    reader = app.test_client()
    reader.get("/wiki/Home")
    assert not hit(reader.get("/wiki/Home"))
    assert not isinstance(app.wsgi_app, pagecache.PageCache)


def test_a_part_that_expires_shortens_a_kept_page_but_never_makes_one_kept(make_app):
    app = make_app()

    def part_only():  # an embed or a list of hits on a page that does not ask to be kept
        pagecache.keep_at_most(60)
        return "shows an expiring paste"

    def kept_page(seconds):
        pagecache.cache_this("wiki")
        pagecache.keep_at_most(float(seconds))
        return "a page kept until the wiki changes"

    app.add_url_rule("/part-only", "part_only", part_only)
    app.add_url_rule("/kept/<seconds>", "kept_page", kept_page)
    reader = app.test_client()
    reader.get("/part-only")
    assert not hit(reader.get("/part-only"))
    reader.get("/kept/60")
    assert hit(reader.get("/kept/60"))
    reader.get("/kept/0")
    assert not hit(reader.get("/kept/0"))


def _alice(app):
    client = app.test_client()
    AuthActions(client).register("alice")
    return client


def test_home_page_counts_are_recounted_after_a_change(alice_client, token):
    alices_paste(alice_client, token, "one\n")
    assert b"1 paste of yours" in alice_client.get("/").data
    assert b"1 paste of yours" in alice_client.get("/").data  # remembered
    alices_paste(alice_client, token, "two\n")
    assert b"2 pastes of yours" in alice_client.get("/").data


# Personal pages: the bookmark list is kept for the one session that asked for it.

def add_bookmark(client, url, title):
    """Add through the form, then follow the redirect as a browser would (it shows the flash)."""
    resp = client.post("/bookmarks/add", data={"url": url, "title": title, "tags": "kept"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    shown = client.get(resp.headers["Location"])
    assert not hit(shown) and "Set-Cookie" in shown.headers  # a page that took a flash is never kept


def test_the_bookmark_list_is_kept_for_its_own_session_only(alice_client, bob_client):
    add_bookmark(alice_client, "https://example.org/alice", "Alice's secret link")
    alice_client.get("/bookmarks/")
    assert hit(alice_client.get("/bookmarks/"))
    other = bob_client.get("/bookmarks/")
    assert not hit(other) and b"Alice's secret link" not in other.data


def test_a_new_bookmark_shows_in_the_kept_list_at_once(alice_client):
    add_bookmark(alice_client, "https://example.org/one", "First link")
    alice_client.get("/bookmarks/")
    add_bookmark(alice_client, "https://example.org/two", "Second link")
    page = alice_client.get("/bookmarks/")
    assert not hit(page) and b"Second link" in page.data


def test_a_finished_thumbnail_ends_the_kept_list(app, alice_client):
    add_bookmark(alice_client, "https://example.org/pic", "Picture")
    alice_client.get("/bookmarks/")
    assert hit(alice_client.get("/bookmarks/"))
    from suite.bookmarks import crawl
    from suite.bookmarks.models import Bookmark
    with app.app_context():
        crawl.make_picture(Bookmark.get())  # no screenshot backend here: it draws a card
    assert not hit(alice_client.get("/bookmarks/"))


def test_a_password_change_ends_pages_kept_for_other_sessions(app, users, alice_client):
    from tests.conftest import PASSWORD, _signed_in
    add_bookmark(alice_client, "https://example.org/x", "Private link")
    alice_client.get("/bookmarks/")
    assert hit(alice_client.get("/bookmarks/"))
    elsewhere = _signed_in(app, users["alice"])
    resp = elsewhere.post("/auth/account/password", data={"current": PASSWORD, "password": PASSWORD + "-new",
                                                  "confirm": PASSWORD + "-new"})
    assert resp.status_code in (200, 302)
    old_session = alice_client.get("/bookmarks/")
    assert not hit(old_session) and old_session.status_code == 302  # signed out, sent to the login form


def _copy_of(app, client):
    copy = app.test_client()
    copy.set_cookie("session", client.get_cookie("session").value)
    return copy


def test_sign_out_ends_pages_kept_for_copies_of_its_cookie(app, alice_client):
    add_bookmark(alice_client, "https://example.org/x", "Private link")
    copy = _copy_of(app, alice_client)
    copy.get("/bookmarks/")
    assert hit(copy.get("/bookmarks/"))
    alice_client.post("/auth/logout", data={})
    after = copy.get("/bookmarks/")
    assert not hit(after) and after.status_code == 302 and b"Private link" not in after.data


def test_signing_out_the_other_browsers_ends_pages_kept_for_them(app, users, alice_client):
    from tests.conftest import _signed_in
    add_bookmark(alice_client, "https://example.org/x", "Private link")
    alice_client.get("/bookmarks/")
    assert hit(alice_client.get("/bookmarks/"))
    _signed_in(app, users["alice"]).post("/auth/sessions/end-others", data={})
    after = alice_client.get("/bookmarks/")
    assert not hit(after) and after.status_code == 302


def test_requests_with_an_authorization_header_never_touch_the_cache(wiki, reader, token):
    wiki.save("Home", "Words")
    reader.get("/wiki/Home")
    bearer = reader.get("/wiki/Home", headers={"Authorization": f"Bearer {token}"})
    assert not hit(bearer)


def test_a_reload_asking_for_a_fresh_page_skips_the_copy_and_refreshes_it(wiki, reader):
    wiki.save("Home", "Words")
    reader.get("/wiki/Home")
    assert not hit(reader.get("/wiki/Home", headers={"Cache-Control": "no-cache"}))
    assert hit(reader.get("/wiki/Home"))


def test_a_save_that_committed_is_not_turned_into_an_error_when_the_change_cannot_be_noted(app, wiki, reader):
    wiki.save("Home", "Before")
    with app.app_context():
        db.execute_sql("DROP TABLE cache_generation")  # the counters cannot be bumped any more
    try:
        resp = wiki.save("Home", "After")
        assert resp.status_code == 302
        page = reader.get("/wiki/Home")  # and without counters nothing is served from the cache
        assert not hit(page) and b"After" in page.data
        assert not hit(reader.get("/wiki/Home"))
    finally:
        with app.app_context():  # the PostgreSQL test database is shared by the run's tests
            pagecache.CacheGeneration.create_table()


def test_an_anonymous_wiki_search_is_cached_until_the_wiki_changes(wiki, reader):
    wiki.save("Harbor", "Boats in the harbor")
    first = reader.get("/wiki/search?q=harbor")
    assert not hit(first) and b"Harbor" in first.data
    assert hit(reader.get("/wiki/search?q=harbor"))
    wiki.save("Harbor_master", "Who runs the harbor")
    resp = reader.get("/wiki/search?q=harbor")
    assert not hit(resp) and b'href="/wiki/Harbor_master"' in resp.data


def test_a_signed_in_search_is_kept_for_that_session_only(alice_client, bob_client, token):
    url = alice_client.post("/paste/", data={"content": "walrus notes\n", "visibility": "private"}, csrf=False,
                            headers={"Authorization": f"Bearer {token}"}).get_data(as_text=True).strip()
    slug = url.rsplit("/", 1)[-1].encode()
    alice_client.get("/")  # a first page puts the session's CSRF token in its cookie (never kept)
    first = alice_client.get("/search?q=walrus")
    assert not hit(first) and slug in first.data
    assert hit(alice_client.get("/search?q=walrus"))
    resp = bob_client.get("/search?q=walrus")
    assert not hit(resp) and slug not in resp.data


def generation_reads(caplog, fetch):
    """How many times ``fetch()`` read the generations from the database."""
    caplog.clear()
    with caplog.at_level(logging.DEBUG, logger="peewee"):
        fetch()
    return sum("cache_generation" in str(record.msg) for record in caplog.records)


def test_a_search_reads_the_generations_once(wiki, reader, caplog):
    wiki.save("Harbor", "Boats in the harbor")
    assert generation_reads(caplog, lambda: reader.get("/wiki/search?q=boats")) == 1


def test_a_change_in_the_request_makes_later_readings_go_to_the_database(app):
    with app.test_request_context(environ_base={pagecache.READ_KEY: {"wiki": -1}}):
        assert pagecache.generations() == {"wiki": -1}  # what the middleware read for this request
        with db.atomic():
            pagecache.changed("wiki")
        assert pagecache.generations()["wiki"] >= 1


# The dashboard and profiles show items of every app and who follows whom.

def kept(client, url):
    """True once ``url`` is served from the cache (a first page may still set the session's CSRF token)."""
    client.get(url)
    client.get(url)
    return hit(client.get(url))


def test_the_dashboard_is_kept_for_its_session_until_one_of_its_items_changes(alice_client, bob_client, token):
    assert kept(alice_client, "/")
    bobs = bob_client.get("/")
    assert not hit(bobs) and b"Hello, bob" in bobs.data
    alices_paste(alice_client, token, "a new thought\n")
    page = alice_client.get("/")
    assert not hit(page) and b"1 paste of yours" in page.data


def test_following_someone_ends_the_kept_dashboard_and_their_profile(app, users, alice_client, bob_client, reader):
    from suite.auth import follows
    assert bob_client.post("/paste/", data={"content": "bob's public tip\n", "title": "Bob's tip",
                                            "visibility": "public"}).status_code in (201, 302)
    assert kept(alice_client, "/") and b"Bob&#39;s tip" not in alice_client.get("/").data
    assert kept(reader, "/u/bob")
    with app.app_context():  # not through alice's session: her cookie, the page's key, stays the same
        follows.follow(users["alice"], users["bob"])
    dashboard = alice_client.get("/")
    assert not hit(dashboard) and b"Bob&#39;s tip" in dashboard.data
    profile = reader.get("/u/bob")
    assert not hit(profile) and b"<strong>1</strong> follower " in profile.data
    assert kept(reader, "/u/bob")
    assert alice_client.post("/u/bob/unfollow", data={}).status_code == 302
    assert b"<strong>0</strong> followers" in reader.get("/u/bob").data


# Shared pages go gzip-compressed to browsers that accept it; personal pages never (BREACH).

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


def test_a_shared_page_goes_compressed_to_a_browser_that_accepts_gzip(app, wiki, reader):
    import gzip
    wiki.save("Long", "A line of text that repeats.\n\n" * 400)
    plain = reader.get("/wiki/Long")
    assert "Content-Encoding" not in plain.headers
    packed = reader.get("/wiki/Long", headers=GZIP)
    assert hit(packed) and packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"]
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data) / 5
    assert gzip.decompress(packed.data) == plain.data
    again = reader.get("/wiki/Long", headers=GZIP)
    assert hit(again) and again.data == packed.data
    assert app.wsgi_app.size == len(plain.data) + len(packed.data)  # the copy counts against the budget


@pytest.mark.parametrize("accept", ["", "identity", "gzip;q=0, deflate", "br"])
def test_a_client_that_does_not_accept_gzip_gets_the_plain_page(wiki, reader, accept):
    wiki.save("Long", "A line of text that repeats.\n\n" * 400)
    reader.get("/wiki/Long")
    resp = reader.get("/wiki/Long", headers={"Accept-Encoding": accept})
    assert hit(resp) and "Content-Encoding" not in resp.headers and b"repeats" in resp.data


def test_a_shared_page_too_big_to_keep_is_still_compressed_on_each_view(make_app):
    """Pages over a quarter of the budget are not kept; a 1 MB log paste went out as 2.2 MB of
    HTML on every view, where gzip sends a seventh of it."""
    import gzip
    app = make_app(PAGE_CACHE_MB=0.04)  # keeps pages up to ~10 KB
    WikiActions(_alice(app)).save("Log", "A line of the log that repeats.\n\n" * 2000)
    reader = app.test_client()
    plain = reader.get("/wiki/Log")
    assert plain.status_code == 200 and "Content-Encoding" not in plain.headers and len(plain.data) > 60_000
    packed = reader.get("/wiki/Log", headers=GZIP)
    assert not hit(packed) and packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.headers["Vary"] and "Accept-Encoding" in plain.headers["Vary"]
    assert int(packed.headers["Content-Length"]) == len(packed.data) < len(plain.data) / 5
    assert gzip.decompress(packed.data) == plain.data
    assert app.wsgi_app.size == 0  # nothing kept


def test_a_personal_page_is_never_compressed(alice_client):
    for n in range(30):
        add_bookmark(alice_client, f"https://example.org/{n}", f"Link number {n} with a longer title")
    assert kept(alice_client, "/bookmarks/")
    resp = alice_client.get("/bookmarks/", headers=GZIP)
    assert hit(resp) and "Content-Encoding" not in resp.headers and b"csrf_token" in resp.data


def test_a_change_drops_the_compressed_copy_too(wiki, reader):
    wiki.save("Long", "Old words.\n\n" * 400)
    reader.get("/wiki/Long")
    reader.get("/wiki/Long", headers=GZIP)
    wiki.save("Long", "New words.\n\n" * 400)
    import gzip
    resp = reader.get("/wiki/Long", headers=GZIP)
    body = gzip.decompress(resp.data) if resp.headers.get("Content-Encoding") == "gzip" else resp.data
    assert b"New words." in body and b"Old words." not in body
