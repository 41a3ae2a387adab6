"""The wiki's JSON API: read, list, history, and saves that answer 409 instead of overwriting."""
import pytest


def auth(token):
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def api(client, token):
    """A client plus alice's token headers."""
    return client, auth(token)


def put(client, headers, title, content, base, message=""):
    return client.put(f"/api/v1/wiki/{title}", json={"content": content, "base_revision": base,
                                                      "message": message}, headers=headers)


def test_put_creates_page_then_get_reads_it(api):
    client, headers = api
    resp = put(client, headers, "Api_page", "Hello [[World]]", 0, "via api")
    assert resp.status_code == 201
    assert resp.json["revision"] == 1
    page = client.get("/api/v1/wiki/api_page").json
    assert page["title"] == "Api page" and page["content"] == "Hello [[World]]\n"
    assert 'class="wikilink missing"' in page["html"]


def test_get_reads_an_old_revision_with_rev(api, wiki, alice_client):
    client, headers = api
    put(client, headers, "Plan", "One [[Home]]", 0)
    put(client, headers, "Plan", "Two", 1)
    old = client.get("/api/v1/wiki/Plan?rev=1").json
    assert old["revision"] == 1 and old["content"] == "One [[Home]]\n" and "wikilink missing" in old["html"]
    assert client.get("/api/v1/wiki/Plan").json["revision"] == 2
    assert client.get("/api/v1/wiki/Plan?rev=3").status_code == 404
    alice_client.post("/wiki/Plan/delete", data={})
    assert client.get("/api/v1/wiki/Plan").status_code == 404
    assert client.get("/api/v1/wiki/Plan?rev=2").json["content"] == "Two\n"  # its history stays readable


def test_stale_put_that_merges_is_200_with_merged_with(api, bob_wiki):
    client, headers = api
    put(client, headers, "Doc", "a\nb\nc\nd\ne\n", 0)
    bob_wiki.save("Doc", "a\nb\nc\nd\nE\n", base=1)
    resp = put(client, headers, "Doc", "A\nb\nc\nd\ne\n", 1)
    assert resp.status_code == 200
    assert resp.json["merged_with"] == ["bob"]
    assert resp.json["content"] == "A\nb\nc\nd\nE\n"


def test_conflicting_put_is_409_with_current_revision(api, bob_wiki):
    client, headers = api
    put(client, headers, "Doc", "line\n", 0)
    bob_wiki.save("Doc", "bob's line\n", base=1)
    resp = put(client, headers, "Doc", "alice's line\n", 1)
    assert resp.status_code == 409
    assert resp.json["error"]["code"] == "conflict"
    page_id = client.get("/api/v1/wiki/Doc").json["id"]
    assert resp.json["current"] == {"id": page_id, "revision": 2, "content": "bob's line\n", "author": "bob"}


def test_put_without_token_is_401(client):
    resp = client.put("/api/v1/wiki/Doc", json={"content": "x", "base_revision": 0})
    assert resp.status_code == 401


@pytest.mark.parametrize(("body", "code"), [
    ({"content": "x"}, "missing_field"),
    ({"content": 5, "base_revision": 0}, "wrong_type"),
    ({"content": "x", "base_revision": 0, "extra": 1}, "unknown_field"),
])
def test_bad_put_bodies_are_400(api, body, code):
    client, headers = api
    resp = client.put("/api/v1/wiki/Doc", json=body, headers=headers)
    assert resp.status_code == 400 and resp.json["error"]["code"] == code


def test_put_with_bad_title_or_empty_content_is_400_json(api):
    client, headers = api
    assert put(client, headers, "a/../b", "x", 0).status_code == 400
    resp = put(client, headers, "Doc", "   ", 0)
    assert resp.status_code == 400 and "empty" in resp.json["error"]["message"]


def test_missing_page_is_404_json(client):
    resp = client.get("/api/v1/wiki/Nothing")
    assert resp.status_code == 404 and resp.json["error"]["code"] == "not_found"


def test_list_and_history(api):
    client, headers = api
    put(client, headers, "One", "1", 0)
    put(client, headers, "Two", "2", 0)
    put(client, headers, "Two", "2b", 1, "second")
    listing = client.get("/api/v1/wiki?per_page=1").json
    assert [p["title"] for p in listing["items"]] == ["One"] and listing["next"]
    history = client.get("/api/v1/wiki/Two/history").json
    assert [r["revision"] for r in history["items"]] == [2, 1]
    assert history["items"][0]["message"] == "second"


def test_following_next_gives_every_page_and_revision_once(api):
    client, headers = api
    for title in ("One", "Two", "Three"):
        put(client, headers, title, "1", 0)
    for n in range(2, 6):
        put(client, headers, "Two", str(n), n - 1)
    assert [p["title"] for p in _followed(client, "/api/v1/wiki?per_page=1")] == ["One", "Three", "Two"]
    assert [r["revision"] for r in _followed(client, "/api/v1/wiki/Two/history?per_page=2")] == [5, 4, 3, 2, 1]


def _followed(client, url):
    items = []
    while url:
        listing = client.get(url).json
        items += listing["items"]
        url = listing["next"]
    return items


def test_openapi_lists_wiki_paths(client):
    paths = client.get("/api/v1/openapi.json").json["paths"]
    assert "/api/v1/wiki/{title}" in paths and "put" in paths["/api/v1/wiki/{title}"]


