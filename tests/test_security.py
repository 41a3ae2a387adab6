"""The security baseline: CSRF, headers, cookies and error pages."""
import pytest
from flask import request


def test_form_post_without_csrf_token_is_400_with_explanation(client, users):
    resp = client.post("/auth/login", data={"username": "alice", "password": "x"}, csrf=False)
    assert resp.status_code == 400
    assert b"expired or did not come from this site" in resp.data


def test_stale_csrf_token_from_another_session_is_refused(app, users):
    first, second = app.test_client(), app.test_client()
    token = first.csrf_token()
    second.get("/")
    resp = second.post("/auth/login", data={"username": "alice", "password": "x", "csrf_token": token})
    assert resp.status_code == 400


def test_bearer_requests_need_no_csrf_token(client, token):
    # A token-authenticated write reaches the view (404: no such bookmark), not the CSRF wall.
    resp = client.delete("/api/v1/bookmarks/999", headers={"Authorization": f"Bearer {token}"}, csrf=False)
    assert resp.status_code == 404


def test_security_headers_on_every_page(client):
    resp = client.get("/")
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'self'" in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script(client):
    html = client.get("/auth/login").get_data(as_text=True)
    assert "<script>" not in html and "onclick=" not in html


def test_session_cookie_is_httponly_and_lax(client, auth, users):
    resp = auth.login("alice")
    cookie = resp.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_session_cookie_is_secure_with_https_setting(make_app):
    app = make_app(HTTPS=True)
    resp = app.test_client().get("/auth/login")
    assert "Secure" in resp.headers["Set-Cookie"]


@pytest.mark.parametrize(("path", "status"), [("/no/such/page", 404), ("/auth/logout", 405)])
def test_error_pages_use_the_layout(client, path, status):
    resp = client.get(path)
    assert resp.status_code == status
    assert b'class="topbar"' in resp.data


def test_api_errors_are_json(client):
    resp = client.get("/api/v1/nothing-here")
    assert resp.status_code == 404
    assert resp.json == {"error": {"code": "not_found", "message": resp.json["error"]["message"]}}


def test_body_over_upload_limit_is_413_page(make_app):
    app = make_app(MAX_UPLOAD_BYTES=1024)
    resp = app.test_client().post("/auth/login", data={"username": "x" * 5000, "password": "y"})
    assert resp.status_code == 413
    assert b"too large" in resp.data


def test_unexpected_errors_are_a_500_page_without_traceback(app, client):
    @app.route("/boom")
    def boom():
        raise RuntimeError("secret internals")
    app.config["PROPAGATE_EXCEPTIONS"] = False
    resp = client.get("/boom")
    assert resp.status_code == 500
    assert b"secret internals" not in resp.data and b"Traceback" not in resp.data


def test_ordinary_pages_refuse_framing_by_other_sites(client):
    resp = client.get("/")
    assert resp.headers["X-Frame-Options"] == "SAMEORIGIN"


@pytest.mark.parametrize("number", [2**31, 2**63, 10**30])
def test_ids_too_large_for_the_database_are_404(alice_client, number):
    assert alice_client.get(f"/bookmarks/{number}").status_code == 404


def test_nul_in_a_profile_name_is_404(client):
    assert client.get("/u/a%00b").status_code == 404


@pytest.mark.parametrize(("settings", "seen"), [
    ({"HTTPS": True}, ("https", "127.0.0.1", "localhost")),
    ({"HTTPS": True, "PROXY_COUNT": 1}, ("https", "203.0.113.9", "suite.example")),
    ({"PROXY_COUNT": 1}, ("https", "203.0.113.9", "suite.example")),
])
def test_forwarded_addresses_are_trusted_only_with_a_proxy_count(make_app, settings, seen):
    """SUITE_HTTPS alone trusts the scheme a TLS proxy forwards, not a client address or host anyone can send."""
    app = make_app(**settings)
    app.add_url_rule("/whoami", "whoami", lambda: " ".join((request.scheme, request.remote_addr, request.host)))
    resp = app.test_client().get("/whoami", headers={
        "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9", "X-Forwarded-Host": "suite.example"})
    assert tuple(resp.get_data(as_text=True).split()) == seen
