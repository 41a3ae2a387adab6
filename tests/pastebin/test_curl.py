"""curl uploads: 201 with the URL as text, tokens, several files, plain-text errors, rate limits."""
import io

import pytest

from suite.pastebin.models import Paste
from tests.pastebin.conftest import PY, slug_of


def test_curl_content_answers_201_with_url_as_text(client, app):
    resp = client.post("/paste/", data={"content": PY}, csrf=False)
    assert resp.status_code == 201
    assert resp.mimetype == "text/plain"
    url = resp.get_data(as_text=True).strip()
    assert url.startswith("http://localhost/paste/") and resp.headers["Location"] == url
    assert client.get(url).status_code == 200


def test_curl_file_upload_uses_its_name_and_options(client, app):
    data = {"content": (io.BytesIO(b"package main\n"), "main.go"), "title": "Query", "visibility": "unlisted",
            "expires": "1d"}
    resp = client.post("/paste/", data=data, content_type="multipart/form-data", csrf=False)
    assert resp.status_code == 201
    with app.app_context():
        paste = Paste.get(Paste.slug == slug_of(resp))
        assert (paste.title, paste.visibility, paste.files[0].name, paste.files[0].lang) == \
            ("Query", "unlisted", "main.go", "go")
        assert paste.expires_at is not None


def test_curl_lang_field_picks_the_lexer(client, app):
    resp = client.post("/paste/", data={"content": "x = 1", "lang": "ruby"}, csrf=False)
    with app.app_context():
        assert Paste.get(Paste.slug == slug_of(resp)).files[0].lang == "ruby"


def test_curl_several_files_in_order(client, app):
    data = {"f:2": (io.BytesIO(b"b = 2\n"), "other.py"), "f:1": "first text\n"}
    resp = client.post("/paste/", data=data, content_type="multipart/form-data", csrf=False)
    assert resp.status_code == 201
    with app.app_context():
        files = Paste.get(Paste.slug == slug_of(resp)).files
        assert [f.content for f in files] == ["first text\n", "b = 2\n"]
        assert files[1].name == "other.py"