def test_put_with_page_id_follows_a_rename_made_meanwhile(api, wiki):
    """A client read "Old" (its id and revision); the page was renamed "New"; the PUT lands on "New"."""
    client, headers = api
    read = put(client, headers, "Old", "one\ntwo\n", 0).json
    wiki.client.post("/wiki/Old/rename", data={"new_title": "New", "rewrite": "y", "message": ""})
    resp = client.put("/api/v1/wiki/Old", headers=headers, json={
        "content": "one\ntwo\nthree\n", "base_revision": read["revision"], "page_id": read["id"]})
    assert resp.status_code == 200
    assert (resp.json["title"], resp.json["moved_from"]) == ("New", "Old")
    assert client.get("/api/v1/wiki/New").json["content"] == "one\ntwo\nthree\n"
    assert client.get("/api/v1/wiki/Old?redirect=no").json["content"].startswith("#REDIRECT [[New]]")


def test_put_without_page_id_on_a_title_a_rename_left_is_409(api, wiki):
    """Revision 1 at "Old" is now the redirect's: a base from the moved page must not land there."""
    client, headers = api
    put(client, headers, "Old", "one\n", 0)
    wiki.client.post("/wiki/Old/rename", data={"new_title": "New", "rewrite": "y", "message": ""})
    resp = put(client, headers, "Old", "one\ntwo\n", 1)
    assert resp.status_code == 409
    assert resp.json["moved_to"] == "New"
    assert client.get("/api/v1/wiki/New").json["content"] == "one\n"


def test_a_title_reused_after_a_rename_is_edited_with_the_sha256_of_its_own_revision(api, wiki):
    """Old became a page of its own again after the rename; with no page_id every PUT was a 409 for good."""
    client, headers = api
    put(client, headers, "Old", "moved text\n", 0)
    wiki.client.post("/wiki/Old/rename", data={"new_title": "New", "message": ""})
    assert wiki.save("Old", "A new page here.\n").status_code == 302
    assert wiki.save("Old", "A new page here, edited.\n").status_code == 302
    history = client.get("/api/v1/wiki/Old/history", headers=headers).json["items"]
    [newest] = [r for r in history if r["revision"] == 3]
    resp = client.put("/api/v1/wiki/Old", headers=headers, json={
        "content": "A new page here, edited twice.\n", "base_revision": 3, "base_sha256": newest["sha256"]})
    assert resp.status_code == 200 and resp.json["title"] == "Old"
    moved = [r for r in client.get("/api/v1/wiki/New/history", headers=headers).json["items"] if r["revision"] == 1]
    resp = put(client, headers, "Old", "x\n", 1)  # without a hash revision 1 is still ambiguous
    assert resp.status_code == 409
    resp = client.put("/api/v1/wiki/Old", headers=headers, json={  # the moved page's hash is not this page's
        "content": "x\n", "base_revision": 1, "base_sha256": moved[0]["sha256"]})
    assert resp.status_code == 409
    assert client.get("/api/v1/wiki/New").json["content"] == "moved text\n"


def test_put_with_a_base_sha256_of_another_text_is_409(api):
    client, headers = api
    put(client, headers, "Doc", "one\n", 0)
    resp = client.put("/api/v1/wiki/Doc", headers=headers,
                      json={"content": "two\n", "base_revision": 1, "base_sha256": "0" * 64})
    assert resp.status_code == 409
    assert client.get("/api/v1/wiki/Doc").json["content"] == "one\n"


def test_delete_restore_and_move_over_the_api(api, wiki):
    client, headers = api
    put(client, headers, "Draft", "Linked from Index.", 0)
    put(client, headers, "Draft/Notes", "A subpage.", 0)
    put(client, headers, "Index", "See [[Draft]].", 0)
    resp = client.post("/api/v1/wiki/Draft/move", headers=headers,
                       json={"to": "Plan", "rewrite_links": True, "subpages": True, "message": "better name"})
    assert resp.status_code == 200 and resp.json["title"] == "Plan" and resp.json["links_updated"] == ["Index"]
    assert client.get("/api/v1/wiki/Index").json["content"] == "See [[Plan]].\n"
    assert client.get("/api/v1/wiki/Plan/Notes").json["content"] == "A subpage.\n"
    assert client.get("/api/v1/wiki/Draft").json["redirect_to"] == "Plan"
    assert client.delete("/api/v1/wiki/Plan", headers=headers, json={"message": "done"}).status_code == 204
    assert client.get("/api/v1/wiki/Plan").status_code == 404
    assert client.delete("/api/v1/wiki/Plan", headers=headers).status_code == 404  # deleted already
    restored = client.post("/api/v1/wiki/Plan/restore", headers=headers)
    assert restored.status_code == 200 and restored.json["content"] == "Linked from Index.\n"


def test_the_apis_delete_and_move_follow_the_pages_rules(api, app, users, bob_wiki):
    client, headers = api
    from suite.auth.accounts import create_token
    with app.app_context():
        bob = {"Authorization": f"Bearer {create_token(users['bob'], 'test')[1]}"}
    put(client, headers, "Mine", "alice's page", 0)
    put(client, headers, "Taken", "another page", 0)
    assert client.delete("/api/v1/wiki/Mine", headers=bob).status_code == 403  # not its author, not an admin
    assert client.delete("/api/v1/wiki/Mine").status_code == 401
    assert client.post("/api/v1/wiki/Mine/move", headers=headers, json={"to": "Taken"}).status_code == 409
    assert client.post("/api/v1/wiki/Mine/move", headers=headers, json={"to": "a//b"}).status_code == 400
    assert client.post("/api/v1/wiki/Mine/move", headers=headers, json={"title": "X"}).status_code == 400
    assert client.post("/api/v1/wiki/Mine/restore", headers=headers).status_code == 400  # not deleted
    assert client.post("/api/v1/wiki/Nowhere/move", headers=headers, json={"to": "Y"}).status_code == 404
    assert client.get("/api/v1/wiki/Mine").json["content"] == "alice's page\n"
