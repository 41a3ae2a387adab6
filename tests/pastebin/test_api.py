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
