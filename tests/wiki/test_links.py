"""Wikilinks in the database: backlinks, red/blue links kept right, rename with redirect, delete/restore."""
from importlib.metadata import version

from suite.wiki.markup import renderer_version
from suite.wiki.models import Link, Page, Revision


def current_text(app, key):
    """The text of the current revision of the page with ``key``."""
    with app.app_context():
        page = Page.get(Page.key == key)
        return Revision.get(Revision.page == page, Revision.number == page.version).content


def test_link_to_missing_page_is_red_and_leads_to_creation(wiki, client):
    wiki.save("Home", "See [[Road map|the plan]].")
    html = client.get("/wiki/Home").data
    assert b'class="wikilink missing" href="/wiki/Road_map/edit"' in html
    assert b">the plan</a>" in html


def test_creating_the_target_turns_the_link_blue(wiki, client, app):
    wiki.save("Home", "See [[Road map]].")
    client.get("/wiki/Home")
    wiki.save("Road_map", "Plans")
    html = client.get("/wiki/Home").data
    assert b'class="wikilink" href="/wiki/Road_map"' in html


def test_only_pages_linking_to_a_created_page_lose_their_cache(wiki, app):
    wiki.save("Home", "See [[Road map]].")
    wiki.save("Other", "Unrelated.")
    wiki.save("Road_map", "Plans")
    with app.app_context():
        home = Revision.get(Revision.page == Page.get(Page.key == "home"))
        other = Revision.get(Revision.page == Page.get(Page.key == "other"))
        assert home.html is None
        assert other.html is not None


def test_page_view_serves_cached_html(wiki, client, app):
    wiki.save("Home", "Cached *text*")
    with app.app_context():
        Revision.update(html="<p>from the cache</p>").execute()
    assert b"from the cache" in client.get("/wiki/Home").data


def test_a_render_made_by_another_renderer_is_made_again_and_kept(wiki, client, app):
    wiki.save("Home", "Fresh *text*")
    for url in ("/wiki/Home", "/api/v1/wiki/Home"):
        with app.app_context():  # as if stored before an upgrade changed the Markdown rules
            Revision.update(html="<p>an old renderer's output</p>", render_version="0123456789abcdef").execute()
        assert b"<em>text</em>" in client.get(url).data
        with app.app_context():
            kept = Revision.get()
            assert "<em>text</em>" in kept.html and kept.render_version == renderer_version()


def test_the_renderer_fingerprint_follows_its_rules_and_libraries(monkeypatch):
    from suite.wiki import markup
    before = markup.renderer_version()
    markup.renderer_version.cache_clear()
    monkeypatch.setattr(markup, "version", lambda dist: "99.0" if dist == "Pygments" else version(dist))
    try:
        assert markup.renderer_version() != before
    finally:
        markup.renderer_version.cache_clear()


def test_backlinks_list_linking_pages(wiki, client):
    wiki.save("Target", "I am linked.")
    wiki.save("Source_one", "Go to [[target]].")
    wiki.save("Source_two", "Also [[Target#Section|there]].")
    wiki.save("Bystander", "No links.")
    html = client.get("/wiki/Target/backlinks").data
    assert b"Source one" in html and b"Source two" in html
    assert b"Bystander" not in html


def test_links_table_follows_edits(wiki, app):
    wiki.save("Source", "[[A]] and [[B]]")
    wiki.save("Source", "[[B]] only")
    with app.app_context():
        assert [link.to_key for link in Link.select()] == ["b"]


def test_rename_leaves_redirect_and_history(wiki, alice_client, client, app):
    wiki.save("Old_name", "Content")
    resp = alice_client.post("/wiki/Old_name/rename", data={"new_title": "New name", "message": ""})
    assert resp.status_code == 302
    follow = client.get("/wiki/Old_name")
    assert follow.status_code == 302
    assert "/wiki/New_name" in follow.headers["Location"]
    page = client.get(follow.headers["Location"]).data
    assert b"Redirected from" in page and b"Content" in page
    assert b"Renamed from Old name to New name" in client.get("/wiki/New_name/history").data


