"""The pastes JSON API: create, read, raw, list mine, delete; token auth and JSON errors."""
import pytest

from tests.pastebin.conftest import PY


@pytest.fixture
def api(client, token):
    """Calls /api/v1/pastes with alice's token."""
    def call(method, path="", **kwargs):
        return client.open(f"/api/v1/pastes{path}", method=method,
                           headers={"Authorization": f"Bearer {token}"}, **kwargs)
    return call


def test_create_answers_201_with_url(api, client):
    resp = api("POST", json={"content": PY, "lang": "python", "title": "API"})
    assert resp.status_code == 201
    body = resp.get_json()
    assert body["url"].startswith("http://localhost/paste/") and resp.headers["Location"] == body["url"]
    assert body["owner"] == "alice" and body["files"][0]["lang"] == "python"
    assert client.get(body["url"]).status_code == 200


def test_create_several_files(api):
    body = api("POST", json={"files": [{"name": "a.py", "content": "a = 1"},
                                       {"name": "b.rb", "content": "b = 2"}]}).get_json()
    assert [(f["name"], f["lang"]) for f in body["files"]] == [("a.py", "python"), ("b.rb", "ruby")]


def test_read_raw_list_and_delete(api, client):
    slug = api("POST", json={"content": "hello\n"}).get_json()["slug"]
    assert api("GET", f"/{slug}").get_json()["files"][0]["content"] == "hello\n"
    assert api("GET", f"/{slug}/raw").get_data(as_text=True) == "hello\n"
    listed = api("GET").get_json()
    assert [p["slug"] for p in listed["items"]] == [slug] and "content" not in listed["items"][0]["files"][0]
    assert api("DELETE", f"/{slug}").status_code == 204
    assert api("GET", f"/{slug}").status_code == 404


@pytest.mark.parametrize(("body", "code"), [
    ({"content": "  "}, "invalid"),
    ({"content": "x", "lang": "klingon"}, "invalid"),
    ({"title": "no content"}, "missing_field"),
    ({"content": "x", "colour": "red"}, "unknown_field"),
    ({"files": [{"content": 3}]}, "wrong_type"),
])
def test_bad_input_is_a_json_400(api, body, code):
    resp = api("POST", json=body)
    assert resp.status_code == 400
    assert resp.get_json()["error"]["code"] == code


def test_create_refuses_a_title_over_200_characters_and_keeps_one_of_200_whole(api):
    """As the form and PATCH do: POST cut a longer title at 200 without a word."""
    resp = api("POST", json={"content": "x", "title": "t" * 201})
    assert resp.status_code == 400
    assert resp.get_json()["error"] == {"code": "invalid",
                                        "message": "The title is 201 characters long; at most 200 fit."}
    assert api("GET").get_json()["items"] == []
    made = api("POST", json={"content": "x", "title": "t" * 199 + "é"})
    assert made.status_code == 201 and made.get_json()["title"] == "t" * 199 + "é"


def test_create_without_token_is_401(client):
    resp = client.post("/api/v1/pastes", json={"content": "x"})
    assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "token_required"


def test_others_private_paste_is_404_and_cannot_be_deleted(api, app, client):
    slug = api("POST", json={"content": "x", "visibility": "private"}).get_json()["slug"]
    assert client.get(f"/api/v1/pastes/{slug}").status_code == 404
    from suite.auth.accounts import create_token
    from suite.auth.models import User
    with app.app_context():
        bob_token = create_token(User.by_name("bob"), "t")[1]
    resp = client.delete(f"/api/v1/pastes/{slug}", headers={"Authorization": f"Bearer {bob_token}"})
    assert resp.status_code == 404


@pytest.fixture
def bob_api(app, client, users):
    """Calls /api/v1/pastes with a token of bob's (the other user)."""
    from suite.auth.accounts import create_token
    with app.app_context():
        bob_token = create_token(users["bob"], "bob")[1]

    def call(method, path="", **kwargs):
        return client.open(f"/api/v1/pastes{path}", method=method,
                           headers={"Authorization": f"Bearer {bob_token}"}, **kwargs)
    return call


