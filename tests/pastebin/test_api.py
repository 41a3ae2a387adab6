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
