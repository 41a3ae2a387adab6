"""Viewing, creating and editing pages through the web: titles, history, diff, preview."""
import datetime
import random
import re
from urllib.parse import quote, unquote

import pytest

from suite.wiki.models import Page, Revision


def test_missing_page_offers_creation_with_404(alice_client):
    resp = alice_client.get("/wiki/No_such_page")
    assert resp.status_code == 404
    assert b"Create this page" in resp.data
    assert b'href="/wiki/No_such_page/edit"' in resp.data


def test_wiki_start_page_is_home(wiki, client):
    wiki.save("Home", "Welcome **home**.")
    resp = client.get("/wiki/")
    assert resp.status_code == 200
    assert b"<strong>home</strong>" in resp.data


def test_save_creates_page_and_redirects_to_it(wiki, app):
    resp = wiki.save("Getting_started", "Hello", message="first")
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith("/wiki/Getting_started")
    with app.app_context():
        page = Page.get(Page.key == "getting started")
        assert page.title == "Getting started"
        assert page.version == 1
        assert Revision.get(Revision.page == page).message == "first"


def test_lookup_ignores_case_and_redirects_to_canonical_title(wiki, client):
    wiki.save("Getting_Started", "Hello")
    resp = client.get("/wiki/getting_started")
    assert resp.status_code == 301
    assert resp.headers["Location"].endswith("/wiki/Getting_Started")


def test_subpages_have_breadcrumbs(wiki, client):
    wiki.save("Projects/Launch/Checklist", "Steps")
    html = client.get("/wiki/Projects/Launch/Checklist").data
    assert b'href="/wiki/Projects">Projects</a>' in html
    assert b'href="/wiki/Projects/Launch">Launch</a>' in html


def test_unicode_title_works(wiki, client):
    resp = wiki.save("Café_Ω", "Crème")
    assert resp.status_code == 302
    assert client.get("/wiki/Café_Ω").status_code == 200


@pytest.mark.parametrize("title", ["کتاب\u200cها", "क्\u200dष", "Team 👩\u200d💻 notes"])
def test_titles_keep_the_joiners_their_scripts_spell_with(wiki, client, title):
    """Persian and Indic words and emoji sequences need U+200C/U+200D; other format characters stay out."""
    assert wiki.save(title, "x").status_code == 302
    wiki.save("Links", f"See [[{title}]].")
    assert f'href="/wiki/{quote(title.replace(" ", "_"))}"' in client.get("/wiki/Links").get_data(as_text=True)


def test_a_bidi_override_in_a_title_is_still_refused(wiki):
    resp = wiki.save("Evil\u202etxt.exe", "x")
    assert resp.status_code == 400 and "control characters" in resp.get_data(as_text=True)


def test_every_save_is_a_revision_in_history(wiki, client):
    wiki.save("Notes", "one")
    wiki.save("Notes", "two", message="second try")
    html = client.get("/wiki/Notes/history").data
    assert b"second try" in html
    assert b"?rev=1" in html and b"?rev=2" in html


def test_old_revision_can_be_viewed(wiki, client):
    wiki.save("Notes", "first text")
    wiki.save("Notes", "second text")
    html = client.get("/wiki/Notes?rev=1").data
    assert b"first text" in html
    assert b"revision 1 of 2" in html


def test_raw_gives_a_revisions_markdown_as_plain_text(wiki, client):
    wiki.save("Notes", "# First\n\n<script>alert(1)</script> *one*")
    wiki.save("Notes", "# Second")
    resp = client.get("/wiki/notes/raw")
    assert resp.status_code == 200 and resp.get_data(as_text=True) == "# Second\n"
    assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert client.get("/wiki/Notes/raw", headers={"If-None-Match": resp.headers["ETag"]}).status_code == 304
    first = client.get("/wiki/Notes/raw?rev=1").get_data(as_text=True)
    assert first == "# First\n\n<script>alert(1)</script> *one*\n"
    assert client.get("/wiki/Notes/raw?rev=3").status_code == 404
    assert client.get("/wiki/Nowhere/raw").status_code == 404
    assert 'href="/wiki/Notes/raw"' in client.get("/wiki/Notes").get_data(as_text=True)
    assert 'href="/wiki/Notes/raw?rev=1"' in client.get("/wiki/Notes?rev=1").get_data(as_text=True)


