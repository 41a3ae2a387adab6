"""The wiki in a real Chromium: red links lead to creation, two browsers racing on one page."""
import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def sign_in(tab, base, name):
    tab.goto(base + "/auth/login")
    tab.fill("input[name=username]", name)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit]")


def save_page(tab, base, title, text):
    tab.goto(f"{base}/wiki/{title}/edit")
    tab.fill("textarea[name=content]", text)
    tab.click("input[name=save]")


def test_red_wikilink_leads_to_creating_the_target(page, live_server, users):
    sign_in(page, live_server, "alice")
    save_page(page, live_server, "Home", "Read the [[Field guide]] first.")
    link = page.locator("a.wikilink.missing")
    assert link.inner_text() == "Field guide"
    link.click()
    assert page.url.endswith("/wiki/Field_guide/edit")
    page.fill("textarea[name=content]", "# Birds\n\nLook up.")
    page.click("input[name=save]")
    assert page.inner_text("h1").startswith("Field guide")
    page.goto(live_server + "/wiki/")
    assert page.locator("a.wikilink:not(.missing)").inner_text() == "Field guide"
    assert page.page_errors == []


def test_preview_without_javascript(browser, live_server, users):
    context = browser.new_context(java_script_enabled=False)
    tab = context.new_page()
    sign_in(tab, live_server, "alice")
    tab.goto(live_server + "/wiki/Draft/edit")
    tab.fill("textarea[name=content]", "Some *emphasis*")
    tab.click("input[name=preview]")
    assert tab.inner_text(".wiki-preview em") == "emphasis"
    assert tab.input_value("textarea[name=content]") == "Some *emphasis*"
    context.close()


def test_two_browsers_conflict_and_resolve(browser, live_server, users):
    alice_ctx, bob_ctx = browser.new_context(), browser.new_context()
    alice, bob = alice_ctx.new_page(), bob_ctx.new_page()
    sign_in(alice, live_server, "alice")
    sign_in(bob, live_server, "bob")
    save_page(alice, live_server, "Plan", "Meeting on Monday\n")
    alice.goto(live_server + "/wiki/Plan/edit")
    bob.goto(live_server + "/wiki/Plan/edit")
    bob.fill("textarea[name=content]", "Meeting on Tuesday\n")
    bob.click("input[name=save]")
    alice.fill("textarea[name=content]", "Meeting on Wednesday\n")
    with alice.expect_response(lambda r: r.url.endswith("/wiki/Plan/edit")) as info:
        alice.click("input[name=save]")
    assert info.value.status == 409
    assert "Edit conflict" in alice.inner_text(".wiki-conflict")
    assert "Meeting on Tuesday" in alice.inner_text(".wiki-diff")
    editor = alice.input_value("textarea[name=content]")  # both versions, between conflict markers
    assert editor.index("Meeting on Wednesday") < editor.index("=======") < editor.index("Meeting on Tuesday")
    alice.fill("textarea[name=content]", "Meeting on Tuesday or Wednesday\n")
    alice.click("input[name=save]")
    assert "Saved." in alice.inner_text(".flashes")
    bob.goto(live_server + "/wiki/Plan")
    assert "Tuesday or Wednesday" in bob.inner_text(".wiki-content")
    alice_ctx.close()
    bob_ctx.close()


def test_page_fits_a_phone_screen(browser, live_server, users, wiki):
    wiki.save("Wide", "[TOC]\n\n# A heading\n\n| a | b | c |\n|---|---|---|\n| " + "x" * 200 + " | y | z |\n\n"
              "```\n" + "long code line " * 30 + "\n```\n")
    context = browser.new_context(viewport={"width": 360, "height": 740})
    tab = context.new_page()
    tab.goto(live_server + "/wiki/Wide")
    assert tab.evaluate("document.documentElement.scrollWidth") <= 360
    context.close()


LONG_WORD = "PropertySourcesPlaceholderConfigurer.postProcessBeanFactory"


@pytest.mark.parametrize("path", ["/wiki/{t}", "/wiki/{t}/history", "/wiki/{t}/backlinks", "/wiki/{t}/attachments",
                                  "/wiki/pages", "/wiki/search?q=hello", "/wiki/Contents"])
def test_long_words_and_a_table_of_contents_fit_a_phone(browser, live_server, users, path):
    """A title of one long word (a class name) and a [TOC] of long headings wrap at 375 px."""
    context = browser.new_context(viewport={"width": 375, "height": 700})
    tab = context.new_page()
    sign_in(tab, live_server, "alice")
    save_page(tab, live_server, LONG_WORD, "hello there")
    save_page(tab, live_server, "Contents", f"[[{LONG_WORD}]] hello\n\n[TOC]\n\n## {LONG_WORD} and "
              + "a heading long enough to need several lines on a phone\n\ntext\n")
    tab.goto(live_server + path.format(t=LONG_WORD))
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()


def test_a_headings_edit_link_edits_that_section_alone(page, live_server, users):
    sign_in(page, live_server, "alice")
    save_page(page, live_server, "Guide", "# Install\n\nGet it.\n\n# Use\n\nRun it.\n")
    page.locator("h1#use a.section-edit").click()
    assert page.input_value("textarea[name=content]").strip() == "# Use\n\nRun it."
    page.fill("textarea[name=content]", "# Use\n\nRun it daily.\n")
    page.click("input[name=save]")
    assert "Run it daily." in page.inner_text(".wiki-content") and "Get it." in page.inner_text(".wiki-content")
    assert page.locator("a.section-edit").first.is_visible()
    assert page.page_errors == []
