"""The bookmarks JSON API: token auth, create/read/update/delete, filters, tags, JSON errors."""
import pytest

from suite.bookmarks.models import Bookmark


@pytest.fixture
def api(client, token):
    """Call the API as alice with her token."""
    def call(method, path, json=None):
        return client.open("/api/v1/bookmarks" + path, method=method, json=json,
                           headers={"Authorization": f"Bearer {token}"})
    return call


def test_create_returns_201_with_location_and_url(api, app):
    resp = api("POST", "", {"url": "https://Example.com/a?utm_medium=x", "tags": ["Py", "web"], "private": False})
    assert resp.status_code == 201
    data = resp.get_json()
    assert data["url"] == "https://example.com/a" and data["tags"] == ["py", "web"] and data["private"] is False
    assert resp.headers["Location"].endswith(f"/api/v1/bookmarks/{data['id']}")
    assert data["thumbnail"] and data["status"] in ("done", "failed")


def test_create_known_url_returns_the_existing_bookmark(api):
    first = api("POST", "", {"url": "https://example.com/a"}).get_json()
    again = api("POST", "", {"url": "https://EXAMPLE.com/a#x"})
    assert again.status_code == 200 and again.get_json()["id"] == first["id"] and again.get_json()["existing"]


@pytest.mark.parametrize(("body", "code"), [
    ({"title": "no url"}, "missing_field"),
    ({"url": "javascript:alert(1)"}, "invalid"),
    ({"url": 5}, "wrong_type"),
    ({"url": "https://example.com/", "colour": "red"}, "unknown_field"),
    ({"url": "https://example.com/", "tags": [f"t{i}" for i in range(60)]}, "invalid"),
])
def test_bad_bodies_are_400_json(api, app, body, code):
    resp = api("POST", "", body)
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == code
    with app.app_context():
        assert Bookmark.select().count() == 0


@pytest.mark.parametrize(("item", "kind"), [({"a": 1}, "an object"), (5, "a number"), (1.5, "a number"),
                                            (True, "a boolean"), (None, "null"), (["x"], "an array")])
def test_tags_must_be_strings(api, app, item, kind):
    """Tags are a string or an array of strings (as the OpenAPI document says); anything else is a 400."""
    resp = api("POST", "", {"url": "https://example.com/y", "tags": ["fine", item]})
    assert resp.status_code == 400
    assert resp.get_json()["error"] == {"code": "wrong_type", "message": "Field tags must be a string or an array "
                                                                         f"of strings; item 2 is {kind}."}
    with app.app_context():
        assert Bookmark.select().count() == 0


def test_changing_tags_to_non_strings_is_refused_and_changes_nothing(api):
    b = api("POST", "", {"url": "https://example.com/y", "tags": ["kept"]}).get_json()
    resp = api("PATCH", f"/{b['id']}", {"title": "New", "tags": [5, True]})
    assert resp.status_code == 400 and resp.get_json()["error"]["code"] == "wrong_type"
    after = api("GET", f"/{b['id']}").get_json()
    assert (after["tags"], after["title"]) == (["kept"], b["title"])


@pytest.mark.parametrize("method", ["PATCH", "PUT"])
def test_each_item_of_a_tags_array_is_one_tag_as_in_an_imported_file(api, method):
    """An array marks where each tag ends: "machine learning" is machine-learning, as the Netscape
    import makes it; text is still split on commas and spaces."""
    b = api("POST", "", {"url": "https://example.com/ml", "tags": ["Machine learning", " to  read ", "#nlp"]})
    assert sorted(b.get_json()["tags"]) == ["machine-learning", "nlp", "to-read"]
    changed = api(method, f"/{b.get_json()['id']}", {"tags": ["deep learning", "machine-learning"]}).get_json()
    assert sorted(changed["tags"]) == ["deep-learning", "machine-learning"]
    assert sorted(api(method, f"/{changed['id']}", {"tags": "deep learning"}).get_json()["tags"]) == ["deep", "learning"]