def test_a_deleted_pages_raw_text_is_gone_but_its_revisions_read(wiki, alice_client, client):
    wiki.save("Doomed", "Last words")
    alice_client.post("/wiki/Doomed/delete", data={})
    assert client.get("/wiki/Doomed/raw").status_code == 404
    assert client.get("/wiki/Doomed/raw?rev=1").get_data(as_text=True) == "Last words\n"


def test_diff_between_two_revisions(wiki, client):
    wiki.save("Notes", "alpha\nbeta\n")
    wiki.save("Notes", "alpha\ngamma\n")
    html = client.get("/wiki/Notes/diff?from=1&to=2").data
    assert b'class="diff-del"' in html and b"beta" in html
    assert b'class="diff-add"' in html and b"gamma" in html


def test_diff_of_big_look_alike_revisions_is_shown_replaced_not_lined_up_for_a_minute(wiki, client):
    # 60,000 lines of 150 values each: difflib alone took about 20 s per view of this diff.
    rng = random.Random(7)
    old, new = ("\n".join(str(rng.randrange(150)) for _ in range(60_000)) + "\n" for _ in range(2))
    wiki.save("Numbers", old)
    wiki.save("Numbers", new)
    resp = client.get("/wiki/Numbers/diff?from=1&to=2")
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert "too large and too alike to line up" in page and "only its first 20,000 lines are shown" in page


def test_a_change_of_trailing_spaces_alone_shows_them(wiki, client):
    """Two trailing spaces are a Markdown line break: a diff must not show two identical lines."""
    wiki.save("Poem", "Roses are red\nViolets are blue\n")
    wiki.save("Poem", "Roses are red  \nViolets are blue\n")
    html = client.get("/wiki/Poem/diff?from=1&to=2").get_data(as_text=True)
    assert '<span class="trailing-space" title="trailing spaces and tabs">··</span>' in html
    assert html.count('class="trailing-space"') == 1  # on the added line only


def test_diff_of_unknown_revision_is_404(wiki, client):
    wiki.save("Notes", "alpha")
    assert client.get("/wiki/Notes/diff?from=1&to=9").status_code == 404


def test_revert_makes_new_revision_with_old_content(wiki, alice_client, app):
    wiki.save("Notes", "good text")
    wiki.save("Notes", "vandalism")
    resp = alice_client.post("/wiki/Notes/revert", data=revert_form(alice_client, "Notes", 1))
    assert resp.status_code == 302
    with app.app_context():
        page = Page.get(Page.key == "notes")
        assert page.version == 3
        latest = Revision.get(Revision.page == page, Revision.number == 3)
        assert latest.content == "good text\n"
        assert latest.kind == "revert"


def revert_form(client, title, number):
    """The fields of the "Revert to this revision" button on ``?rev=number``, as the browser sends them."""
    html = client.get(f"/wiki/{title}?rev={number}").data.decode()
    form = re.search(r'<form method="post" action="[^"]*/revert".*?</form>', html, re.S).group(0)
    return dict(re.findall(r'name="(rev|base_revision)" value="(\d+)"', form))


def test_revert_after_someone_else_saved_keeps_their_change(wiki, bob_wiki, alice_client, app):
    wiki.save("Notes", "v1")
    wiki.save("Notes", "v2")
    form = revert_form(alice_client, "Notes", 1)  # alice looks at revision 1 while 2 is current
    bob_wiki.save("Notes", "v2\nbob's important line")
    resp = alice_client.post("/wiki/Notes/revert", data=form)
    assert resp.status_code == 302
    assert resp.headers["Location"].endswith("/wiki/Notes/edit?rev=1")
    edit_form = alice_client.get(resp.headers["Location"]).data
    assert "changed since you opened it (now revision 3, by bob)".encode() in edit_form
    assert b"v1" in edit_form  # the old text, ready to save deliberately
    with app.app_context():
        page = Page.get(Page.key == "notes")
        assert page.version == 3
        assert Revision.get(Revision.page == page, Revision.number == 3).content == "v2\nbob's important line\n"


