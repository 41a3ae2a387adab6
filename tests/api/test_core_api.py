"""The suite-wide API: token auth, /me, search, errors, rate limits and the OpenAPI document."""
import pytest

from suite import search


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def test_me_with_token(client, token):
    resp = client.get("/api/v1/me", headers=bearer(token))
    assert resp.status_code == 200
    assert resp.json["username"] == "alice" and "password_hash" not in resp.json


def test_me_without_token_is_401_json(client):
    resp = client.get("/api/v1/me")
    assert resp.status_code == 401
    assert resp.json["error"]["code"] == "token_required"


def test_session_cookie_does_not_authenticate_the_api(alice_client):
    assert alice_client.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("header", ["Bearer wrong", "Bearer st_" + "x" * 43, "Token abc"])
def test_wrong_tokens_are_refused(client, users, header):
    resp = client.get("/api/v1/me", headers={"Authorization": header})
    assert resp.status_code == 401


def test_search_sees_only_what_the_token_user_may(app, client, users, token):
    with app.app_context():
        search.index_item("paste", "mine", owner_id=users["alice"].id, visibility="private",
                          title="alpha private", body="", url="/paste/mine")
        search.index_item("paste", "bobs", owner_id=users["bob"].id, visibility="unlisted",
                          title="alpha unlisted", body="", url="/paste/bobs")
    anon = client.get("/api/v1/search?q=alpha").json
    assert anon["items"] == []
    mine = client.get("/api/v1/search?q=alpha", headers=bearer(token)).json
    assert [i["id"] for i in mine["items"]] == ["mine"]


def test_each_search_hit_names_its_item_in_its_apps_api(client, token):
    """A hit's api_url is the item in its app's API: a paste's by its slug, a page's by its title."""
    paste = client.post("/api/v1/pastes", json={"title": "kiwi paste", "content": "kiwi"}, headers=bearer(token)).json
    client.put("/api/v1/wiki/Kiwi_Notes/Today", json={"content": "kiwi", "base_revision": 0}, headers=bearer(token))
    client.post("/api/v1/bookmarks", json={"url": "https://example.com/kiwi", "title": "kiwi bookmark",
                                           "private": False}, headers=bearer(token))
    hits = {hit["kind"]: hit for hit in client.get("/api/v1/search?q=kiwi").json["items"]}
    assert hits["paste"]["slug"] == paste["slug"]
    assert hits["paste"]["api_url"] == f"http://localhost/api/v1/pastes/{paste['slug']}"
    assert hits["wiki"]["api_url"] == "http://localhost/api/v1/wiki/Kiwi_Notes/Today"
    assert hits["bookmark"]["api_url"] == f"http://localhost/api/v1/bookmarks/{hits['bookmark']['id']}"
    for kind, field, value in (("paste", "title", "kiwi paste"), ("wiki", "title", "Kiwi Notes/Today"),
                               ("bookmark", "title", "kiwi bookmark")):
        item = client.get(hits[kind]["api_url"], headers=bearer(token))
        assert item.status_code == 200 and item.json[field] == value


def test_search_pagination_links(app, client, users):
    with app.app_context():
        for i in range(5):
            search.index_item("wiki", f"p{i}", owner_id=None, visibility="public", title=f"page {i}",
                              body="shared", url=f"/wiki/p{i}")
    first = client.get("/api/v1/search?q=shared&per_page=2").json
    assert len(first["items"]) == 2 and first["next"]
    second = client.get(first["next"]).json
    assert len(second["items"]) == 2


@pytest.mark.parametrize("q", ['"', "AND OR", "*", "x" * 10000])
def test_search_odd_text_never_500(client, q):
    assert client.get("/api/v1/search", query_string={"q": q}).status_code in (200, 400)


def test_bad_page_number_is_400(client):
    resp = client.get("/api/v1/search?q=x&page=abc")
    assert resp.status_code == 400 and resp.json["error"]["code"] == "invalid_page"


def test_unknown_api_path_is_json_404(client):
    resp = client.get("/api/v1/nope")
    assert resp.status_code == 404 and "error" in resp.json


def test_rate_limit_answers_429_with_retry_after(make_app):
    app = make_app(RATELIMIT_API="3/minute")
    client = app.test_client()
    codes = [client.get("/api/v1/openapi.json").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    resp = client.get("/api/v1/openapi.json")
    assert resp.json["error"]["code"] and int(resp.headers["Retry-After"]) > 0


def test_openapi_document_is_3_1_and_lists_core_paths(client):
    doc = client.get("/api/v1/openapi.json").json
    assert doc["openapi"] == "3.1.0"
    assert {"/api/v1/me", "/api/v1/search"} <= set(doc["paths"])