def test_a_redirect_names_its_target_by_title_and_only_a_real_redirect_says_where_from(wiki, alice_client, client,
                                                                                       token):
    """They showed the case-folded key ("redirects to roadmap"), and any ?from= made up a notice."""
    wiki.save("Project Plan", "The plan")
    alice_client.post("/wiki/Project_Plan/rename", data={"new_title": "Roadmap Q3", "message": ""})
    assert ">Roadmap Q3</a>" in client.get("/wiki/Project_Plan?redirect=no").get_data(as_text=True)
    assert "→ Roadmap Q3" in client.get("/wiki/pages").get_data(as_text=True)
    api = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/wiki/Project_Plan", headers=api).json["redirect_to"] == "Roadmap Q3"
    assert [p["redirect_to"] for p in client.get("/api/v1/wiki", headers=api).json["items"]] == ["Roadmap Q3", None]
    page = client.get("/wiki/Roadmap_Q3?from=Project+Plan").get_data(as_text=True)
    assert "(Redirected from" in page and "Project Plan</a>" in page
    for made_up in ("Anything", "Roadmap Q3", "a/../b"):
        assert "Redirected from" not in client.get("/wiki/Roadmap_Q3", query_string={"from": made_up}).get_data(
            as_text=True)


def test_rename_rewrites_links_when_asked(wiki, alice_client, app):
    wiki.save("Old_name", "Content")
    wiki.save("Index", "Go to [[old name|there]] or [[Old name#Top]].")
    alice_client.post("/wiki/Old_name/rename", data={"new_title": "New name", "rewrite": "y"})
    text = current_text(app, "index")
    assert text == "Go to [[New name|there]] or [[New name#Top]].\n"


def test_rename_rewrites_the_links_the_page_shows_and_leaves_code_as_written(wiki, alice_client, app):
    """[[Old]] in an indented code block was rewritten, and a stray backtick hid a real link until the next
    backtick, paragraphs later: the renderer now says which [[…]] are links."""
    wiki.save("Old_name", "Content")
    source = ("Example:\n\n    see [[Old name]] here\n\nA stray ` backtick.\n\nGo to [[old name|there]].\n\n"
              "Another ` one.\n\nInline `[[Old name]]` code.\n\n```\n[[Old name]]\n```\n")
    wiki.save("Index", source)
    alice_client.post("/wiki/Old_name/rename", data={"new_title": "New name", "rewrite": "y"})
    text = current_text(app, "index")
    assert text == source.replace("[[old name|there]]", "[[New name|there]]")


def test_relative_links_are_red_or_blue_and_counted_as_backlinks(wiki, client):
    wiki.save("Team", "Our [[/Handbook]] and [[/Onboarding]].")
    wiki.save("Team/Handbook", "Back to [[..]] or over to [[../Onboarding]].")
    html = client.get("/wiki/Team").get_data(as_text=True)
    assert 'class="wikilink" href="/wiki/Team/Handbook"' in html
    assert 'class="wikilink missing" href="/wiki/Team/Onboarding/edit"' in html
    assert "Team/Handbook" in client.get("/wiki/Team/backlinks").get_data(as_text=True)
    wiki.save("Team/Onboarding", "Welcome.")
    assert 'class="wikilink" href="/wiki/Team/Onboarding"' in client.get("/wiki/Team").get_data(as_text=True)
    backlinks = client.get("/wiki/Team/Onboarding/backlinks").get_data(as_text=True)
    assert 'href="/wiki/Team"' in backlinks and 'href="/wiki/Team/Handbook"' in backlinks


def test_rename_rewrites_relative_links_by_the_page_they_name(wiki, alice_client, app):
    wiki.save("Team/Handbook", "Rules.")
    wiki.save("Team", "Read [[/Handbook|the rules]], not [[/Handbook]] in `[[/Handbook]]` code.")
    alice_client.post("/wiki/Team/Handbook/rename", data={"new_title": "Rules", "rewrite": "y"})
    text = current_text(app, "team")
    assert text == "Read [[Rules|the rules]], not [[Rules]] in `[[/Handbook]]` code.\n"


def team_with_subpages(wiki):
    wiki.save("Team", "Start with [[/Handbook]].")
    wiki.save("Team/Handbook", "Then [[../Onboarding]].")
    wiki.save("Team/Handbook/Intro", "Hello.")
    wiki.save("Team/Onboarding", "Welcome.")
    wiki.save("Index", "See [[Team/Handbook|the handbook]] and [[Team]].")