def test_revert_that_does_not_say_what_it_saw_changes_nothing(wiki, alice_client, app):
    wiki.save("Notes", "v1")
    wiki.save("Notes", "v2")
    resp = alice_client.post("/wiki/Notes/revert", data={"rev": 1})
    assert resp.status_code == 302 and "/edit?rev=1" in resp.headers["Location"]
    with app.app_context():
        assert Page.get(Page.key == "notes").version == 2


def test_preview_renders_without_saving(wiki, alice_client, app):
    resp = alice_client.post("/wiki/Draft/edit", data={"content": "# Big *idea*", "base_revision": 0,
                                                       "preview": "Preview"})
    assert resp.status_code == 200
    assert b"<em>idea</em>" in resp.data
    assert b"# Big *idea*" in resp.data  # still in the textarea
    with app.app_context():
        assert Page.select().count() == 0


def test_a_preview_whose_headings_name_the_form_fields_keeps_every_id_unique(wiki, alice_client):
    headings = "".join(f"## {words}\n\ntext\n\n" for words in ("Content", "Edit summary", "Preview", "Save",
                                                                  "Base revision", "Page id", "Main", "Nav toggle", "Global search"))
    resp = alice_client.post("/wiki/Draft/edit", data={"content": headings, "base_revision": 0, "preview": "Preview"})
    ids = re.findall(r'\sid="([^"]+)"', resp.get_data(as_text=True))
    assert "content" in ids and "editText" in ids
    assert sorted(i for i in set(ids) if ids.count(i) > 1) == []
    label = re.search(r'<label for="([^"]+)">Content</label>', resp.get_data(as_text=True))
    assert label.group(1) == "editText"  # the label still names the textarea


def test_saving_identical_text_makes_no_revision(wiki, app):
    wiki.save("Notes", "same")
    wiki.save("Notes", "same")
    with app.app_context():
        assert Page.get(Page.key == "notes").version == 1


def test_anonymous_editor_is_sent_to_sign_in(client):
    resp = client.get("/wiki/Notes/edit")
    assert resp.status_code == 302
    assert "/auth/login" in resp.headers["Location"]


def _every_page(client, url, pattern):
    """What ``pattern`` finds on each page of a paged list, followed until there is no next page."""
    found, number = [], 1
    while True:
        html = client.get(f"{url}?page={number}").get_data(as_text=True)
        found += re.findall(pattern, html)
        if f"page={number + 1}" not in html:
            return found
        number += 1


def test_the_history_pages_together_show_every_revision_once(wiki, client):
    for n in range(1, 103):  # 50 a page: a third page, and two page boundaries
        wiki.save("Notes", f"version {n}")
    numbers = [int(n) for n in _every_page(client, "/wiki/Notes/history", r'name="to" value="(\d+)"')]
    assert numbers == list(range(102, 0, -1))


def test_recent_changes_and_all_pages_together_show_every_item_once(wiki, client):
    titles = [f"P{n:03d}" for n in range(1, 103)]
    for title in titles:  # 100 a page on All pages, 50 on Recent changes
        wiki.save(title, "text")
    assert _every_page(client, "/wiki/pages", r'href="/wiki/(P\d{3})"') == titles
    assert _every_page(client, "/wiki/recent", r'href="/wiki/(P\d{3})"') == titles[::-1]


def test_recent_changes_lists_latest_edits(wiki, client):
    wiki.save("Alpha", "a", message="made alpha")
    wiki.save("Beta", "b", message="made beta")
    html = client.get("/wiki/recent").data.decode()
    assert html.index("made beta") < html.index("made alpha")


