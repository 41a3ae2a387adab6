"""Two people editing one page: clean merges are saved and announced, overlaps never overwrite."""
import html
import random
import re
import sqlite3
import threading

import pytest

from suite.errors import Conflict
from suite.wiki import pages
from suite.wiki.merge import merge3
from suite.wiki.models import Page, Revision

BASE = "# Plan\n\nintro line\n\nmiddle line\n\nlast line\n"


@pytest.fixture
def page_v1(wiki):
    """A page at revision 1 that alice and bob both opened."""
    wiki.save("Plan", BASE)
    return 1


def current_text(app, key="plan"):
    with app.app_context():
        page = Page.get(Page.key == key)
        return Revision.get(Revision.page == page, Revision.number == page.version).content


def test_stale_save_with_separate_changes_is_merged_and_announced(page_v1, wiki, bob_wiki, app):
    bob_wiki.save("Plan", BASE.replace("last line", "last line (bob)"), base=page_v1)
    resp = wiki.save("Plan", BASE.replace("intro line", "intro line (alice)"), base=page_v1)
    assert resp.status_code == 302
    text = current_text(app)
    assert "intro line (alice)" in text and "last line (bob)" in text
    flash = wiki.client.get(resp.headers["Location"]).data
    assert b"merged with bob" in flash


def test_a_merge_with_my_own_save_from_another_window_says_so(page_v1, wiki, bob_wiki, app):
    wiki.save("Plan", BASE.replace("last line", "last line (first window)"), base=page_v1)
    resp = wiki.save("Plan", BASE.replace("intro line", "intro line (second window)"), base=page_v1)
    flash = html.unescape(wiki.client.get(resp.headers["Location"]).get_data(as_text=True))
    assert "merged with your own save from another window." in flash and "alice's change" not in flash
    base = current_text(app)
    bob_wiki.save("Plan", base.replace("middle line", "middle line (bob)"), base=page_v1 + 2)
    wiki.save("Plan", base.replace("(first window)", "(third window)"), base=page_v1 + 3)
    resp = wiki.save("Plan", base.replace("(second window)", "(fourth window)"), base=page_v1 + 2)
    flash = html.unescape(wiki.client.get(resp.headers["Location"]).get_data(as_text=True))
    assert "merged with bob's change and your own save from another window." in flash


def test_overlapping_stale_save_shows_conflict_screen_and_keeps_text(page_v1, wiki, bob_wiki, app):
    bob_wiki.save("Plan", BASE.replace("middle line", "middle line by bob"), base=page_v1)
    mine = BASE.replace("middle line", "middle line by alice")
    resp = wiki.save("Plan", mine, base=page_v1)
    assert resp.status_code == 409
    html = resp.data.decode()
    assert "Edit conflict" in html
    assert "middle line by alice" in html  # my text, kept in the form
    assert "middle line by bob" in html    # their text and the diff
    assert 'name="base_revision" type="hidden" value="2"' in html
    assert current_text(app) == BASE.replace("middle line", "middle line by bob")


def test_saving_again_from_conflict_screen_succeeds(page_v1, wiki, bob_wiki, app):
    bob_wiki.save("Plan", BASE.replace("middle line", "bob"), base=page_v1)
    wiki.save("Plan", BASE.replace("middle line", "alice"), base=page_v1)
    resp = wiki.save("Plan", BASE.replace("middle line", "alice and bob"), base=2)
    assert resp.status_code == 302
    assert "alice and bob" in current_text(app)


def test_two_creators_of_one_new_page_do_not_overwrite(wiki, bob_wiki, app):
    bob_wiki.save("Fresh", "bob's page", base=0)
    resp = wiki.save("Fresh", "alice's page", base=0)
    assert resp.status_code == 409
    assert current_text(app, "fresh") == "bob's page\n"


def test_service_raises_conflict_with_current_revision(page_v1, app, users):
    with app.app_context():
        pages.save_page("Plan", BASE.replace("middle line", "one"), page_v1, users["bob"])
        with pytest.raises(Conflict) as caught:
            pages.save_page("Plan", BASE.replace("middle line", "two"), page_v1, users["alice"])
        assert caught.value.status == 409
        assert caught.value.current.number == 2


def test_unknown_base_revision_is_400(page_v1, wiki):
    resp = wiki.save("Plan", "text", base=7)
    assert resp.status_code == 400
    assert b"Revision 7" in resp.data