def test_rename_moves_the_subpages_with_the_page_and_leaves_redirects(wiki, alice_client, client, app):
    team_with_subpages(wiki)
    resp = alice_client.post("/wiki/Team/rename", data={"new_title": "Crew", "rewrite": "y", "subpages": "y"},
                             follow_redirects=True)
    assert "with its 3 subpage(s)" in resp.get_data(as_text=True)
    for old, new in [("Team", "Crew"), ("Team/Handbook", "Crew/Handbook"),
                     ("Team/Handbook/Intro", "Crew/Handbook/Intro"), ("Team/Onboarding", "Crew/Onboarding")]:
        assert client.get(f"/wiki/{old}").headers["Location"].startswith(f"/wiki/{new}?from=")
        assert client.get(f"/wiki/{new}").status_code == 200
    assert current_text(app, "index") == "See [[Crew/Handbook|the handbook]] and [[Crew]].\n"
    assert current_text(app, "crew") == "Start with [[/Handbook]].\n"  # relative links move along as they are
    assert 'class="wikilink" href="/wiki/Crew/Onboarding"' in client.get("/wiki/Crew/Handbook").get_data(as_text=True)
    assert 'class="wikilink" href="/wiki/Crew/Handbook"' in client.get("/wiki/Crew").get_data(as_text=True)


def test_rename_form_lists_the_subpages_and_can_leave_them(wiki, alice_client, client):
    team_with_subpages(wiki)
    form = alice_client.get("/wiki/Team/rename").get_data(as_text=True)
    assert "Move its subpages too" in form and "Team/Handbook, Team/Handbook/Intro, Team/Onboarding" in form
    assert "Move its subpages too" not in alice_client.get("/wiki/Team/Onboarding/rename").get_data(as_text=True)
    alice_client.post("/wiki/Team/rename", data={"new_title": "Crew"})  # the box unticked
    assert client.get("/wiki/Team/Handbook").status_code == 200
    assert client.get("/wiki/Crew/Handbook").status_code == 404


def test_a_subpage_that_cannot_move_stops_the_whole_move(wiki, alice_client, admin_client, bob_client, client):
    team_with_subpages(wiki)
    wiki.save("Crew/Onboarding", "Someone else's page.")
    resp = alice_client.post("/wiki/Team/rename", data={"new_title": "Crew", "subpages": "y"})
    assert resp.status_code == 409 and "Crew/Onboarding" in resp.get_data(as_text=True)
    assert client.get("/wiki/Team").status_code == 200 and client.get("/wiki/Crew").status_code == 404
    admin_client.post("/wiki/Team/Handbook/protect", data={"protected": "1"})
    resp = bob_client.post("/wiki/Team/rename", data={"new_title": "Staff", "subpages": "y"})
    assert resp.status_code == 403 and "“Team/Handbook” is protected" in resp.get_data(as_text=True)
    resp = alice_client.post("/wiki/Team/rename", data={"new_title": "Team/Old", "subpages": "y"})
    assert resp.status_code == 400 and "below itself" in resp.get_data(as_text=True)
    assert client.get("/wiki/Team/Handbook").status_code == 200 and client.get("/wiki/Staff").status_code == 404


def test_rename_without_rewrite_keeps_links(wiki, alice_client, app):
    wiki.save("Old_name", "Content")
    wiki.save("Index", "Go to [[Old name]].")
    alice_client.post("/wiki/Old_name/rename", data={"new_title": "New name"})
    with app.app_context():
        assert Page.get(Page.key == "index").version == 1


def test_rename_onto_existing_page_is_refused(wiki, alice_client, app):
    wiki.save("One", "1")
    wiki.save("Two", "2")
    resp = alice_client.post("/wiki/One/rename", data={"new_title": "two"})
    assert resp.status_code == 409
    assert "already exists".encode() in resp.data
    with app.app_context():
        assert Page.get(Page.key == "one").version == 1


def test_rename_onto_a_title_taken_after_the_check_is_refused_like_any_taken_title(wiki, alice_client, app,
                                                                                  monkeypatch):
    """Two renames to one title at once (PostgreSQL): the other's page is not seen by the check,
    and the write meets the unique key; the answer is the usual 409, not a 500."""
    from suite.wiki import pages
    wiki.save("One", "1")
    wiki.save("Two", "2")
    checks = []
    real = pages._clear_target

    def check_that_ran_before_the_other_committed(new_title, page):
        checks.append(new_title)
        if len(checks) > 1:
            real(new_title, page)
    monkeypatch.setattr(pages, "_clear_target", check_that_ran_before_the_other_committed)
    resp = alice_client.post("/wiki/One/rename", data={"new_title": "two"})
    assert resp.status_code == 409
    assert "A page called “Two” already exists".encode() in resp.data
    with app.app_context():
        assert Page.get(Page.key == "one").version == 1 and Page.get(Page.key == "two").version == 1
        assert Page.select().count() == 2


