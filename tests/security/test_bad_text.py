"""Text no form should hold (NUL, lone surrogates' replacement, huge runs) sent to every write route: never a 500."""
import os

import pytest

from suite.security import UNSAFE
from tests.security.routes import api_writes, bearer, path_for, rules

FIELDS = ("content", "title", "url", "description", "notes", "tags", "message", "label", "new_title", "name",
          "files-0-content", "files-0-name", "username", "password", "confirm", "current", "action", "ids",
          "old", "new", "lang", "expires", "visibility")
BAD = {"nul": "a\x00b", "controls": "\x01\x07\x1b[31m\x7f", "bidi": "\u202e\u2066evil\u2069", "bom": "\ufeff",
       "replacement": "\ufffd" * 50}
ON_POSTGRES = bool(os.environ.get("SUITE_TEST_DATABASE_URL"))


@pytest.mark.parametrize("kind", sorted(BAD))
def test_no_form_route_answers_500_to_bad_text(app, seed, alice_client, kind):
    crashed = {}
    for rule in rules(app, UNSAFE):
        if rule.rule.startswith("/api/") or rule.endpoint in ("auth.logout", "auth.delete_account"):
            continue
        path = path_for(app, rule.endpoint, **seed.args(rule, "public"))
        for method in sorted(rule.methods & UNSAFE):
            resp = alice_client.open(path, method=method, data=dict.fromkeys(FIELDS, BAD[kind]))
            if resp.status_code >= 500:
                crashed[f"{method} {path}"] = resp.status_code
    assert not crashed, f"{kind}: {crashed}"
    assert alice_client.get("/auth/account").status_code == 200, "alice was signed out during the walk"


@pytest.mark.parametrize("kind", sorted(BAD))
def test_no_api_route_answers_500_to_bad_text(app, seed, kind):
    client = app.test_client()
    crashed = {}
    for method, path in api_writes(app, seed):
        for body in ({"content": BAD[kind], "base_revision": 0, "message": BAD[kind]},
                     {"url": "https://example.org/" + BAD[kind], "title": BAD[kind], "description": BAD[kind],
                      "notes": BAD[kind], "tags": [BAD[kind]]},
                     {"content": "ok", "title": BAD[kind], "name": BAD[kind], "lang": BAD[kind]}):
            resp = client.open(path, method=method, json=body, headers=bearer(seed.token))
            if resp.status_code >= 500:
                crashed[f"{method} {path} {sorted(body)}"] = resp.status_code
    assert not crashed, f"{kind}: {crashed}"


@pytest.mark.parametrize(("path", "data"), [("/auth/login", {"username": "a\x00b", "password": "x"}),
                                            ("/auth/tokens", {"label": "a\x00b"})])
def test_nul_in_sign_in_and_token_label_is_refused_not_500(alice_client, path, data):
    assert alice_client.post(path, data=data).status_code < 500