def test_racing_clients_never_lose_an_update(wiki, app, users):
    """Six threads save edits of different lines against the same base at once: all six survive."""
    lines = [f"line {n}\n" for n in range(13)]
    wiki.save("Race", "".join(lines))
    errors = []

    def edit(n):
        from suite.extensions import db
        mine = list(lines)
        mine[2 * n] = f"line {2 * n} edited by writer {n}\n"
        with app.app_context():
            try:
                pages.save_page("Race", "".join(mine), 1, users["alice" if n % 2 else "bob"])
            except Exception as err:  # noqa: BLE001 - the test reports any failure below
                errors.append(err)
            finally:
                if not db.is_closed():
                    db.close()

    threads = [threading.Thread(target=edit, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    text = current_text(app, "race")
    for n in range(6):
        assert f"edited by writer {n}" in text
    with app.app_context():
        assert Page.get(Page.key == "race").version == 7


def look_alike_page(seed):
    """8,000 lines of "a" and "b": no merge can line two edits of it up cheaply."""
    rng = random.Random(seed)
    return "".join(rng.choice("ab") + "\n" for _ in range(8000))


def test_stale_save_too_costly_to_merge_is_a_conflict_with_text_kept(wiki, bob_wiki, app):
    wiki.save("Big", look_alike_page(1))
    bob_wiki.save("Big", look_alike_page(2), base=1)
    mine = look_alike_page(3) + "my closing line\n"
    resp = wiki.save("Big", mine, base=1)
    assert resp.status_code == 409
    assert b"too large and too alike to merge" in resp.data
    assert b"my closing line" in resp.data
    assert current_text(app, "big") == look_alike_page(2)


def test_stale_api_put_too_costly_to_merge_is_409(wiki, bob_wiki, client, token, app):
    wiki.save("Big", look_alike_page(1))
    bob_wiki.save("Big", look_alike_page(2), base=1)
    resp = client.put("/api/v1/wiki/Big", json={"content": look_alike_page(3), "base_revision": 1},
                      headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 409
    assert resp.json["current"]["revision"] == 2
    assert current_text(app, "big") == look_alike_page(2)


def test_merge_runs_while_others_can_write(page_v1, wiki, bob_wiki, app, monkeypatch):
    """While a stale save merges, another connection can take SQLite's write lock at once."""
    if not app.config["DATABASE_URL"].startswith("sqlite"):
        pytest.skip("checks SQLite's write lock")
    path = app.config["DATABASE_URL"].split(":///", 1)[1]
    seen = []

    def merge_and_try_a_write(*args, **kwargs):
        other = sqlite3.connect(path, timeout=0, isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")  # "database is locked" if the save held the lock
            other.execute("ROLLBACK")
            seen.append("wrote")
        finally:
            other.close()
        return merge3(*args, **kwargs)

    monkeypatch.setattr(pages, "merge3", merge_and_try_a_write)
    bob_wiki.save("Plan", BASE.replace("last line", "last line (bob)"), base=page_v1)
    resp = wiki.save("Plan", BASE.replace("intro line", "intro line (alice)"), base=page_v1)
    assert resp.status_code == 302 and seen == ["wrote"]
    assert "intro line (alice)" in current_text(app) and "last line (bob)" in current_text(app)


def test_save_that_loses_the_race_after_merging_merges_again(page_v1, app, users, monkeypatch):
    """Bob saves between alice's merge and her write: her save merges with his new text too."""
    calls = []

    def merge_then_bob_saves(base, ours, theirs, **options):
        calls.append(theirs)
        if len(calls) == 1:
            pages.save_page("Plan", theirs.replace("middle line", "middle line (bob)"), 2, users["bob"])
        return merge3(base, ours, theirs, **options)

    with app.app_context():
        pages.save_page("Plan", BASE.replace("last line", "last line (bob)"), page_v1, users["bob"])
        monkeypatch.setattr(pages, "merge3", merge_then_bob_saves)
        result = pages.save_page("Plan", BASE.replace("intro line", "intro line (alice)"), page_v1,
                                 users["alice"])
    assert len(calls) == 2 and result.revision.number == 4
    text = current_text(app)
    assert "intro line (alice)" in text and "middle line (bob)" in text and "last line (bob)" in text


def rename(client, old, new):
    return client.post(f"/wiki/{old}/rename", data={"new_title": new, "rewrite": "y", "message": ""})


def test_edit_of_a_page_renamed_meanwhile_is_saved_at_its_new_title(wiki, bob_wiki, app):
    """Bob opens "Old"; alice renames it "New"; Bob's save goes to "New", not to the redirect left at "Old"."""
    wiki.save("Old", "line one\nline two\nline three\n")
    opened = bob_wiki.editor("Old")
    assert rename(wiki.client, "Old", "New").status_code == 302
    resp = bob_wiki.client.post("/wiki/Old/edit", data={**opened, "content": "line one\nline two by bob\nline three\n",
                                                        "message": "", "save": "Save"})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/wiki/New")
    shown = bob_wiki.client.get(resp.headers["Location"]).data.decode()
    assert "“Old” was renamed to “New” while you were editing; your edit was saved there." in shown
    assert current_text(app, "new") == "line one\nline two by bob\nline three\n"
    with app.app_context():
        old = Page.get(Page.key == "old")
        assert (old.version, old.redirect_to) == (1, "new")  # the redirect is untouched


def test_edit_of_a_renamed_page_whose_row_is_gone_is_a_conflict_that_keeps_the_text(wiki, bob_wiki, app):
    """Bob edits the redirect "Old" left by a rename; the page moves back over it, removing that redirect."""
    wiki.save("Old", "text\n")
    rename(wiki.client, "Old", "New")
    opened = bob_wiki.editor("Old")  # the redirect's own editor (?redirect=no)
    rename(wiki.client, "New", "Old")  # moving back deletes the one-revision redirect row
    resp = bob_wiki.client.post("/wiki/Old/edit", data={**opened, "content": "bob's text\n", "message": "",
                                                        "save": "Save"})
    assert resp.status_code == 409
    assert "bob&#39;s text" in resp.data.decode()
    assert current_text(app, "old") == "text\n"


def test_base_without_page_id_on_a_title_a_rename_left_is_refused(wiki, app, users):
    """Older clients send only base_revision: revision 1 of the redirect is not revision 1 of the moved page."""
    wiki.save("Old", "line one\n")
    wiki.save("Old", "line one\nline two\n")
    rename(wiki.client, "Old", "New")
    with app.app_context():
        for base in (1, 2):
            with pytest.raises(pages.EditConflict) as caught:
                pages.save_page("Old", "line one\nline two\nbob's line\n", base, users["bob"])
            assert caught.value.moved_to == "New"
        assert Page.get(Page.key == "old").version == 1
    assert current_text(app, "new") == "line one\nline two\n"


def test_conflict_screen_editor_holds_both_edits_merged_with_overlaps_marked(wiki, bob_wiki, app):
    """Alice fixed the intro and the status; Bob changed the status: his editor keeps her intro fix."""
    base = "Intro: teh quick fox.\n\nMiddle stays.\n\nStatus: draft\n"
    wiki.save("Doc", base)
    wiki.save("Doc", "Intro: the quick fox.\n\nMiddle stays.\n\nStatus: reviewed by alice\n", base=1)
    bobs = "Intro: teh quick fox.\n\nMiddle stays.\n\nStatus: approved by bob\n"
    resp = bob_wiki.save("Doc", bobs, base=1)
    assert resp.status_code == 409
    editor = html.unescape(re.search(r'<textarea[^>]*name="content"[^>]*>\r?\n?(.*?)</textarea>',
                                     resp.data.decode(), re.S).group(1))
    assert editor == ("Intro: the quick fox.\n\nMiddle stays.\n\n<<<<<<< your text\nStatus: approved by bob\n"
                      "=======\nStatus: reviewed by alice\n>>>>>>> revision 2 by alice\n")
    yours = re.search(r'<textarea id="yours"[^>]*>\r?\n?(.*?)</textarea>', resp.data.decode(), re.S).group(1)
    assert html.unescape(yours) == bobs  # his own text, read-only, for reference
    refused = bob_wiki.save("Doc", editor, base=2)  # markers left in: refused, text kept
    assert refused.status_code == 400 and b"still holds conflict markers" in refused.data
    resolved = editor.replace("<<<<<<< your text\n", "").replace("=======\nStatus: reviewed by alice\n", "")
    resolved = resolved.replace(">>>>>>> revision 2 by alice\n", "")
    assert bob_wiki.save("Doc", resolved, base=2).status_code == 302
    assert current_text(app, "doc") == "Intro: the quick fox.\n\nMiddle stays.\n\nStatus: approved by bob\n"


def test_conflicting_api_put_answers_the_merge_with_marked_overlaps(wiki, client, token):
    wiki.save("Doc", "a\nb\nc\n")
    wiki.save("Doc", "A\nb\nC by alice\n", base=1)
    resp = client.put("/api/v1/wiki/Doc", json={"content": "a\nb\nc by api\n", "base_revision": 1},
                      headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 409
    assert resp.json["merged"] == ("A\nb\n<<<<<<< your text\nc by api\n=======\nC by alice\n"
                                   ">>>>>>> revision 2 by alice\n")


def test_saving_unchanged_text_on_an_outdated_base_saves_nothing(page_v1, wiki, bob_wiki, app):
    """Bob opened revision 1 and saves it untouched after alice's change: the merge is her text, no new revision."""
    wiki.save("Plan", BASE.replace("intro line", "intro line (alice)"), base=page_v1)
    resp = bob_wiki.save("Plan", BASE, base=page_v1)
    assert resp.status_code == 302
    shown = bob_wiki.client.get(resp.headers["Location"]).data.decode()
    assert "No changes to save." in shown and "merged" not in shown
    with app.app_context():
        assert Page.get(Page.key == "plan").version == 2