def test_patch_changes_title_visibility_and_expiry(api, client):
    slug = api("POST", json={"content": PY, "title": "Old title"}).get_json()["slug"]
    assert "Old title" in client.get(f"/paste/{slug}").get_data(as_text=True)  # now in the page cache
    resp = api("PATCH", f"/{slug}", json={"title": "New title", "visibility": "unlisted", "expires": "1h"})
    assert resp.status_code == 200
    body = resp.get_json()
    assert (body["title"], body["visibility"]) == ("New title", "unlisted") and body["expires_at"]
    assert body["files"][0]["content"] == PY and api("GET", f"/{slug}").get_json() == body
    assert "New title" in client.get(f"/paste/{slug}").get_data(as_text=True)


def test_patch_keeps_the_fields_not_sent(api):
    slug = api("POST", json={"content": "x", "title": "Kept", "visibility": "unlisted",
                             "expires": "1d"}).get_json()["slug"]
    before = api("GET", f"/{slug}").get_json()
    after = api("PATCH", f"/{slug}", json={"title": None}).get_json()
    assert after == before
    after = api("PATCH", f"/{slug}", json={"expires": "never"}).get_json()
    assert (after["title"], after["visibility"], after["expires_at"]) == ("Kept", "unlisted", None)


@pytest.mark.parametrize(("created", "change", "code", "message"), [
    ({}, {"visibility": "secret"}, "invalid", "Unknown visibility"),
    ({}, {"expires": "forever"}, "invalid", "Unknown expiry"),
    ({}, {"title": "x" * 201}, "invalid", "at most 200"),
    ({}, {"visibility": "private", "expires": "burn"}, "invalid", "private paste"),
    ({"visibility": "unlisted", "expires": "burn"}, {"visibility": "private"}, "invalid", "private paste"),
    ({}, {"colour": "red"}, "unknown_field", "colour"),
    ({}, {"title": 5}, "wrong_type", "title"),
    ({}, {"visibility": ["public"]}, "wrong_type", "visibility"),
])
def test_patch_refuses_what_the_edit_page_refuses(api, created, change, code, message):
    slug = api("POST", json={"content": "x", "title": "Before", **created}).get_json()["slug"]
    before = api("GET", f"/{slug}").get_json()
    resp = api("PATCH", f"/{slug}", json=change)
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == code
    assert message in resp.get_json()["error"]["message"]
    assert api("GET", f"/{slug}").get_json() == before


def test_patch_is_for_the_owner_only(api, bob_api, client, get_paste):
    public = api("POST", json={"content": "x"}).get_json()["slug"]
    private = api("POST", json={"content": "x", "visibility": "private"}).get_json()["slug"]
    burn = api("POST", json={"content": "x", "visibility": "unlisted", "expires": "burn"}).get_json()["slug"]
    for slug in (public, private, burn, "no-such-paste"):
        resp = bob_api("PATCH", f"/{slug}", json={"title": "bob was here"})
        assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "not_found"
    assert client.patch(f"/api/v1/pastes/{public}", json={"title": "anonymous"}).status_code == 401
    assert get_paste(burn) is not None  # refused without being read
    assert [get_paste(s).title for s in (public, private, burn)] == ["", "", ""]


def test_patch_of_my_burn_paste_keeps_it_unread(api, get_paste):
    slug = api("POST", json={"content": "x", "visibility": "unlisted", "expires": "burn"}).get_json()["slug"]
    body = api("PATCH", f"/{slug}", json={"title": "Read me once"}).get_json()
    assert body["burn_after_reading"] and body["title"] == "Read me once"
    assert get_paste(slug).burn_after_reading