def test_rename_back_over_own_redirect_works(wiki, alice_client, client):
    wiki.save("One", "1")
    alice_client.post("/wiki/One/rename", data={"new_title": "Two"})
    resp = alice_client.post("/wiki/Two/rename", data={"new_title": "One"})
    assert resp.status_code == 302
    assert client.get("/wiki/One").status_code == 200


def test_rename_back_after_a_second_rename_that_updated_links(wiki, alice_client, client):
    """A → B → C with link updates pointed the redirect at A on to C (its revision 2), and C → A was refused."""
    wiki.save("One", "1")
    alice_client.post("/wiki/One/rename", data={"new_title": "Two"})
    alice_client.post("/wiki/Two/rename", data={"new_title": "Three", "rewrite": "y"})
    assert "Three" in client.get("/wiki/One?redirect=no").get_data(as_text=True)
    assert alice_client.post("/wiki/Three/rename", data={"new_title": "One"}).status_code == 302
    assert client.get("/wiki/One").status_code == 200 and b"1" in client.get("/wiki/One").data
    wiki.save("Four", "written here")  # a title that once held text is never taken over
    alice_client.post("/wiki/Four/rename", data={"new_title": "Five"})
    wiki.save("Four", "#REDIRECT [[Six]]")
    wiki.save("Four", "#REDIRECT [[Five]]")
    assert alice_client.post("/wiki/Five/rename", data={"new_title": "Four"}).status_code == 302  # only redirects


def test_a_redirect_that_once_held_text_is_not_taken_over_by_a_move_back(wiki, alice_client):
    wiki.save("Seven", "7")
    alice_client.post("/wiki/Seven/rename", data={"new_title": "Eight"})
    wiki.save("Seven", "Someone's own page now")
    wiki.save("Seven", "#REDIRECT [[Eight]]")
    assert alice_client.post("/wiki/Eight/rename", data={"new_title": "Seven"}).status_code == 409


def test_delete_by_author_turns_links_red_and_restore_brings_it_back(wiki, alice_client, client):
    wiki.save("Doomed", "Bye")
    wiki.save("Home", "[[Doomed]]")
    assert alice_client.post("/wiki/Doomed/delete", data={}).status_code == 302
    assert client.get("/wiki/Doomed").status_code == 404
    assert b"wikilink missing" in client.get("/wiki/Home").data
    assert alice_client.post("/wiki/Doomed/restore", data={}).status_code == 302
    assert b"Bye" in client.get("/wiki/Doomed").data
    assert b"wikilink missing" not in client.get("/wiki/Home").data


def test_delete_by_someone_else_is_forbidden(wiki, bob_client, app):
    wiki.save("Mine", "alice's")
    assert bob_client.post("/wiki/Mine/delete", data={}).status_code == 403
    with app.app_context():
        assert not Page.get(Page.key == "mine").deleted


def test_admin_may_delete_any_page(wiki, admin_client):
    wiki.save("Mine", "alice's")
    assert admin_client.post("/wiki/Mine/delete", data={}).status_code == 302


def test_deleted_page_keeps_history(wiki, alice_client, client):
    wiki.save("Doomed", "first")
    alice_client.post("/wiki/Doomed/delete", data={})
    html = client.get("/wiki/Doomed/history").data
    assert b"delete" in html and b"?rev=1" in html


def test_a_deleted_pages_history_links_show_its_revisions_read_only(wiki, alice_client, client):
    """The history page's "?rev=" links of a deleted page were 404s while its diffs showed the same text."""
    wiki.save("Doomed", "first words")
    wiki.save("Doomed", "second words")
    alice_client.post("/wiki/Doomed/delete", data={})
    assert client.get("/wiki/Doomed").status_code == 404
    for number, words in ((1, "first words"), (2, "second words")):
        resp = alice_client.get(f"/wiki/Doomed?rev={number}")
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200 and words in html and "This page was deleted" in html
        assert "Revert to this revision" not in html and "/wiki/Doomed/delete" not in html
    assert client.get("/wiki/Doomed?rev=9").status_code == 404
    assert client.get("/wiki/Doomed").status_code == 404  # viewing a revision restored nothing


