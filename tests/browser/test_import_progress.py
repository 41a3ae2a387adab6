"""An import's progress page follows the run as it goes, without reloading, for bookmarks and the wiki alike."""
import pytest

from suite.auth.accounts import create_user
from tests.conftest import PASSWORD

pytestmark = pytest.mark.browser


def _sign_in(page, live_server):
    page.goto(live_server + "/auth/login")
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", PASSWORD)
    page.click("main button[type=submit]")


def _follows_the_run(app, page, live_server, run, path, noun, **halfway):
    _sign_in(page, live_server)
    page.goto(live_server + path)
    page.evaluate("window.notReloaded = true")
    assert page.locator("progress").evaluate("el => el.value") == 2
    with app.app_context():
        type(run).update(processed=7, message="Halfway there.", **halfway).where(type(run).id == run.id).execute()
    page.wait_for_function("() => document.querySelector('[data-part=count]').textContent === '7'", timeout=5000)
    assert page.locator("progress").evaluate("el => [el.value, el.max]") == [7, 10]
    assert page.text_content("[data-part=message]") == "Halfway there."
    assert page.is_visible("text=This page refreshes by itself.")
    with app.app_context():
        type(run).update(status="done", processed=10, message="Finished.").where(type(run).id == run.id).execute()
    page.wait_for_function("() => document.querySelector('[data-part=status]').textContent === 'done'", timeout=5000)
    assert page.text_content("[data-part=message]") == "Finished."
    assert not page.is_visible("text=This page refreshes by itself.")
    assert page.evaluate("window.notReloaded") is True, "the page reloaded instead of polling"
    assert f"of 10 {noun}" in page.text_content("main")
    assert page.page_errors == []


def test_the_bookmark_import_page_follows_the_run(app, page, live_server):
    from suite.bookmarks.models import ImportRun
    with app.app_context():
        alice = create_user("alice", PASSWORD)
        run = ImportRun.create(owner=alice, filename="ff.html", status="running", total=10, processed=2)
    _follows_the_run(app, page, live_server, run, f"/bookmarks/import/{run.id}", "entries")


def test_the_wiki_import_page_follows_the_run_and_lists_new_problems(app, page, live_server):
    from suite.wiki.models import ImportRun
    with app.app_context():
        alice = create_user("alice", PASSWORD)
        run = ImportRun.create(owner=alice, filename="wiki.zip", status="running", total=10, processed=2,
                               skipped=1, problems="Old page: first problem")
    _follows_the_run(app, page, live_server, run, f"/wiki/import/{run.id}", "pages", skipped=2,
                     problems="Old page: first problem\nBad/Name: a title may not hold '/'")
    assert page.locator("[data-part=problems] li").all_text_contents() == [
        "Old page: first problem", "Bad/Name: a title may not hold '/'"]


def test_the_progress_page_keeps_polling_after_a_failed_request(app, page, live_server):
    from suite.bookmarks.models import ImportRun
    with app.app_context():
        alice = create_user("alice", PASSWORD)
        run = ImportRun.create(owner=alice, filename="ff.html", status="running", total=10, processed=2)
    _sign_in(page, live_server)
    failures = []

    def fail_once(route):
        if not failures:
            failures.append(route.request.url)
            route.abort()
        else:
            route.continue_()
    page.route("**/import/*.json", fail_once)
    page.goto(live_server + f"/bookmarks/import/{run.id}")
    with app.app_context():
        ImportRun.update(status="done", processed=10).where(ImportRun.id == run.id).execute()
    page.wait_for_function("() => document.querySelector('[data-part=status]').textContent === 'done'", timeout=12000)
    assert failures, "no status request was made"
