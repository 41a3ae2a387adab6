"""Adding, listing, filtering, editing and deleting bookmarks through the pages."""
import re

import pytest

from suite.bookmarks.models import Bookmark, Tag
from tests.bookmarks.conftest import add

HUGE = "100000000000000000000"


def test_list_needs_sign_in(client):
    resp = client.get("/bookmarks/")
    assert resp.status_code in (302, 401)


def test_add_saves_at_once_with_normalized_tags(alice_client, app):
    resp = add(alice_client, "HTTPS://Example.COM:443/a?utm_source=x&b=1#frag", title="Example",
               tags="Python, web  #Flask python")
    assert resp.status_code == 302
    with app.app_context():
        b = Bookmark.get()
        assert b.url == "https://example.com/a?b=1#frag"  # the fragment is kept (a place in the page)
        assert b.tag_names == ["flask", "python", "web"]
        assert b.title == "Example"


def test_add_with_fetch_failure_still_saves_and_shows_failed_status(alice_client, app):
    add(alice_client, "http://127.0.0.1:9/nothing", title="Local")
    with app.app_context():
        b = Bookmark.get()
        assert b.fetch_status == "failed"
        assert "not a public address" in b.fetch_error and not b.is_broken
        assert b.thumb_status == "done" and b.thumb_source == "card"  # every bookmark has a picture
    page = alice_client.get(f"/bookmarks/{b.id}")
    assert b"failed" in page.data and b"Fetch again" in page.data


def test_same_url_twice_opens_existing_with_notice(alice_client, app):
    add(alice_client, "https://example.com/page")
    resp = add(alice_client, "https://EXAMPLE.com/page#section", title="Other")
    with app.app_context():
        b = Bookmark.get()
        assert Bookmark.select().count() == 1
    assert resp.headers["Location"].endswith(f"/bookmarks/{b.id}/edit")
    assert b"saved this page before" in alice_client.get(resp.headers["Location"]).data


def test_bookmarklet_url_prefills_the_form(alice_client):
    resp = alice_client.get("/bookmarks/add?url=https%3A%2F%2Fexample.org%2Fx&title=Hello%20there")
    assert resp.status_code == 200
    assert b'value="https://example.org/x"' in resp.data
    assert b'value="Hello there"' in resp.data


def test_settings_page_has_the_bookmarklet(alice_client):
    resp = alice_client.get("/bookmarks/settings")
    assert b"javascript:" in resp.data and b"/bookmarks/add?url=" in resp.data


@pytest.mark.parametrize(("url", "message"), [
    ("javascript:alert(1)", b"Only http and https"),
    ("data:text/html,hi", b"Only http and https"),
    ("file:///etc/passwd", b"Only http and https"),
    ("ftp://example.com/", b"Only http and https"),
    ("http://exa mple.com/", b"cannot contain spaces"),
    ("http://", b"no host name"),
    ("http://example.com:99999/", b"malformed"),
    ("https://" + "a" * 5000 + ".com/", b"the limit is 2,048"),
    ("http://user:pw@example.com/", b"user name or password"),
])
def test_bad_urls_are_refused_with_a_message(alice_client, app, url, message):
    resp = add(alice_client, url)
    assert resp.status_code == 400
    assert message in resp.data
    with app.app_context():
        assert Bookmark.select().count() == 0


def test_long_but_valid_url_is_saved(alice_client, app):
    url = "https://example.com/" + "p" * 1970
    assert len(url) < 2048
    assert add(alice_client, url).status_code == 302
    with app.app_context():
        assert Bookmark.get().url == url


def _form_controls(html):
    """{name: the opening tag} of the inputs and textareas of a page."""
    return {re.search(r'name="([^"]+)"', tag).group(1): tag
            for tag in re.findall(r"<(?:input|textarea)\b[^>]*>", html) if 'name="' in tag}


def test_the_form_lets_the_server_say_what_is_too_long(alice_client, app):
    # maxlength would make the browser cut a long address silently and save a different one.
    add(alice_client, "https://example.com/")
    with app.app_context():
        bookmark_id = Bookmark.get().id
    for url in ("/bookmarks/add", f"/bookmarks/{bookmark_id}/edit"):
        controls = _form_controls(alice_client.get(url).get_data(as_text=True))
        for name in ("url", "title", "description", "notes", "tags"):
            assert "maxlength" not in controls[name], (url, controls[name])