def test_bearer_token_makes_paste_the_token_users(client, app, token, users):
    resp = client.post("/paste/", data={"content": PY, "visibility": "private"},
                       headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 201
    with app.app_context():
        assert Paste.get(Paste.slug == slug_of(resp)).user_id == users["alice"].id


@pytest.mark.parametrize("path", ["/raw", "/raw/1", "/raw/2", "/download"])
def test_raw_or_download_of_an_already_burned_paste_is_one_plain_404_line_for_curl(client, paste_as, path):
    slug = paste_as(client, "password\n", expires="burn")
    curl = {"Accept": "*/*", "User-Agent": "curl/8.5.0"}
    assert client.get(f"/paste/{slug}/raw", headers=curl).get_data(as_text=True) == "password\n"
    resp = client.get(f"/paste/{slug}{path}", headers=curl)
    assert resp.status_code == 404 and resp.mimetype == "text/plain"
    assert resp.get_data(as_text=True) == "This paste does not exist, has expired or was deleted.\n"


def test_a_browser_following_download_of_a_burned_paste_gets_the_error_page(client, paste_as):
    slug = paste_as(client, "password\n", expires="burn")
    client.get(f"/paste/{slug}/download", headers={"Accept": "*/*"})
    resp = client.get(f"/paste/{slug}/download", headers={"Accept": "text/html,*/*;q=0.8"})
    assert resp.status_code == 404 and resp.mimetype == "text/html"


def test_a_revoked_or_unknown_token_is_one_plain_line_for_curl(client):
    resp = client.post("/paste/", data={"content": PY}, headers={"Authorization": "Bearer st_revoked",
                                                                  "Accept": "*/*", "User-Agent": "curl/8.5.0"})
    assert resp.status_code == 401 and resp.mimetype == "text/plain"
    assert resp.get_data(as_text=True).count("\n") <= 1 and "token" in resp.get_data(as_text=True)


def test_session_without_csrf_token_pastes_anonymously(alice_client, app):
    resp = alice_client.post("/paste/", data={"content": PY}, csrf=False)
    assert resp.status_code == 201
    with app.app_context():
        assert Paste.get(Paste.slug == slug_of(resp)).user_id is None


def test_browser_quick_add_with_csrf_redirects_to_owned_paste(alice_client, app, users):
    resp = alice_client.post("/paste/", data={"content": PY, "visibility": "private"},
                             headers={"Accept": "text/html"})
    assert resp.status_code == 303
    with app.app_context():
        assert Paste.get(Paste.slug == slug_of(resp)).user_id == users["alice"].id


@pytest.mark.parametrize(("data", "status", "message"), [
    ({"content": ""}, 400, "The content is empty or only whitespace"),
    ({"content": "  \n "}, 400, "only whitespace"),
    ({"content": "x", "lang": "nope"}, 400, "Unknown language 'nope'"),
    ({"content": "x", "expires": "forever"}, 400, "Unknown expiry"),
    ({"content": "x", "visibility": "secret"}, 400, "Unknown visibility"),
    ({"content": "x", "visibility": "private"}, 400, "Sign in"),
    ({"content": (io.BytesIO(b"\xff\xfe\x00bin"), "a.bin")}, 400, "not UTF-8"),
    ({"content": (io.BytesIO(b"a\x00b"), "a.txt")}, 400, "NUL"),
    ({"content": "x", "title": "t" * 201}, 400, "The title is 201 characters long; at most 200 fit."),
])
def test_curl_errors_are_one_plain_line(client, app, data, status, message):
    resp = client.post("/paste/", data=data, content_type="multipart/form-data", csrf=False)
    assert resp.status_code == status
    assert resp.mimetype == "text/plain"
    text = resp.get_data(as_text=True)
    assert message in text and text.count("\n") == 1
    with app.app_context():
        assert Paste.select().count() == 0


def test_curl_keeps_a_title_of_200_characters_whole(client, app):
    """Longer ones are refused (as the form and the API refuse them): a title was cut at 200 without a word."""
    resp = client.post("/paste/", data={"content": "x", "title": "t" * 199 + "é"}, csrf=False)
    assert resp.status_code == 201
    with app.app_context():
        assert Paste.get(Paste.slug == slug_of(resp)).title == "t" * 199 + "é"


def test_curl_too_large_is_413_plain(make_app):
    client = make_app(PASTE_MAX_BYTES=100).test_client()
    resp = client.post("/paste/", data={"content": "y" * 101}, csrf=False)
    assert resp.status_code == 413 and resp.mimetype == "text/plain"


def test_curl_over_the_upload_limit_is_the_same_one_line_413(make_app):
    """A big log piped to curl passes the whole request's limit (SUITE_MAX_UPLOAD_BYTES), which
    stops the body before the view runs: it got a 57-line HTML page on the terminal."""
    client = make_app(MAX_UPLOAD_BYTES=1000).test_client()
    resp = client.post("/paste/", data={"content": (io.BytesIO(b"log line\n" * 500), "big.log")},
                       content_type="multipart/form-data", csrf=False)
    assert resp.status_code == 413 and resp.mimetype == "text/plain"
    assert resp.get_data(as_text=True) == "The request body is too large (the limit is 1000 bytes).\n"
    browser = client.post("/paste/", data={"content": "y" * 2000}, headers={"Accept": "text/html"}, csrf=False)
    assert browser.status_code == 413 and browser.mimetype == "text/html"  # the form's page says it in the layout


def test_curl_without_anonymous_pastes_is_401(make_app):
    client = make_app(ANONYMOUS_PASTES=False).test_client()
    resp = client.post("/paste/", data={"content": PY}, csrf=False)
    assert resp.status_code == 401


def test_anonymous_posting_is_rate_limited_per_ip_with_retry_after(make_app):
    client = make_app(RATELIMIT_ANONYMOUS="2/minute").test_client()
    for _ in range(2):
        assert client.post("/paste/", data={"content": PY}, csrf=False).status_code == 201
    resp = client.post("/paste/", data={"content": PY}, csrf=False)
    assert resp.status_code == 429
    assert int(resp.headers["Retry-After"]) > 0
    assert resp.mimetype == "text/plain"
    other_ip = client.post("/paste/", data={"content": PY}, csrf=False,
                           environ_base={"REMOTE_ADDR": "10.9.9.9"})
    assert other_ip.status_code == 201


def test_signed_in_users_are_not_rate_limited(make_app):
    app = make_app(RATELIMIT_ANONYMOUS="1/minute")
    from suite.auth.accounts import create_token, create_user
    with app.app_context():
        token = create_token(create_user("carol", "correct horse battery"), "t")[1]
    client = app.test_client()
    for _ in range(3):
        resp = client.post("/paste/", data={"content": PY}, headers={"Authorization": f"Bearer {token}"})
        assert resp.status_code == 201


def test_rate_limit_off_when_limiter_disabled(make_app):
    client = make_app(RATELIMIT_ANONYMOUS="1/minute", RATELIMIT_ENABLED=False).test_client()
    for _ in range(3):
        assert client.post("/paste/", data={"content": PY}, csrf=False).status_code == 201
