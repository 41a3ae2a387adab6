"""Markdown that would take minutes to render is stopped and the page shown as plain text."""
import sqlite3
import threading
import time

import pytest

from suite.auth.accounts import create_user
from suite.extensions import db
from suite.wiki.models import Link, Page, Revision
from tests.conftest import PASSWORD, AuthActions
from tests.wiki.conftest import WikiActions

# Markdown that Python-Markdown takes long over: 40 kB of "[a](" (its link parsing is quadratic
# there: 29 s in-process with Markdown 3.11.4), then 20 kB of "[[" (about 100 s before 3.11, which
# made it fast). Either alone outlasts the timeouts below; together they do whichever version runs.
SLOW = "See [[Elsewhere]] and [[Home]].\n\n" + "[a](" * 10_000 + "\n\n" + "[[" * 10_000


def _wiki(make_app, **settings):
    app = make_app(**settings)
    with app.app_context():
        create_user("alice", PASSWORD)
    client = app.test_client()
    AuthActions(client).login("alice")
    return app, WikiActions(client)


def test_a_page_too_slow_to_render_is_saved_and_shown_as_its_text(make_app):
    app, wiki = _wiki(make_app, WIKI_RENDER_TIMEOUT=1.0)
    started = time.monotonic()
    assert wiki.save("Brackets", SLOW).status_code == 302
    assert time.monotonic() - started < 60  # stopped, not rendered to the end
    page = wiki.client.get("/wiki/Brackets").get_data(as_text=True)
    assert "could not be formatted within 1 seconds" in page
    assert "See [[Elsewhere]] and [[Home]]." in page  # the source, escaped, not lost
    with app.app_context(), db.connection_context():
        page_id = Page.get(Page.title == "Brackets").id
        assert {link.to_key for link in Link.select().where(Link.from_page == page_id)} == {"elsewhere", "home"}


def test_a_page_the_renderer_fails_on_is_saved_and_shown_as_its_text(make_app):
    """2,000 nested * made Python-Markdown's table of contents recurse too deep: save and preview were a 500."""
    app, wiki = _wiki(make_app)
    deep = "See [[Home]].\n\n" + "*" * 3000 + "x" + "*" * 3000
    assert wiki.client.post("/wiki/Stars/edit", data={"content": deep, "base_revision": "0",
                                                      "preview": "1"}).status_code == 200
    assert wiki.save("Stars", deep).status_code == 302
    page = wiki.client.get("/wiki/Stars").get_data(as_text=True)
    assert "could not be formatted, so its text is shown" in page and "See [[Home]]." in page
    with app.app_context(), db.connection_context():
        page_id = Page.get(Page.title == "Stars").id
        assert [link.to_key for link in Link.select().where(Link.from_page == page_id)] == ["home"]


def test_ordinary_pages_render_in_the_worker_with_links_embeds_and_attachments(make_app):
    app, wiki = _wiki(make_app)
    wiki.save("Target", "here")
    wiki.save("Source", "[[Target]] [[Missing page]] [[Target#part|label]] ![p](photo.png) **bold**")
    html = wiki.client.get("/wiki/Source").get_data(as_text=True)
    assert 'class="wikilink" href="/wiki/Target"' in html or 'href="/wiki/Target" class="wikilink"' in html
    assert "/wiki/Missing_page/edit" in html and "wikilink missing" in html
    assert 'href="/wiki/Target#part"' in html and ">label</a>" in html
    assert 'src="/wiki/Source/attachments/photo.png"' in html
    assert "<strong>bold</strong>" in html
    wiki.save("Specs/API", "[the spec](spec.pdf), [a page](Other), [a site](https://example.com/a.pdf), [code](x.py)")
    with app.app_context(), db.connection_context():
        html = Revision.get(Revision.page == Page.get(Page.title == "Specs/API").id).html
    assert 'href="/wiki/Specs/API/attachments/spec.pdf"' in html  # resolved against /wiki/Specs/ it was a 404
    assert 'href="Other"' in html and 'href="https://example.com/a.pdf"' in html and 'href="x.py"' in html


def test_a_slow_render_does_not_hold_the_write_lock(make_app):
    """While a page renders (here for a whole second), another connection can write at once."""
    app, wiki = _wiki(make_app, WIKI_RENDER_TIMEOUT=1.0)
    if not app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("checks SQLite's write lock")
    path = app.config["DATABASE_URL"].split(":///", 1)[1]
    saving = threading.Thread(target=wiki.save, args=("Brackets", SLOW))
    saving.start()
    time.sleep(0.5)  # the render is under way: it runs for the full second
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # "database is locked" if the save held the lock
        other.execute("ROLLBACK")
    finally:
        other.close()
    saving.join()
    assert "could not be formatted" in wiki.client.get("/wiki/Brackets").get_data(as_text=True)


def test_a_page_linked_while_rendering_is_not_left_red(make_app):
    """A render made before the write is dropped when a page it links to appears meanwhile."""
    app, wiki = _wiki(make_app)
    with app.test_request_context(), db.connection_context():
        from suite.auth.models import User
        from suite.wiki import links, pages
        alice = User.get(User.username == "alice")
        rendered = links.render_source("Source", "[[Later]]", existing=("Source",))
        assert "wikilink missing" in rendered.html
        pages.save_page("Later", "now here", 0, alice)
        assert links.links_changed(rendered)
    wiki.save("Source", "[[Later]]")
    html = wiki.client.get("/wiki/Source").get_data(as_text=True)
    assert 'href="/wiki/Later"' in html and "wikilink missing" not in html


def test_pages_rendered_before_attachment_links_render_again_after_migration_0028(make_app):
    from suite.database import migration_runner
    app, wiki = _wiki(make_app)
    wiki.save("Specs", "[the spec](spec.pdf)")
    with app.app_context(), db.connection_context():
        stale = '<p><a href="spec.pdf">the spec</a></p>'  # what the renderer before 0028 stored
        Revision.update(html=stale).execute()
        runner = migration_runner()
        runner.down(target="0027_bookmark_title_sort")
        runner.up()
    assert 'href="/wiki/Specs/attachments/spec.pdf"' in wiki.client.get("/wiki/Specs").get_data(as_text=True)
