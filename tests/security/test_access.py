"""Access-control matrix from the url map: others' private items are 404, unlisted ones are never listed."""
import re

import pytest

from suite.security import UNSAFE
from tests.security.routes import MARK, ROUTES, bearer, path_for, row_counts, rules

OWNER_ONLY = {"bookmark", "own"}  # every bookmark page and API call is its owner's; so are runs and tokens


def _item_rules(app, kinds, methods=("GET",)):
    return [r for r in rules(app, methods) if ROUTES.get(r.endpoint) in kinds and r.arguments]


@pytest.fixture
def bob_token(app, users):
    """An API token of bob's."""
    from suite.auth.accounts import create_token
    with app.app_context():
        return create_token(users["bob"], "tests")[1]


def _viewers(app, bob_client, bob_token):
    anon = app.test_client()
    return {"bob": (bob_client, {}), "anonymous": (anon, {}), "bob-token": (anon, bearer(bob_token))}


def _get(app, bob_client, bob_token, kinds, visibility, seed):
    answers = {}
    for rule in _item_rules(app, kinds):
        path = path_for(app, rule.endpoint, **seed.args(rule, visibility))
        for who, (client, headers) in _viewers(app, bob_client, bob_token).items():
            if rule.rule.startswith("/api/") != bool(headers) and who != "anonymous":
                continue
            resp = client.get(path, headers=headers)
            answers[f"{who} GET {path}"] = (resp.status_code, resp.get_data().decode("utf-8", "replace"))
    return answers


def test_others_private_items_are_404_on_every_item_route(app, seed, bob_client, bob_token):
    answers = _get(app, bob_client, bob_token, {"paste", "bookmark", "own"}, "private", seed)
    assert len(answers) >= 20
    wrong = {call: status for call, (status, _) in answers.items() if status != 404
             and not (call.startswith("anonymous") and status in (401, 302))}
    assert not wrong, f"another user's private item answered: {wrong}"
    leaked = [call for call, (_, body) in answers.items() if f"{MARK} private" in body]
    assert not leaked


def test_unlisted_paste_is_readable_by_link_on_every_paste_route(app, seed, bob_client, bob_token):
    answers = _get(app, bob_client, bob_token, {"paste"}, "unlisted", seed)
    refused = {call: status for call, (status, _) in answers.items() if status != 200
               and "/edit" not in call}
    assert not refused, f"unlisted paste not readable by its link: {refused}"


def test_others_items_cannot_be_changed_on_any_item_route(app, seed, bob_client, bob_token):
    before = row_counts(app)
    answers = {}
    for rule in _item_rules(app, {"paste", "bookmark", "own"}, UNSAFE):
        for visibility in ("public", "private"):
            path = path_for(app, rule.endpoint, **seed.args(rule, visibility))
            for method in sorted(rule.methods & UNSAFE):
                if rule.rule.startswith("/api/"):
                    resp = app.test_client().open(path, method=method, headers=bearer(bob_token),
                                                  json={"title": "bob was here"})
                else:
                    resp = bob_client.open(path, method=method, data={"title": "bob was here"})
                answers[f"{method} {path}"] = resp.status_code
    wrong = {call: status for call, status in answers.items() if status not in (403, 404)}
    assert not wrong, f"bob's write on alice's item was not refused: {wrong}"
    assert row_counts(app) == before


def _text(resp):
    """The response as text without tags (search marks matched words with <mark>)."""
    return re.sub(r"<[^>]*>", "", resp.get_data().decode("utf-8", "replace"))


def _list_paths(app, seed):
    for rule in rules(app, {"GET"}):
        if ROUTES.get(rule.endpoint) == "list":
            yield path_for(app, rule.endpoint, **seed.args(rule)) + f"?q={MARK}"


def test_unlisted_and_private_items_never_appear_in_lists_feeds_or_search(app, seed, bob_client, bob_token):
    seen_public = []
    for path in _list_paths(app, seed):
        for who, (client, headers) in _viewers(app, bob_client, bob_token).items():
            body = _text(client.get(path, headers=headers))
            for hidden in ("unlisted", "private"):
                assert f"{MARK} {hidden}" not in body, f"{who} sees alice's {hidden} item on {path}"
                assert seed.pastes[hidden] not in body, f"{who} sees alice's {hidden} paste on {path}"
            if f"{MARK} public" in body:
                seen_public.append(path)
    # the walk is honest only if the lists do show public items
    for expected in ("/search", "/api/v1/search", "/paste/recent", "/paste/recent.atom", "/u/alice/bookmarks",
                     "/u/alice/bookmarks.atom"):
        assert any(p.startswith(expected + "?") for p in seen_public), f"{expected} never showed the public item"


def test_owner_lists_do_show_unlisted_and_private_items(seed, alice_client):
    body = _text(alice_client.get(f"/search?q={MARK}"))
    assert f"{MARK} unlisted" in body and f"{MARK} private" in body


@pytest.mark.parametrize("kind", ["wiki"])
def test_closed_wiki_refuses_anonymous_on_every_wiki_route(make_app, kind):
    app = make_app(WIKI_READ="users")
    client = app.test_client()
    answers = {}
    for rule in _item_rules(app, {kind}) + [r for r in rules(app, {"GET"}) if r.endpoint.startswith(("wiki.", "api_wiki."))
                                            and ROUTES[r.endpoint] == "list"]:
        args = {"title": "Home", "name": "a.txt"}
        path = path_for(app, rule.endpoint, **{k: args[k] for k in rule.arguments})
        answers[path] = client.get(path).status_code
    wrong = {p: s for p, s in answers.items() if s not in (401, 302)}
    assert not wrong, f"closed wiki answered anonymous: {wrong}"
