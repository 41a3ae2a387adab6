"""The pastebin in a real Chromium: creating through the form, line links and range selection."""
import pytest

pytestmark = pytest.mark.browser

CODE = "\n".join(f"line_{n} = {n}" for n in range(1, 11)) + "\n"


def _create(page, live_server):
    page.goto(live_server + "/paste/")
    page.fill("input[name=title]", "Ten lines")
    page.fill("input[name='files-0-name']", "ten.py")
    page.fill("textarea[name='files-0-content']", CODE)
    page.get_by_role("button", name="Create paste").click()
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


def test_a_range_past_the_last_line_marks_up_to_it_and_leaves_the_page_responsive(page, live_server):
    """The range came from the link as it was: #L8-L2000000000 looped two billion times and froze the tab."""
    url = _create(page, live_server)
    page.goto(url + "#L8-L2000000000", wait_until="commit")
    page.wait_for_function("() => document.readyState === 'complete'", timeout=5000)  # not so when frozen
    assert _highlighted(page) == ["L8", "L9", "L10"]
    page.goto(url + "#L2000000000-L1")
    assert _highlighted(page) == ["L1", "L2", "L3", "L4", "L5", "L6", "L7", "L8", "L9", "L10"]


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


MARKDOWN = "\n# Notes\n\nSome *emphasis* and a list:\n\n- one\n- two\n"


def _copied(browser, url):
    """Click the first file's Copy button at ``url``; (the clipboard text, the button's label after)."""
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    tab = context.new_page()
    errors = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    tab.goto(url)
    button = tab.locator("#file-1 button[data-copy]")
    target = button.get_attribute("data-copy")
    assert tab.locator(target).count() == 1, f"Copy points at {target}, which is not on the page"
    tab.evaluate("navigator.clipboard.writeText('')")
    button.click()
    tab.wait_for_function("document.querySelector('#file-1 button[data-copy]').textContent === 'Copied'")
    copied = tab.evaluate("navigator.clipboard.readText()")
    context.close()
    assert errors == []
    return copied


@pytest.mark.parametrize("query", ["", "?source=1"], ids=["rendered", "source"])
def test_copy_copies_the_markdown_source_in_both_views(browser, page, live_server, query):
    page.goto(live_server + "/paste/")
    page.fill("input[name='files-0-name']", "notes.md")
    page.fill("textarea[name='files-0-content']", MARKDOWN)
    page.get_by_role("button", name="Create paste").click()
    page.wait_for_selector(".markdown-body")
    assert _copied(browser, page.url + query) == MARKDOWN
