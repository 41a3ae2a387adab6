"""Bad input to every API write: each gets a JSON error with the right 4xx, and nothing is written."""
import json

import pytest

from suite.search.models import SearchDoc

WRITES = [  # (method, path, a valid body)
    ("post", "/api/v1/bookmarks", {"url": "https://example.com/a"}),
    ("post", "/api/v1/pastes", {"content": "print(1)\n"}),
    ("put", "/api/v1/wiki/Api_Page", {"content": "text", "base_revision": 0}),
]
WRONG_TYPES = {"url": 5, "content": ["x"], "base_revision": "one"}


def call(client, method, path, token, **kwargs):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return getattr(client, method)(path, headers=headers, **kwargs)


def nothing_written(app):
    with app.app_context():
        return SearchDoc.select().count() == 0


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_valid_body_is_accepted(client, token, method, path, body):
    assert call(client, method, path, token, json=body).status_code == 201


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
@pytest.mark.parametrize(("case", "send", "status", "code"), [
    ("invalid json", {"data": "{not json", "content_type": "application/json"}, 400, "invalid_json"),
    ("not an object", {"json": ["a", "list"]}, 400, "invalid_json"),
    ("unknown field", "unknown", 400, "unknown_field"),
    ("wrong type", "wrong_type", 400, "wrong_type"),
    ("missing field", {"json": {}}, 400, "missing_field"),
])
def test_bad_bodies_are_refused(app, client, token, method, path, body, case, send, status, code):
    if send == "unknown":
        send = {"json": dict(body, surprise=True)}
    elif send == "wrong_type":
        key = next(k for k in body if k in WRONG_TYPES)
        send = {"json": dict(body, **{key: WRONG_TYPES[key]})}
    resp = call(client, method, path, token, **send)
    assert resp.status_code == status, (case, resp.json)
    assert resp.json["error"]["code"] == code and resp.json["error"]["message"]
    assert nothing_written(app)


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_huge_body_is_413_json(make_app, users, method, path, body):
    app = make_app(MAX_UPLOAD_BYTES=10_000)
    from suite.auth.accounts import create_token, create_user
    with app.app_context():
        token = create_token(create_user("carol", "long enough password"), "t")[1]
    client = app.test_client()
    big = dict(body, **{k: "x" * 20_000 for k in body if isinstance(body[k], str)})
    resp = call(client, method, path, token, data=json.dumps(big), content_type="application/json")
    assert resp.status_code == 413 and resp.json["error"]["code"]
    assert nothing_written(app)


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
@pytest.mark.parametrize("token", [None, "st_wrong"])
def test_writes_without_a_valid_token_are_401(app, client, users, method, path, body, token):
    resp = call(client, method, path, token, json=body)
    assert resp.status_code == 401 and "error" in resp.json
    assert nothing_written(app)


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
def test_cookie_session_cannot_write_through_the_api(app, alice_client, method, path, body):
    resp = getattr(alice_client, method)(path, json=body)
    assert resp.status_code == 401
    assert nothing_written(app)


def test_someone_elses_private_items_are_404(app, client, token, users):
    from suite.auth.accounts import create_token
    with app.app_context():
        bob = create_token(users["bob"], "bob")[1]
    made = call(client, "post", "/api/v1/bookmarks", token, json={"url": "https://example.com/p", "private": True})
    paste = call(client, "post", "/api/v1/pastes", token, json={"content": "secret", "visibility": "private"})
    assert made.status_code == 201 and paste.status_code == 201
    for url in (made.json["url"] if made.json["url"].startswith("/api") else f"/api/v1/bookmarks/{made.json['id']}",
                f"/api/v1/pastes/{paste.json['slug']}"):
        assert call(client, "get", url, bob).status_code == 404
        assert call(client, "delete", url, bob).status_code == 404
        assert call(client, "get", url, token).status_code == 200
