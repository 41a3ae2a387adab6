"""The shared pages: dashboard, unified search, profiles and following."""
import pytest

from suite import search
from suite.auth.accounts import create_user
from tests.conftest import PASSWORD, AuthActions


@pytest.fixture
def items(app, users):
    """Public, unlisted and private items of alice and bob in the index."""
    rows = [("paste", "a1", "alice", "public", "Alice public snippet"),
            ("paste", "a2", "alice", "private", "Alice private snippet"),
            ("bookmark", "b1", "bob", "public", "Bob public snippet link"),
            ("bookmark", "b2", "bob", "unlisted", "Bob unlisted snippet link"),
            ("wiki", "w1", None, "public", "Team snippet page")]
    with app.app_context():
        for kind, item_id, owner, vis, title in rows:
            search.index_item(kind, item_id, owner_id=users[owner].id if owner else None, visibility=vis,
                              title=title, body="body text", url=f"/{kind}/{item_id}")
    return rows


def test_dashboard_shows_my_items_counts_and_quick_add(alice_client, items):
    for text in ("one\n", "two\n"):
        alice_client.post("/paste/", data={"content": text}, headers={"Accept": "text/html"})
    html = alice_client.get("/").get_data(as_text=True)
    assert "Alice private snippet" in html and "Alice public snippet" in html
    assert "Bob public snippet link" not in html.split("From people you follow")[0]
    assert "2 pastes of yours" in html
    assert 'action="/paste/"' in html and 'action="/bookmarks/add"' in html and "New wiki page" in html


def test_anonymous_dashboard_shows_public_items_and_sign_in(client, items):
    html = client.get("/").get_data(as_text=True)
    assert "Alice public snippet" in html and "Bob public snippet link" in html
    assert "private" not in html.lower().split("recently shared")[1]
    assert "Bob unlisted" not in html
    assert "Sign in" in html


def test_following_puts_public_items_on_the_dashboard(alice_client, items):
    assert alice_client.post("/u/bob/follow", data={}).status_code == 302
    html = alice_client.get("/").get_data(as_text=True)
    feed = html.split("From people you follow")[1]
    assert "Bob public snippet link" in feed and "Bob unlisted" not in feed
    assert alice_client.post("/u/bob/unfollow", data={}).status_code == 302
    assert "Bob public snippet link" not in alice_client.get("/").get_data(as_text=True).split("From people you follow")[1]


def test_profile_shows_public_items_and_counts(alice_client, bob_client, items):
    alice_client.post("/u/bob/follow", data={})
    html = bob_client.get("/u/bob").get_data(as_text=True)
    assert "Bob public snippet link" in html and "Bob unlisted" not in html
    assert "<strong>1</strong> follower" in html


def test_following_yourself_is_refused(alice_client, users):
    assert alice_client.post("/u/alice/follow", data={}).status_code == 400


def test_profile_of_unknown_user_is_404(client):
    assert client.get("/u/nobody").status_code == 404


def test_follow_needs_sign_in_and_csrf(client, alice_client, users):
    assert client.post("/u/bob/follow", data={}).status_code == 302
    assert alice_client.post("/u/bob/follow", data={}, csrf=False).status_code == 400


def test_search_page_lists_only_what_the_visitor_may_see(client, bob_client, items):
    anon = client.get("/search?q=snippet").get_data(as_text=True)
    assert all(f'href="{path}"' in anon for path in ("/paste/a1", "/bookmark/b1", "/wiki/w1"))
    assert "/paste/a2" not in anon and "/bookmark/b2" not in anon
    bob = bob_client.get("/search?q=snippet").get_data(as_text=True)
    assert "/bookmark/b2" in bob and "/paste/a2" not in bob


def test_search_page_marks_matches_and_filters(client, items):
    html = client.get("/search?q=snippet+in:bookmarks").get_data(as_text=True)
    assert "<mark>snippet</mark>" in html
    assert "Alice public" not in html


def test_closed_wiki_is_not_searchable_anonymously(make_app, users):
    app = make_app(WIKI_READ="users")
    with app.app_context():
        search.index_item("wiki", "w9", owner_id=None, visibility="public", title="Internal roadmap",
                          body="x", url="/wiki/x")
    assert "Internal roadmap" not in app.test_client().get("/search?q=roadmap").get_data(as_text=True)


def test_closed_wiki_is_not_on_the_anonymous_dashboard(make_app):
    app = make_app(WIKI_READ="users")
    with app.app_context():
        create_user("alice", PASSWORD)
        search.index_item("wiki", "w9", owner_id=None, visibility="public", title="Internal roadmap",
                          body="x", url="/wiki/x")
    assert "Internal roadmap" not in app.test_client().get("/").get_data(as_text=True)
    signed_in = app.test_client()
    AuthActions(signed_in).login("alice")
    assert "Internal roadmap" in signed_in.get("/").get_data(as_text=True)


@pytest.mark.parametrize("q", ['"', "AND OR", "*", "x" * 10000, "in:nowhere", "-only"])
def test_odd_search_text_gets_results_or_a_message(client, items, q):
    resp = client.get("/search", query_string={"q": q})
    assert resp.status_code == 200


def test_new_wiki_page_box_goes_to_the_editor(client):
    resp = client.get("/new-page?title=Release notes 2026")
    assert resp.headers["Location"] == "/wiki/Release_notes_2026/edit"


@pytest.mark.parametrize(("title", "reason"), [("a#b", "cannot contain #"), ("a/../b", "cannot start or end with a dot"),
                                                ("Foo/", "start or end with a slash")])
def test_a_title_the_wiki_cannot_take_comes_back_in_a_box_with_the_reason(alice_client, title, reason):
    resp = alice_client.get("/new-page", query_string={"title": title}, follow_redirects=True)
    assert resp.status_code == 400
    page = resp.get_data(as_text=True)
    assert reason in page and 'name="title"' in page and 'action="/new-page"' in page
    assert f'value="{title}"' in page
