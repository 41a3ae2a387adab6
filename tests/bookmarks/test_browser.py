"""In a real browser: save a page through the bookmarklet URL and see its screenshot thumbnail."""
import os
from urllib.parse import quote

import pytest

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not os.path.exists("/usr/bin/chromium"), reason="needs Chromium")]


@pytest.fixture
def app(make_app):
    """This module's app takes real screenshots of the local test site."""
    return make_app(SCREENSHOT_BACKEND="playwright", FETCH_ALLOW_HOSTS="127.0.0.1",
                    CHROMIUM_PATH="/usr/bin/chromium", SCREENSHOT_TIMEOUT=6.0, FETCH_TIMEOUT=2.0)


def _sign_in(page, live_server, app):
    from suite.auth.accounts import create_user
    with app.app_context():
        create_user("alice", PASSWORD)
    page.goto(live_server + "/auth/login")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")


def _loaded_width(page, selector):
    """The natural width of an image once the browser has finished loading it (thumbnails load lazily)."""
    img = page.wait_for_selector(selector)
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=img, timeout=10_000)
    return page.evaluate("img => img.naturalWidth", img)


def test_bookmarklet_save_shows_screenshot_thumbnail(page, live_server, app, site):
    _sign_in(page, live_server, app)
    target = f"{site.url}/article"
    page.goto(f"{live_server}/bookmarks/add?url={quote(target, safe='')}&title={quote('From the bookmarklet')}")
    assert page.input_value("input[name=url]") == target
    page.fill("input[name=tags]", "reading, demo")
    page.click("form.card button[type=submit]")
    assert "From the bookmarklet" in page.inner_text("h1")
    assert "picture: screenshot" in page.inner_text(".bm-meta")
    assert _loaded_width(page, "#bm-picture img.bm-thumb") == 1280
    page.goto(live_server + "/bookmarks/")
    assert _loaded_width(page, ".bm-grid img.bm-thumb") == 400
    assert page.page_errors == []


def test_keyboard_shortcuts_move_and_search(page, live_server, app):
    _sign_in(page, live_server, app)
    from suite.auth.models import User
    from suite.bookmarks.bookmarks import add_bookmark
    with app.app_context():
        user = User.by_name("alice")
        for i in range(2):
            add_bookmark(user, f"https://example.com/{i}", title=f"Item {i}", enqueue=False)
    page.goto(live_server + "/bookmarks/")
    page.keyboard.press("j")
    page.keyboard.press("j")
    assert page.eval_on_selector(".bm-item.is-current .bm-title", "a => a.textContent") == "Item 0"
    page.keyboard.press("e")
    page.wait_for_url("**/edit")
    page.goto(live_server + "/bookmarks/")
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "bm-q"
    page.keyboard.press("Escape")
    page.evaluate("document.activeElement.blur()")
    page.keyboard.press("n")
    page.wait_for_url("**/bookmarks/add")
    assert page.page_errors == []


def test_list_fits_a_phone_in_dark_mode(browser, live_server, app):
    context = browser.new_context(viewport={"width": 360, "height": 740}, color_scheme="dark")
    tab = context.new_page()
    _sign_in(tab, live_server, app)
    from suite.auth.models import User
    from suite.bookmarks.bookmarks import add_bookmark
    with app.app_context():
        add_bookmark(User.by_name("alice"), "https://example.com/" + "long-path/" * 30, title="T " * 40,
                     enqueue=False)
    tab.goto(live_server + "/bookmarks/")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()


def _two_bookmarks(app):
    from suite.auth.models import User
    from suite.bookmarks.bookmarks import add_bookmark
    with app.app_context():
        for i in range(2):
            add_bookmark(User.by_name("alice"), f"https://example.com/{i}", title=f"Item {i}", enqueue=False)


def test_select_all_shows_and_works_only_with_javascript(browser, page, live_server, app):
    _sign_in(page, live_server, app)
    _two_bookmarks(app)
    page.goto(live_server + "/bookmarks/")
    page.check("#bm-all")
    assert page.eval_on_selector_all("input[name=ids]", "boxes => boxes.map(b => b.checked)") == [True, True]
    assert page.page_errors == []
    context = browser.new_context(java_script_enabled=False, storage_state=page.context.storage_state())
    tab = context.new_page()
    tab.goto(live_server + "/bookmarks/")
    assert tab.locator("input[name=ids]").count() == 2
    assert not tab.is_visible("#bm-all")
    context.close()


def test_applying_with_nothing_selected_stays_on_the_list_without_javascript(browser, page, live_server, app):
    _sign_in(page, live_server, app)
    _two_bookmarks(app)
    context = browser.new_context(java_script_enabled=False, storage_state=page.context.storage_state())
    tab = context.new_page()
    tab.goto(live_server + "/bookmarks/?view=list&sort=title")
    tab.select_option("select[name=action]", "mark_read")
    with tab.expect_navigation():
        tab.click(".bm-bulk button[type=submit]")
    assert tab.url == live_server + "/bookmarks/?view=list&sort=title"
    assert "Select at least one bookmark." in tab.inner_text(".flash")
    assert tab.locator("input[name=ids]").count() == 2
    context.close()


@pytest.mark.parametrize("width", [360, 1280])
def test_the_grid_checkbox_covers_no_text_of_a_card(browser, live_server, app, width):
    """Neither the page's placeholder nor a drawn card picture has text under the selection box."""
    from suite.bookmarks import thumbnails
    context = browser.new_context(viewport={"width": width, "height": 900})
    tab = context.new_page()
    _sign_in(tab, live_server, app)
    from suite.auth.models import User
    from suite.bookmarks.bookmarks import add_bookmark
    domain = "averyveryverylongsubdomainname" * 2 + ".example.com"
    with app.app_context():
        add_bookmark(User.by_name("alice"), f"https://{domain}/", title="Long domain", enqueue=False)
        add_bookmark(User.by_name("alice"), "https://ex.com/", title="Short domain", enqueue=False)
    tab.goto(live_server + "/bookmarks/?view=grid")
    # The box with a few pixels around it (its backing), as fractions of the picture it lies on.
    covered = tab.evaluate("""() => [...document.querySelectorAll('.bm-grid .bm-item')].map(item => {
        const box = item.querySelector('input[type=checkbox]').getBoundingClientRect();
        const pic = item.querySelector('.bm-thumb').getBoundingClientRect();
        const range = document.createRange();
        range.selectNodeContents(item.querySelector('.bm-placeholder span'));
        const hits = [...range.getClientRects()].filter(r => r.left < box.right + 3 && r.right > box.left - 3
                                                          && r.top < box.bottom + 3 && r.bottom > box.top - 3);
        return {texts: hits.length, x0: (box.left - 3 - pic.left) / pic.width, x1: (box.right + 3 - pic.left) / pic.width,
                y0: (box.top - 3 - pic.top) / pic.height, y1: (box.bottom + 3 - pic.top) / pic.height};
    })""")
    context.close()
    assert [c["texts"] for c in covered] == [0, 0]
    card = thumbnails.draw_card(domain, "A title long enough to wrap onto every line the card has room for " * 3)
    w, h = card.size
    c = covered[0]
    under = card.crop((max(0, int(c["x0"] * w)), max(0, int(c["y0"] * h)), int(c["x1"] * w) + 1, int(c["y1"] * h) + 1))
    assert {colour for _, colour in under.getcolors(1 << 24)} == {thumbnails.colour_for(domain)}