def test_a_new_version_names_its_parent(api, bob_api, client):
    parent = api("POST", json={"content": "alice's text\n"}).get_json()["slug"]
    resp = bob_api("POST", json={"content": "bob's text\n", "parent": parent})
    assert resp.status_code == 201 and resp.get_json()["parent"] == parent
    child = resp.get_json()["slug"]
    assert client.get(f"/api/v1/pastes/{child}").get_json()["parent"] == parent
    assert f"/paste/{parent}/diff/{child}" in client.get(f"/paste/{parent}").get_data(as_text=True)


def test_an_unlisted_parent_is_kept_and_named_as_on_the_page(api, bob_api):
    """The link is saved; the JSON names it to whoever the page shows it to (the parent's owner)."""
    parent = api("POST", json={"content": "shared by link\n", "visibility": "unlisted"}).get_json()["slug"]
    made = bob_api("POST", json={"content": "fork\n", "parent": parent}).get_json()
    assert made["parent"] is None
    assert api("GET", f"/{made['slug']}").get_json()["parent"] == parent


@pytest.mark.parametrize("parent", ["private", "expired", "deleted", "no-such-paste", "ab\x00c", "x" * 40,
                                    "../../etc"])
def test_a_parent_the_caller_may_not_see_is_refused_as_missing(app, api, bob_api, parent):
    import datetime

    from suite.auth.models import utcnow
    from suite.pastebin.models import Paste
    made = {k: api("POST", json={"content": f"{k}\n", "visibility": "private" if k == "private" else "public",
                                 "expires": "1h"}).get_json()["slug"] for k in ("private", "expired", "deleted")}
    with app.app_context():
        Paste.update(expires_at=utcnow() - datetime.timedelta(seconds=1)).where(
            Paste.slug == made["expired"]).execute()
    api("DELETE", f"/{made['deleted']}")
    resp = bob_api("POST", json={"content": "fork\n", "parent": made.get(parent, parent)})
    assert resp.status_code == 404
    assert resp.get_json()["error"] == {"code": "parent_not_found",
                                        "message": "The parent paste does not exist, has expired or was deleted."}
    assert bob_api("GET").get_json()["items"] == []


def test_someone_elses_burn_paste_is_no_parent_and_stays_unread(api, bob_api, get_paste):
    burn = api("POST", json={"content": "once\n", "visibility": "unlisted", "expires": "burn"}).get_json()["slug"]
    resp = bob_api("POST", json={"content": "fork\n", "parent": burn})
    assert resp.status_code == 404 and resp.get_json()["error"]["code"] == "parent_not_found"
    assert get_paste(burn) is not None
    mine = api("POST", json={"content": "my own fork\n", "parent": burn})  # the owner's reads never burn it
    assert mine.status_code == 201 and mine.get_json()["parent"] == burn
    assert get_paste(burn) is not None and get_paste(burn).burn_after_reading
    assert bob_api("GET", f"/{burn}").get_json()["files"][0]["content"] == "once\n"  # its one reading is left
    assert get_paste(burn) is None


@pytest.mark.parametrize(("parent", "code"), [(5, "wrong_type"), (["x"], "wrong_type")])
def test_a_parent_that_is_not_a_slug_string_is_a_400(api, parent, code):
    resp = api("POST", json={"content": "x", "parent": parent})
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == code
    assert api("GET").get_json()["items"] == []


@pytest.mark.parametrize("newest", [False, True])
def test_a_parent_deleted_between_its_lookup_and_the_insert_is_a_404(api, bob_api, get_paste,
                                                                    parent_deleted_after_lookup, newest):
    """The foreign key refused the insert, which was retried as a slug collision and ended in a 500.

    When the parent was the newest paste, SQLite gave the new one its id: it named itself as its parent.
    """
    parent = api("POST", json={"content": "alice's text\n"}).get_json()["slug"]
    if not newest:
        api("POST", json={"content": "a later paste\n"})
    resp = bob_api("POST", json={"content": "fork\n", "parent": parent})
    assert resp.status_code == 404
    assert resp.get_json()["error"] == {"code": "parent_not_found",
                                        "message": "The parent paste does not exist, has expired or was deleted."}
    assert get_paste(parent) is None and bob_api("GET").get_json()["items"] == []