def test_all_pages_lists_live_pages_by_title(wiki, alice_client, client):
    wiki.save("Zebra", "z")
    wiki.save("Apple", "a")
    wiki.save("Gone", "g")
    alice_client.post("/wiki/Gone/delete", data={})
    html = client.get("/wiki/pages").data.decode()
    assert html.index("Apple") < html.index("Zebra")
    assert ">Gone<" not in html


def test_all_pages_files_accented_titles_under_their_letter(wiki, alice_client, client, app):
    """Listed by the case-folded key, Ärger, Éclair and Öl came after Zebra."""
    for title in ("Zebra", "Öl", "Éclair", "apfel", "Ärger", "Eimer", "Obst"):
        wiki.save(title, "text")
    alice_client.post("/wiki/Eimer/rename", data={"new_title": "Ölkanne"})  # a rename files it anew
    html = client.get("/wiki/pages").get_data(as_text=True)
    shown = [unquote(t) for t in re.findall(r'href="/wiki/([^"/]+)">', html)]
    order = [t for t in shown if t in {"Zebra", "Öl", "Éclair", "apfel", "Ärger", "Ölkanne", "Obst"}]
    assert order == ["apfel", "Ärger", "Éclair", "Obst", "Öl", "Ölkanne", "Zebra"]


def test_pages_saved_before_the_sort_key_are_filed_by_migration_0026(wiki, client, app):
    from suite.database import migration_runner
    from suite.extensions import db
    with app.app_context():
        runner = migration_runner()
        runner.down(target="0025_wiki_import_runs")
        for n, title in enumerate(("Zebra", "Ärger", "apfel")):
            db.execute_sql(f"INSERT INTO wiki_page (title, key, version, protected, deleted, created_at, updated_at) "
                           f"VALUES ({db.param}, {db.param}, 1, {db.param}, {db.param}, {db.param}, {db.param})",
                           (title, title.casefold(), False, False, datetime.datetime(2026, 1, 1 + n),
                            datetime.datetime(2026, 1, 1 + n)))
        runner.up()
        assert [p.title for p in Page.select().order_by(Page.sort_key)] == ["apfel", "Ärger", "Zebra"]


def test_creating_a_deleted_page_anew_starts_empty_and_says_it_was_deleted(wiki, bob_wiki, app):
    """The deleted text is not brought back by the editor (that is a restore, with its own permission)."""
    wiki.save("Launch plan", "Old, wrong plan (spam).")
    wiki.client.post("/wiki/Launch_plan/delete", data={"message": "spam"})
    for url in ("/wiki/Launch_plan/edit", "/wiki/Launch_plan/edit?rev=1"):
        shown = bob_wiki.client.get(url).data.decode()
        assert "Creating <bdi>Launch plan</bdi>" in shown
        assert "was deleted by alice" in shown and "/wiki/Launch_plan/history" in shown
        assert "Old, wrong plan" not in shown
    assert bob_wiki.save("Launch_plan", "A new plan.").status_code == 302
    assert b"A new plan." in bob_wiki.client.get("/wiki/Launch_plan").data


def test_starting_a_deleted_page_anew_while_it_is_restored_is_a_conflict_not_an_overwrite(wiki, bob_wiki, app):
    """Bob's empty editor was merged against the deleted text as base: the merge read him as removing every
    line of the restored page, saved his stub over it and said "merged"."""
    wiki.save("Launch plan", "Step one.\nStep two.\n")
    wiki.client.post("/wiki/Launch_plan/delete", data={"message": "by mistake"})
    fields = bob_wiki.editor("Launch_plan")  # empty: creating the page anew
    assert wiki.client.post("/wiki/Launch_plan/restore", data={}).status_code == 302
    resp = bob_wiki.save("Launch_plan", "A completely new stub.\n", **fields)
    assert resp.status_code == 409
    assert "A completely new stub." in resp.get_data(as_text=True)  # kept in the conflict screen
    page = bob_wiki.client.get("/wiki/Launch_plan").get_data(as_text=True)
    assert "Step one." in page and "A completely new stub." not in page
