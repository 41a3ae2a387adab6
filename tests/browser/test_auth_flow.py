"""Signing up, in and out in a real Chromium, and a form whose CSRF token was tampered with."""
import pytest

from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def test_register_login_logout_in_a_browser(page, live_server):
    page.goto(live_server + "/auth/register")
    page.fill("input[name=username]", "walter")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=confirm]", PASSWORD)
    page.click("button[type=submit]")
    assert page.inner_text("h1") == "Hello, walter"
    page.click("summary:has-text('walter')")
    page.click("text=Sign out")
    assert "You are signed out." in page.inner_text(".flashes")
    page.click(".nav-user >> text=Sign in")
    page.fill("input[name=username]", "walter")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    assert "Welcome back, walter." in page.inner_text(".flashes")
    assert page.page_errors == []


def test_tampered_csrf_token_is_refused_and_explained(page, live_server):
    page.goto(live_server + "/auth/register")
    page.fill("input[name=username]", "mallory")
    page.fill("input[name=password]", PASSWORD)
    page.fill("input[name=confirm]", PASSWORD)
    page.eval_on_selector("input[name=csrf_token]", "el => el.value = 'forged'")
    with page.expect_response(lambda r: r.url.endswith("/auth/register")) as info:
        page.click("button[type=submit]")
    assert info.value.status == 400
    assert "did not come from this site" in page.inner_text("main")
    page.goto(live_server + "/auth/login")
    page.fill("input[name=username]", "mallory")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    assert "Wrong username or password" in page.inner_text("main")   # nothing was created


def test_layout_fits_a_phone_screen(browser, live_server):
    context = browser.new_context(viewport={"width": 360, "height": 740})
    tab = context.new_page()
    tab.goto(live_server + "/")
    width = tab.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    assert not tab.is_visible(".nav-apps")          # folded behind the menu button
    tab.click("label.nav-burger")
    assert tab.is_visible(".nav-apps")
    context.close()