def test_too_long_url_and_title_come_back_with_messages_and_the_typed_text(alice_client, app):
    url, title = "https://example.com/" + "p" * 2100, "T" * 600
    resp = add(alice_client, url, title=title, tags="kept")
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert "This address is too long; the limit is 2,048 characters." in html
    assert "This title is too long; the limit is 500 characters." in html
    controls = _form_controls(html)
    assert f'value="{url}"' in controls["url"] and f'value="{title}"' in controls["title"]
    assert 'value="kept"' in controls["tags"]
    with app.app_context():
        assert Bookmark.select().count() == 0


def _autofocused(html):
    return [name for name, tag in _form_controls(html).items() if re.search(r"\bautofocus\b", tag)]


@pytest.mark.parametrize("fields, focused", [
    ({"url": "ftp://example.com/", "tags": "some tags"}, ["url"]),
    ({"url": "https://example.com/", "title": "T" * 600, "tags": "some tags"}, ["title"]),
    ({"url": "https://example.com/", "description": "D" * 6000, "tags": "t" * 7000}, ["description"]),
    ({"url": "https://" + "a" * 3000 + ".com/", "title": "T" * 600}, ["url"]),
])
def test_a_refused_form_puts_the_cursor_in_the_first_field_in_error(alice_client, app, fields, focused):
    resp = add(alice_client, **fields)
    assert resp.status_code == 400
    assert _autofocused(resp.get_data(as_text=True)) == focused
    add(alice_client, "https://example.com/saved")
    with app.app_context():
        bookmark_id = Bookmark.get().id
    edit_fields = {"url": "https://example.com/saved", "title": "", "description": "", "notes": "", "tags": ""}
    edit_fields.update(fields)
    resp = alice_client.post(f"/bookmarks/{bookmark_id}/edit", data=edit_fields)
    assert resp.status_code == 400
    assert _autofocused(resp.get_data(as_text=True)) == focused


def test_the_cursor_starts_in_the_url_or_after_the_bookmarklet_in_tags(alice_client):
    assert _autofocused(alice_client.get("/bookmarks/add").get_data(as_text=True)) == ["url"]
    html = alice_client.get("/bookmarks/add?url=https%3A%2F%2Fexample.com%2F").get_data(as_text=True)
    assert _autofocused(html) == ["tags"]


def test_idn_domain_is_stored_as_punycode_and_shown_readable(alice_client, app):
    add(alice_client, "https://Bücher.example/straße")
    with app.app_context():
        b = Bookmark.get()
    assert b.url.startswith("https://xn--bcher-kva.example/")
    assert "bücher.example" in alice_client.get("/bookmarks/").get_data(as_text=True)


def test_edit_changes_fields_and_tags(alice_client, app):
    add(alice_client, "https://example.com/", tags="one")
    with app.app_context():
        b = Bookmark.get()
    resp = alice_client.post(f"/bookmarks/{b.id}/edit", data={
        "url": "https://example.com/", "title": "New title", "description": "d", "notes": "**bold**",
        "tags": "two three", "unread": "y"})
    assert resp.status_code == 302
    with app.app_context():
        b = Bookmark.get()
        assert (b.title, b.unread, b.is_private) == ("New title", True, False)
        assert b.tag_names == ["three", "two"]
    assert b"<strong>bold</strong>" in alice_client.get(f"/bookmarks/{b.id}").data


def test_text_saved_at_the_limit_with_lf_line_ends_can_be_edited_in_a_browser(alice_client, app, users):
    from suite.bookmarks.bookmarks import MAX_DESCRIPTION, MAX_NOTES, add_bookmark
    # as the API and imports store them: LF line ends, as long as allowed (ending in a letter: kept whole)
    description = ("words\n" * MAX_DESCRIPTION)[:MAX_DESCRIPTION]
    notes = ("words\n" * MAX_NOTES)[:MAX_NOTES]
    with app.app_context():
        b, _ = add_bookmark(users["alice"], "https://example.com/", description=description, notes=notes,
                            enqueue=False)
    # a browser sends a textarea's line ends as CRLF, some old ones as a lone CR
    resp = alice_client.post(f"/bookmarks/{b.id}/edit", data={
        "url": "https://example.com/", "title": "", "description": description.replace("\n", "\r\n"),
        "notes": notes.replace("\n", "\r"), "tags": "added", "is_private": "y"})
    assert resp.status_code == 302
    with app.app_context():
        b = Bookmark.get()
        assert (b.description, b.notes, b.tag_names) == (description, notes, ["added"])  # stored with LF


