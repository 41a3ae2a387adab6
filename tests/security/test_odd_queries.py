"""Odd query strings and JSON bodies sent to every route: a 4xx or a page, never a 500."""
import pytest

from tests.security.routes import api_writes, bearer, path_for, rules

HUGE = "99999999999999999999"
QUERIES = {
    # beyond a database integer: SQLite raised OverflowError, PostgreSQL "integer out of range"
    "huge numbers": {"page": HUGE, "per_page": HUGE, "rev": HUGE, "to": HUGE, "from": HUGE, "q": "zanzibarquux"},
    # a negative OFFSET is an error on PostgreSQL
    "negative numbers": {"page": "-2", "per_page": "-1", "rev": "-2", "to": "-5", "from": "-9"},
    # url_for's own keywords, which pagination links used to pass the query string into
    # PostgreSQL cannot hold NUL in text: psycopg2 raised on searches, filters and slugs
    "NUL characters": {"q": "a\x00b", "tag": "a\x00b", "domain": "a\x00b", "lang": "a\x00b", "page": "1\x00",
                       "user": "a\x00b", "a\x00b": "x"},
    "url_for keywords": {"page": "2", "per_page": "1", "_anchor": "x", "_method": "POST", "endpoint": "x",
                         "_external": "1", "_scheme": "javascript", "title": "x", "values": "x", "q": "zanzibarquux"},
}


@pytest.mark.parametrize("kind", sorted(QUERIES))
def test_no_page_answers_500_to_odd_query_strings(app, seed, alice_client, kind):
    crashed = {}
    api = app.test_client()
    for rule in rules(app, {"GET"}):
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        path = path_for(app, rule.endpoint, **seed.args(rule, "public"))
        client, headers = (api, bearer(seed.token)) if rule.rule.startswith("/api/") else (alice_client, {})
        with client.get(path, query_string=QUERIES[kind], headers=headers) as resp:
            if resp.status_code >= 500:
                crashed[path] = resp.status_code
    assert not crashed, f"{kind}: {crashed}"


def test_no_route_answers_500_to_a_nul_in_its_path(app, seed, alice_client):
    crashed, api = {}, app.test_client()
    for rule in rules(app, {"GET"}):
        if not rule.arguments or rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        args = {name: f"{value}\x00x" if isinstance(value, str) else value
                for name, value in seed.args(rule, "public").items()}
        if args == seed.args(rule, "public"):
            continue  # numbers only: the converters already refuse anything else
        path = path_for(app, rule.endpoint, **args)
        client, headers = (api, bearer(seed.token)) if rule.rule.startswith("/api/") else (alice_client, {})
        with client.get(path, headers=headers) as resp:
            if resp.status_code != 404:
                crashed[path] = resp.status_code
    assert not crashed


def test_a_nul_in_a_search_is_a_400_that_says_so(alice_client):
    resp = alice_client.get("/search", query_string={"q": "zanzibar\x00quux"})
    assert resp.status_code == 400 and "NUL character" in resp.get_data(as_text=True)


def test_pagination_links_keep_filters_but_not_url_for_keywords(seed, alice_client):
    page = alice_client.get("/search", query_string={"q": "zanzibarquux", "page": "1", "_anchor": "x",
                                                     "_external": "1", "_scheme": "javascript"})
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "javascript:" not in html and "http://localhost/search" not in html


BODIES = {
    "lone surrogate": '{"title": "\\ud800", "url": "https://example.org/\\udfff", "content": "\\ud800",'
                      ' "base_revision": 0, "notes": "\\ud800", "tags": ["\\ud800"]}',
    "lone surrogate inside a list's objects": '{"files": [{"content": "x\\ud800", "name": "\\udfff"}]}',
    "nested too deep": "[" * 100_000 + "]" * 100_000,
}


@pytest.mark.parametrize("kind", sorted(BODIES))
def test_no_api_route_answers_500_to_odd_json(app, seed, kind):
    client = app.test_client()
    crashed = {}
    for method, path in api_writes(app, seed):
        resp = client.open(path, method=method, data=BODIES[kind], content_type="application/json",
                           headers=bearer(seed.token))
        if resp.status_code >= 500:
            crashed[f"{method} {path}"] = resp.status_code
    assert not crashed, f"{kind}: {crashed}"


def test_a_lone_surrogate_in_json_is_a_400_naming_the_field(app, seed):
    resp = app.test_client().post("/api/v1/bookmarks", data='{"url": "https://example.org/", "title": "\\ud800"}',
                                  content_type="application/json", headers=bearer(seed.token))
    assert resp.status_code == 400
    assert resp.json["error"]["message"].startswith("Field title is not valid Unicode")


def test_a_lone_surrogate_deep_inside_a_field_is_a_400_naming_the_field(app, seed):
    resp = app.test_client().post("/api/v1/pastes", data='{"files": [{"content": "hi", "name": "\\ud800"}]}',
                                  content_type="application/json", headers=bearer(seed.token))
    assert resp.status_code == 400
    assert resp.json["error"]["message"].startswith("Field files is not valid Unicode")
