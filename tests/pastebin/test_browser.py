"""The pastebin in a real Chromium: creating through the form, line links and range selection."""
import pytest

pytestmark = pytest.mark.browser

CODE = "\n".join(f"line_{n} = {n}" for n in range(1, 11)) + "\n"


def _create(page, live_server):
    page.goto(live_server + "/paste/")
    page.fill("input[name=title]", "Ten lines")
    page.fill("input[name='files-0-name']", "ten.py")
    page.fill("textarea[name='files-0-content']", CODE)
    page.click("button:has-text('Create paste')")
    page.wait_for_selector("pre.code")
    return page.url


def _highlighted(page):
    return page.eval_on_selector_all("pre.code .line.hl", "els => els.map(e => e.id)")


def test_create_paste_through_the_form(page, live_server):
    url = _create(page, live_server)
    assert "/paste/" in url
    assert page.inner_text("h1") == "Ten lines"
    assert page.locator("pre.code .line").count() == 10
    assert page.locator("pre.code span.nb, pre.code span.n").count() > 0
    assert page.page_errors == []


def test_range_link_highlights_those_lines(page, live_server):
    url = _create(page, live_server)
    page.goto(url + "#L3-L5")
    assert _highlighted(page) == ["L3", "L4", "L5"]
    assert page.page_errors == []


def test_shift_click_selects_a_range(page, live_server):
    url = _create(page, live_server)
    page.goto(url)
    page.click("a.ln[href='#L2']")
    page.click("a.ln[href='#L6']", modifiers=["Shift"])
    assert page.evaluate("location.hash") == "#L2-L6"
    assert _highlighted(page) == ["L2", "L3", "L4", "L5", "L6"]


def test_single_line_link_works_without_javascript(browser, live_server, page):
    url = _create(page, live_server)
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    tab.goto(url + "#L4")
    target = tab.locator("#L4")
    other = tab.locator("#L5")
    bg = target.evaluate("e => getComputedStyle(e).backgroundColor")
    assert bg != other.evaluate("e => getComputedStyle(e).backgroundColor")
    context.close()


def test_enter_in_the_title_creates_the_paste(page, live_server):
    page.goto(live_server + "/paste/")
    page.fill("textarea[name='files-0-content']", "hello world\n")
    page.fill("input[name=title]", "Made with Enter")
    page.focus("input[name=title]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    page.wait_for_selector("pre.code")
    assert page.inner_text("h1") == "Made with Enter"
    assert page.locator("textarea[name='files-1-content']").count() == 0
    assert page.page_errors == []


def test_the_default_create_button_is_out_of_the_tab_order(page, live_server):
    page.goto(live_server + "/paste/")
    hidden = page.locator("form.paste-form button[type=submit]").first
    assert hidden.inner_text() == "Create paste"
    assert hidden.get_attribute("tabindex") == "-1"
    assert hidden.get_attribute("aria-hidden") == "true"
    box = hidden.bounding_box()
    assert box is None or (box["width"] <= 1 and box["height"] <= 1)