def test_notes_markdown_is_sanitized(alice_client, app):
    add(alice_client, "https://example.com/", notes="<script>alert(1)</script>[x](javascript:alert(2))")
    with app.app_context():
        b = Bookmark.get()
    html = alice_client.get(f"/bookmarks/{b.id}").data
    assert b"<script>alert(1)" not in html and b"javascript:alert(2)" not in html


def test_delete_removes_bookmark_and_search_entry(alice_client, app):
    add(alice_client, "https://example.com/zebra", title="Zebra crossing")
    with app.app_context():
        b = Bookmark.get()
    assert alice_client.post(f"/bookmarks/{b.id}/delete", data={}).status_code == 302
    with app.app_context():
        assert Bookmark.select().count() == 0
    assert b"Zebra" not in alice_client.get("/bookmarks/?q=zebra").data


def test_someone_elses_bookmark_is_404(alice_client, bob_client, app):
    add(alice_client, "https://example.com/")
    with app.app_context():
        b = Bookmark.get()
    for path in (f"/bookmarks/{b.id}", f"/bookmarks/{b.id}/edit", f"/bookmarks/{b.id}/status.json"):
        assert bob_client.get(path).status_code == 404
    assert bob_client.post(f"/bookmarks/{b.id}/delete", data={}).status_code == 404


def _seed(client):
    add(client, "https://a.example/1", title="Alpha", tags="x y")
    add(client, "https://b.example/2", title="beta", tags="x", unread="y")
    add(client, "https://www.a.example/3", title="Gamma", tags="y")


def test_filter_by_several_tags_is_and(alice_client):
    _seed(alice_client)
    html = alice_client.get("/bookmarks/?tag=x&tag=y").data
    assert b"Alpha" in html and b"beta" not in html and b"Gamma" not in html


@pytest.mark.parametrize(("query", "present", "absent"), [
    ("unread=1", [b"beta"], [b"Alpha", b"Gamma"]),
    ("domain=a.example", [b"Alpha", b"Gamma"], [b"beta"]),
    ("visibility=public", [], [b"Alpha", b"beta", b"Gamma"]),
    ("visibility=private", [b"Alpha", b"beta", b"Gamma"], []),
])
def test_filters(alice_client, query, present, absent):
    _seed(alice_client)
    html = alice_client.get("/bookmarks/?" + query).data
    for word in present:
        assert word in html
    for word in absent:
        assert word not in html


def test_broken_filter_shows_only_broken(alice_client, app):
    _seed(alice_client)
    with app.app_context():
        Bookmark.update(is_broken=(Bookmark.title == "beta")).execute()
    html = alice_client.get("/bookmarks/?broken=1").data
    assert b"beta" in html and b"Alpha" not in html


def test_sort_by_title(alice_client):
    _seed(alice_client)
    html = alice_client.get("/bookmarks/?sort=title&view=list").get_data(as_text=True)
    assert html.index("Alpha") < html.index("beta") < html.index("Gamma")


def test_title_a_to_z_files_accented_titles_under_their_letter_however_they_were_saved(alice_client, app, users):
    """Ordered by lower(title), Ärger, Éclair and Öl came after Zebra."""
    from suite.bookmarks import netscape
    from suite.bookmarks.importer import import_entries
    for n, title in enumerate(("Zebra", "Öl", "apfel")):
        add(alice_client, f"https://example.com/{n}", title=title)
    with app.app_context():
        import_entries(users["alice"], [netscape.Entry(url="https://example.com/i", title="Éclair"),
                                        netscape.Entry(url="https://example.com/j", title="Obst")])
        edited = Bookmark.get(Bookmark.title == "Zebra")
    alice_client.post(f"/bookmarks/{edited.id}/edit", data={
        "url": edited.url, "title": "Ärger", "description": "", "notes": "", "tags": "", "is_private": "y"})
    html = alice_client.get("/bookmarks/?sort=title&view=list").get_data(as_text=True)
    shown = re.findall(r'class="bm-title"[^>]*>([^<]+)<', html)
    assert shown == ["apfel", "Ärger", "Éclair", "Obst", "Öl"]


