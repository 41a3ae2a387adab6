"""The shared layout on a phone, by keyboard, in both colour schemes: what a page review found wanting."""
import pytest

from suite.auth.accounts import create_token, create_user
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _signed_in_phone(browser, live_server, scheme="light"):
    context = browser.new_context(viewport={"width": 390, "height": 800}, color_scheme=scheme)
    tab = context.new_page()
    tab.goto(live_server + "/auth/login")
    tab.fill("input[name=username]", "alice")
    tab.fill("input[name=password]", PASSWORD)
    tab.click("main button[type=submit]")
    return context, tab


def test_the_phone_menu_opens_from_the_keyboard(app, browser, live_server):
    with app.app_context():
        create_user("alice", PASSWORD)
    context, tab = _signed_in_phone(browser, live_server)
    assert not tab.is_visible(".nav-apps a:has-text('Wiki')")
    for _ in range(10):
        tab.keyboard.press("Tab")
        if tab.evaluate("document.activeElement.id") == "navToggle":
            break
    assert tab.evaluate("document.activeElement.id") == "navToggle", "Tab never reaches the menu"
    tab.keyboard.press("Space")
    assert tab.is_visible(".nav-apps a:has-text('Wiki')")
    context.close()


def test_a_long_token_label_and_long_names_do_not_widen_the_page_on_a_phone(app, browser, live_server):
    with app.app_context():
        alice = create_user("alice", PASSWORD, is_admin=True)
        create_token(alice, "x" * 80)
        create_user("a" * 40, PASSWORD)
    context, tab = _signed_in_phone(browser, live_server)
    for path in ("/auth/account", "/auth/users"):
        tab.goto(live_server + path)
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390, path
    context.close()


def test_the_tags_page_shows_each_rename_box_whole_on_a_phone(app, browser, live_server):
    from suite.bookmarks.bookmarks import add_bookmark
    with app.app_context():
        alice = create_user("alice", PASSWORD)
        add_bookmark(alice, "https://example.com/", tags="python a-very-long-tag-name-for-reading-later")
    context, tab = _signed_in_phone(browser, live_server)
    tab.goto(live_server + "/bookmarks/tags")
    table = tab.locator(".table-wrap")
    assert table.evaluate("el => el.scrollWidth <= el.clientWidth"), "the table scrolls sideways"
    for box in tab.locator("input[name=new]").all():
        assert box.evaluate("el => el.getBoundingClientRect().right") <= 390
    context.close()


def test_a_long_tag_and_a_url_in_a_description_or_notes_wrap_on_a_phone(app, browser, live_server):
    """Tags may be one 64-letter word, and a pasted URL has no space to break at."""
    from suite.bookmarks.bookmarks import add_bookmark
    url = "https://example.org/" + "averyveryverylongpathsegment" * 6
    with app.app_context():
        alice = create_user("alice", PASSWORD)
        bookmark, _ = add_bookmark(alice, "https://example.org/a", title="Reading list", is_private=False,
                                   tags="rindfleischetikettierungsueberwachungsaufgabenuebertragungsgesetz",
                                   description="Mirror: " + url, notes=f"Source: `{url}` or {url}", enqueue=False)
    context, tab = _signed_in_phone(browser, live_server)
    for path in ("/", "/bookmarks/", "/bookmarks/?view=list", f"/bookmarks/{bookmark.id}", "/search?q=reading",
                 "/u/alice", "/u/alice/bookmarks"):
        tab.goto(live_server + path)
        assert tab.evaluate("document.documentElement.scrollWidth") <= 390, path
    context.close()


# Where a block's text sits in its box: a right-to-left paragraph ends at the right edge, whatever its width.
TEXT_EDGES = """el => { const r = document.createRange(); r.selectNodeContents(el);
  const text = r.getBoundingClientRect(), box = el.getBoundingClientRect();
  return [Math.round(text.left - box.left), Math.round(box.right - text.right)]; }"""


def test_hebrew_reads_right_to_left_while_english_and_code_stay_left_to_right(app, browser, live_server):
    import json
    from urllib.parse import quote
    with app.app_context():
        _, token = create_token(create_user("alice", PASSWORD), "rtl")
    context, tab = _signed_in_phone(browser, live_server)
    api = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    page = "/wiki/" + quote("שלום עולם")
    text = "English first.\n\nזהו טקסט בעברית עם English words ו-123 מספרים.\n\n- פריט אחד\n\n```\nשלום = 1\n```\n"
    tab.request.put(live_server + "/api/v1" + page, headers=api, data=json.dumps({"content": text, "base_revision": 0}))
    tab.request.post(live_server + "/api/v1/bookmarks", headers=api,
                     data=json.dumps({"url": "https://example.com/he", "title": "שלום עולם – כותרת!"}))
    slug = tab.request.post(live_server + "/api/v1/pastes", headers=api, data=json.dumps(
        {"title": "הדבקה בעברית!", "files": [{"name": "a.txt", "content": "x\n"}]})).json()["slug"]

    def runs_right_to_left(selector, **has):
        left, right = tab.locator(selector, **has).first.evaluate(TEXT_EDGES)
        return right < 2 < left

    tab.goto(live_server + page)
    assert runs_right_to_left("main h1")
    assert runs_right_to_left(".wiki-content p", has_text="זהו") and runs_right_to_left(".wiki-content li")
    assert not runs_right_to_left(".wiki-content p", has_text="English first")
    assert not runs_right_to_left(".wiki-content pre code")
    tab.goto(live_server + page + "/edit")
    assert tab.locator("textarea#editText").get_attribute("dir") == "auto"  # each line typed its own way
    tab.goto(live_server + "/bookmarks/")
    assert tab.locator(".bm-title").evaluate("el => getComputedStyle(el).direction") == "rtl"
    tab.goto(live_server + f"/paste/{slug}")
    assert runs_right_to_left("main h1")
    context.close()