def test_old_revision_shows_current_link_state(wiki, client):
    wiki.save("Home", "[[Later]]")
    wiki.save("Home", "No links now")
    wiki.save("Later", "exists now")
    html = client.get("/wiki/Home?rev=1").data
    assert b'class="wikilink" href="/wiki/Later"' in html


def test_embeds_are_cached_as_placeholders_and_filled_per_reader(wiki, app, client, alice_client):
    from markupsafe import escape

    from suite.embeds import register_embed
    register_embed(app, "demo", lambda arg, viewer: escape(f"card {arg} for {viewer.username or 'anonymous'}"))
    wiki.save("Home", "Look: [[demo:42]] and [[nope:1]]")
    with app.app_context():
        cached = Revision.get(Revision.page == Page.get(Page.key == "home")).html
    assert '<div class="embed" data-embed="demo:42"></div>' in cached
    assert b"card 42 for anonymous" in client.get("/wiki/Home").data
    assert b"card 42 for alice" in alice_client.get("/wiki/Home").data
    assert b"[[nope:1]]" in client.get("/wiki/Home").data



def big_page_whose_render_races_target(wiki, users, monkeypatch):
    """"Big" links to [[Target]] and has no stored render; rendering it next, Target gets created just
    after the render looked the links up (another request's save, meanwhile). Returns the undo."""
    from suite.wiki import links, pages
    wiki.save("Big", "See [[Target]] and [[Other]].")
    wiki.save("Other", "x")  # Other turned blue: Big's render is dropped, its next view renders it
    real_render = links.render_source

    def render_then_target_is_created(*args, **kwargs):
        rendered = real_render(*args, **kwargs)
        if args[0] == "Big":
            pages.save_page("Target", "now I exist", 0, users["bob"])
        return rendered

    monkeypatch.setattr(links, "render_source", render_then_target_is_created)
    return lambda: monkeypatch.setattr(links, "render_source", real_render)


def test_page_created_while_a_view_renders_a_linking_page_turns_its_link_blue(wiki, alice_client, app, users,
                                                                                 monkeypatch):
    """The viewer's render said "Target is missing"; Target was created before that render was stored,
    when there was no render for the creation to drop: the stale render must not be kept."""
    undo = big_page_whose_render_races_target(wiki, users, monkeypatch)
    alice_client.get("/wiki/Big")
    undo()
    with app.app_context():
        stored = Revision.get(Revision.page == Page.get(Page.key == "big")).html
    assert stored is None or 'href="/wiki/Target/edit"' not in stored
    assert b'class="wikilink" href="/wiki/Target"' in alice_client.get("/wiki/Big").data


def test_page_created_while_the_api_renders_a_linking_page_turns_its_link_blue(wiki, client, users, monkeypatch):
    undo = big_page_whose_render_races_target(wiki, users, monkeypatch)
    client.get("/api/v1/wiki/Big")
    undo()
    assert 'class="wikilink" href="/wiki/Target"' in client.get("/api/v1/wiki/Big").json["html"]


def test_migration_0021_drops_stored_renders_so_headings_get_their_new_ids(wiki, alice_client, app):
    """Renders stored with the old ASCII-only heading ids are rendered again on their next view."""
    import importlib

    from suite.extensions import db
    migration = importlib.import_module("suite.migrations.0021_wiki_unicode_heading_ids")
    wiki.save("Guide", "## Установка\n\nru")
    with app.app_context():
        Revision.update(html='<h2 id="_1">Установка</h2>').execute()  # as the old renderer stored it
        db.execute_sql(migration.DROP_RENDERS)
        assert Revision.get().html is None
    assert '<h2 id="установка">' in alice_client.get("/wiki/Guide").data.decode()


def test_rename_updates_links_but_not_link_syntax_shown_in_code(wiki, alice_client, app):
    """[[Old]] in a code span or a fenced block is an example of the syntax, not a link: it stays as written."""
    wiki.save("Old", "text")
    source = ("See [[Old]].\n\nWrite `[[Old]]` to link.\n\n```\n[[Old|label]]\n```\n\n~~~\n[[Old]]\n~~~\n\n"
              "Then [[old#part|there]].\n")
    wiki.save("Docs", source)
    alice_client.post("/wiki/Old/rename", data={"new_title": "New", "rewrite": "y", "message": ""})
    text = current_text(app, "docs")
    assert text == source.replace("See [[Old]]", "See [[New]]").replace("[[old#part", "[[New#part")