def test_bookmarks_saved_before_the_title_sort_key_are_filed_by_migration_0027(alice_client, app):
    from suite.database import migration_runner
    for n, title in enumerate(("Zebra", "Ärger", "apfel")):
        add(alice_client, f"https://example.com/{n}", title=title)
    with app.app_context():
        runner = migration_runner()
        runner.down(target="0026_wiki_title_sort_key")
        runner.up()
        assert [b.title for b in Bookmark.select().order_by(Bookmark.title_sort)] == ["apfel", "Ärger", "Zebra"]


def test_pagination_keeps_filters(alice_client):
    for i in range(4):
        add(alice_client, f"https://example.com/{i}", tags="t")
    html = alice_client.get("/bookmarks/?tag=t&per_page=3").get_data(as_text=True)
    assert "page=2" in html and "tag=t" in html.split("page=2")[0].rsplit('href="', 1)[1]


def test_search_finds_description_and_shows_snippet(alice_client):
    add(alice_client, "https://example.com/", title="Fish", description="all about the axolotl habitat")
    add(alice_client, "https://example.org/", title="Other")
    html = alice_client.get("/bookmarks/?q=axolotl").data
    assert b"Fish" in html and b"Other" not in html and b"<mark>axolotl</mark>" in html


def test_search_combined_with_filter(alice_client):
    add(alice_client, "https://example.com/", title="Axolotl one", unread="y")
    add(alice_client, "https://example.org/", title="Axolotl two")
    html = alice_client.get("/bookmarks/?q=axolotl&unread=1").data
    assert b"Axolotl one" in html and b"Axolotl two" not in html


def test_tag_counts_and_rename(alice_client, app):
    _seed(alice_client)
    page = alice_client.get("/bookmarks/tags").get_data(as_text=True)
    assert "x" in page
    resp = alice_client.post("/bookmarks/tags/rename", data={"old": "x", "new": "renamed"})
    assert resp.status_code == 302
    with app.app_context():
        assert {t.name for t in Tag.select()} == {"renamed", "y"}


def test_rename_onto_existing_tag_merges(alice_client, app):
    _seed(alice_client)
    alice_client.post("/bookmarks/tags/rename", data={"old": "x", "new": "y"})
    with app.app_context():
        assert [t.name for t in Tag.select()] == ["y"]
        assert all(b.tag_names == ["y"] for b in Bookmark.select())
    assert b"beta" in alice_client.get("/bookmarks/?tag=y").data


def test_bulk_add_tags_and_delete(alice_client, app):
    _seed(alice_client)
    with app.app_context():
        ids = [b.id for b in Bookmark.select().order_by(Bookmark.id)]
    alice_client.post("/bookmarks/bulk", data={"ids": ids[:2], "action": "add_tags", "tags": "bulk"})
    alice_client.post("/bookmarks/bulk", data={"ids": ids[1:], "action": "make_public"})
    with app.app_context():
        assert [("bulk" in b.tag_names, b.is_private) for b in Bookmark.select().order_by(Bookmark.id)] == [
            (True, True), (True, False), (False, False)]
    alice_client.post("/bookmarks/bulk", data={"ids": ids[:1], "action": "delete"})
    with app.app_context():
        assert Bookmark.select().count() == 2


def test_bulk_cannot_touch_others_bookmarks(alice_client, bob_client, app):
    _seed(alice_client)
    with app.app_context():
        ids = [b.id for b in Bookmark.select()]
    bob_client.post("/bookmarks/bulk", data={"ids": ids, "action": "delete"})
    with app.app_context():
        assert Bookmark.select().count() == 3


@pytest.mark.parametrize("data, message", [
    ({"action": "delete"}, "Select at least one bookmark."),
    ({"action": "", "ids": "1"}, "Choose what to do with the selected bookmarks."),
    ({"action": "add_tags", "ids": "1", "tags": ""}, "Enter the tags to add or remove."),
])
def test_a_refused_bulk_action_says_why_on_the_same_list(alice_client, app, data, message):
    add(alice_client, "https://example.com/", tags="x")
    back = "/bookmarks/?tag=x&view=list"
    resp = alice_client.post("/bookmarks/bulk", data=dict(data, next=back))
    assert resp.status_code == 303 and resp.headers["Location"] == back
    page = alice_client.get(back).get_data(as_text=True)
    assert message in page and "example.com" in page
    with app.app_context():
        assert Bookmark.select().count() == 1 and Bookmark.get().tag_names == ["x"]