def test_a_tag_keeps_its_vowel_signs_and_accents_in_any_script(api):
    """Python's \\w leaves out marks: हिन्दी was stored as हनद, a decomposed café as cafe."""
    typed = ["हिन्दी", "தமிழ்", "ภาษาที่", "cafe\u0301", "c++", "Naïve<b>"]
    b = api("POST", "", {"url": "https://example.com/scripts", "tags": typed}).get_json()
    assert sorted(b["tags"]) == sorted(["हिन्दी", "தமிழ்", "ภาษาที่", "caf\u00e9", "c++", "naïveb"])


def test_without_token_is_401_even_with_a_session(alice_client):
    resp = alice_client.get("/api/v1/bookmarks")
    assert resp.status_code == 401 and resp.get_json()["error"]["code"] == "token_required"


def test_read_update_delete(api):
    b = api("POST", "", {"url": "https://example.com/a", "title": "T"}).get_json()
    assert api("GET", f"/{b['id']}").get_json()["title"] == "T"
    changed = api("PATCH", f"/{b['id']}", {"title": "New", "tags": "a b", "unread": True}).get_json()
    assert (changed["title"], changed["tags"], changed["unread"], changed["url"]) == ("New", ["a", "b"], True,
                                                                                      "https://example.com/a")
    assert api("DELETE", f"/{b['id']}").status_code == 204
    assert api("GET", f"/{b['id']}").status_code == 404


def test_list_filters_and_paginates(api):
    for i in range(3):
        api("POST", "", {"url": f"https://example.com/{i}", "title": f"Item {i}", "tags": ["even"] if i % 2 == 0 else []})
    page = api("GET", "?tag=even&per_page=1").get_json()
    assert len(page["items"]) == 1 and page["next"] and "tag=even" in page["next"]
    assert {b["title"] for b in api("GET", "?tag=even").get_json()["items"]} == {"Item 0", "Item 2"}
    second = api("GET", "?tag=even&per_page=1&page=2").get_json()["items"]  # no item lost between pages
    assert {page["items"][0]["title"], second[0]["title"]} == {"Item 0", "Item 2"}
    assert [b["title"] for b in api("GET", "?q=item&per_page=5").get_json()["items"]]


def test_tags_with_counts(api):
    api("POST", "", {"url": "https://example.com/1", "tags": "a b"})
    api("POST", "", {"url": "https://example.com/2", "tags": "a"})
    assert api("GET", "/tags").get_json()["items"] == [{"name": "a", "count": 2}, {"name": "b", "count": 1}]


def test_others_bookmarks_are_404(api, app, users):
    from suite.bookmarks.bookmarks import add_bookmark
    with app.app_context():
        b, _ = add_bookmark(users["bob"], "https://example.com/bob", enqueue=False)
    assert api("GET", f"/{b.id}").status_code == 404
    assert api("DELETE", f"/{b.id}").status_code == 404


def test_paths_are_in_the_openapi_document(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "/api/v1/bookmarks" in spec["paths"] and "Bookmark" in spec["components"]["schemas"]


@pytest.mark.parametrize("query", ["page=100000000000000000000", "per_page=100000000000000000000",
                                   "page=-100000000000000000000&tag=x"])
def test_page_numbers_past_any_list_give_an_empty_list(api, query):
    api("POST", "", {"url": "https://example.com/a", "tags": ["x"]})
    resp = api("GET", f"?{query}")
    assert resp.status_code == 200


def test_line_ends_are_stored_as_lf_like_the_browser_form_stores_them(api):
    b = api("POST", "", {"url": "https://example.com/a", "description": "one\r\ntwo\rthree",
                         "notes": "- a\r\n- b"}).get_json()
    assert (b["description"], b["notes"]) == ("one\ntwo\nthree", "- a\n- b")
    changed = api("PATCH", f"/{b['id']}", {"notes": "x\r\ny"}).get_json()
    assert changed["notes"] == "x\ny"