def test_a_refused_bulk_action_from_elsewhere_goes_to_the_list(alice_client):
    resp = alice_client.post("/bookmarks/bulk", data={"action": "delete", "next": "https://evil.example/"})
    assert resp.status_code == 303 and resp.headers["Location"] == "/bookmarks/"


@pytest.mark.parametrize("huge", [HUGE, f"-{HUGE}", "0", str(2**31)])
def test_bulk_ids_no_bookmark_can_have_are_left_out(alice_client, app, huge):
    add(alice_client, "https://example.com/first", title="The first one")
    with app.app_context():
        real = Bookmark.get().id
    resp = alice_client.post("/bookmarks/bulk", data={"ids": [huge, str(real)], "action": "mark_unread"})
    assert resp.status_code == 302
    with app.app_context():
        assert Bookmark.get().unread
    resp = alice_client.post("/bookmarks/bulk", data={"ids": [huge], "action": "mark_read"}, follow_redirects=True)
    assert b"Select at least one" in resp.data
    with app.app_context():
        assert Bookmark.get().unread


def test_post_without_csrf_is_refused(alice_client, app):
    resp = alice_client.post("/bookmarks/add", data={"url": "https://example.com/"}, csrf=False)
    assert resp.status_code == 400
    with app.app_context():
        assert Bookmark.select().count() == 0


def test_bookmark_still_being_fetched_shows_a_placeholder(alice_client, app, users):
    from suite.bookmarks.bookmarks import add_bookmark
    with app.app_context():
        add_bookmark(users["alice"], "https://example.com/soon", title="Soon", is_private=False, enqueue=False)
    html = alice_client.get("/bookmarks/").data
    assert b"picture coming" in html and b"/status.json" in html
    public = app.test_client().get("/u/alice/bookmarks").data
    assert b"picture coming" in public and b"/status.json" not in public


def test_app_count_for_the_home_page(alice_client, app, users):
    from suite.bookmarks import APP
    add(alice_client, "https://example.com/")
    with app.app_context():
        assert APP.count(users["alice"]) == "1 bookmark"


def test_filtered_search_pages_through_hits_in_chunks(alice_client, app, users):
    from suite.bookmarks import bookmarks as svc
    with app.app_context():
        for i in range(130):
            svc.add_bookmark(users["alice"], f"https://example.com/{i}", title=f"Axolotl {i}",
                             unread=(i % 30 == 0), enqueue=False)
    html = alice_client.get("/bookmarks/?q=axolotl&unread=1&per_page=2&page=2").get_data(as_text=True)
    assert html.count('class="bm-item"') == 2 and "page=3" in html
    last = alice_client.get("/bookmarks/?q=axolotl&unread=1&per_page=2&page=3").get_data(as_text=True)
    assert last.count('class="bm-item"') == 1 and "page=4" not in last



@pytest.mark.parametrize("query", [f"page={HUGE}", f"page=-{HUGE}", f"per_page={HUGE}", f"per_page=-{HUGE}",
                                   f"page={HUGE}&tag=t", f"page={HUGE}&q=first", f"page={HUGE}&unread=1&q=first"])
def test_page_numbers_past_any_list_show_an_empty_page(alice_client, query):
    add(alice_client, "https://example.com/first", title="The first one", tags="t")
    assert alice_client.get(f"/bookmarks/?{query}").status_code == 200


def test_a_huge_per_page_shows_at_most_the_largest_page(alice_client):
    add(alice_client, "https://example.com/first", title="The first one")
    html = alice_client.get(f"/bookmarks/?per_page={HUGE}").get_data(as_text=True)
    assert "The first one" in html


def test_the_picture_link_beside_the_title_link_is_hidden_from_screen_readers(alice_client, app, users):
    """A card's picture links where its title does; announced, it would be one unnamed link per bookmark."""
    from suite.bookmarks.bookmarks import add_bookmark
    with app.app_context():
        add_bookmark(users["alice"], "https://example.com/a", title="A", is_private=False, enqueue=False)
    for page in (alice_client.get("/bookmarks/?view=grid"), app.test_client().get("/u/alice/bookmarks")):
        pictures = re.findall(r'<a class="bm-pic"[^>]*>', page.get_data(as_text=True))
        assert pictures and all('aria-hidden="true"' in a and 'tabindex="-1"' in a for a in pictures)
