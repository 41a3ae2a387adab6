"""The classics, walked over the url map: open redirects, path traversal, uploads that could run, secrets in output."""
import io
import logging
from urllib.parse import urlsplit

import pytest

from suite.security import UNSAFE
from tests.conftest import PASSWORD
from tests.security.routes import ROUTES, bearer, path_for, rules

EVIL = ["https://evil.example/", "//evil.example/x", "/\\evil.example", "\\\\evil.example", "http:/evil.example",
        "javascript:alert(1)", "/%2F%2Fevil.example", "https:evil.example", " //evil.example", "/bookmarks/\\\\evil.example"]
REDIRECT_PARAMS = ("next", "url", "return", "return_to", "redirect", "back", "from", "title", "description")


def _offsite(location):
    """True when a Location header would take the browser to another site (or run script)."""
    if not location:
        return False
    normalized = location.replace("\\", "/").strip()
    parts = urlsplit(normalized)
    return bool(parts.scheme and parts.scheme not in ("http", "https")) or parts.netloc not in ("", "localhost")


def test_no_route_redirects_off_site_through_next_or_bookmarklet_parameters(app, seed, alice_client):
    tried = 0
    offenders = {}
    for rule in rules(app, {"GET"} | UNSAFE):
        if rule.rule.startswith("/api/"):
            continue
        path = path_for(app, rule.endpoint, **seed.args(rule, "public"))
        for target in EVIL:
            params = dict.fromkeys(REDIRECT_PARAMS, target)
            # alice never signs out here (the rest of the walk needs her session); anonymous covers logout
            clients = (app.test_client(),) if rule.endpoint == "auth.logout" else (alice_client, app.test_client())
            for client in clients:
                if "GET" in rule.methods:
                    resp = client.get(path, query_string=params)
                else:
                    resp = client.post(path, data=params)
                resp.close()  # as a WSGI server does (a streamed download would hold its request otherwise)
                tried += 1
                if _offsite(resp.headers.get("Location")):
                    offenders[f"{path} {target}"] = resp.headers["Location"]
    assert tried > 1000
    assert alice_client.get("/auth/account").status_code == 200, "alice was signed out during the walk"
    assert not offenders, f"open redirects: {offenders}"


def test_login_post_with_evil_next_stays_on_site(auth, users):
    for target in EVIL:
        resp = auth.login("alice", next=target)
        assert not _offsite(resp.headers["Location"]), target
        auth.logout()


TRAVERSAL = ["../../suite.db", "..%2F..%2Fsuite.db", "....//....//suite.db", "%2e%2e%2f%2e%2e%2fsuite.db",
             "..\\..\\suite.db", "/etc/passwd", "..%252F..%252Fsuite.db", "canary.txt", "../canary.txt",
             "../../../canary.txt", "..%00/canary.txt", "%2e%2e/%2e%2e/%2e%2e/canary.txt"]


def test_no_file_route_serves_a_file_outside_its_folder(app, seed, alice_client):
    from pathlib import Path
    instance = Path(app.instance_path)
    (instance / "canary.txt").write_text("CANARY-SECRET")
    file_rules = [r for r in rules(app, {"GET"}) if {"name", "filename"} & set(r.arguments)]
    assert {r.endpoint for r in file_rules} >= {"wiki.attachment", "bookmarks.thumb", "static"}
    answered = {}
    for rule in file_rules:
        base = path_for(app, rule.endpoint, **seed.args(rule))
        argument = "name" if "name" in rule.arguments else "filename"
        value = seed.args(rule)[argument]
        for evil in TRAVERSAL:
            path = base[: base.rindex(value)] + evil
            resp = alice_client.get(path)
            answered[path] = resp.status_code
            body = resp.get_data()
            assert b"CANARY-SECRET" not in body and b"SQLite format 3" not in body and b"root:" not in body, path
    assert all(status in (400, 404, 308) for status in answered.values()), answered


def test_paste_of_html_is_served_as_text_or_download_never_as_a_page(app, token):
    api = app.test_client()
    resp = api.post("/api/v1/pastes", headers=bearer(token), json={
        "name": "evil.html", "content": "<html><script>alert(1)</script></html>", "visibility": "public"})
    slug = resp.json["slug"]
    raw = api.get(f"/paste/{slug}/raw")
    assert raw.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert raw.headers["X-Content-Type-Options"] == "nosniff"
    download = api.get(f"/paste/{slug}/download")
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "html" not in download.headers["Content-Type"]


@pytest.mark.parametrize(("name", "body"), [("page.html", b"<script>alert(1)</script>"),
                                            ("image.svg", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
                                            ("page.xhtml", b'<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>')])
def test_uploaded_markup_is_sandboxed_or_downloaded(seed, alice_client, name, body):
    resp = alice_client.post(f"/wiki/{seed.wiki_title}/attachments", content_type="multipart/form-data",
                             data={"file": (io.BytesIO(body), name)})
    if resp.status_code == 400:  # a type the wiki does not take at all
        assert b"extension" in resp.data or b"allowed" in resp.data.lower()
        return
    assert resp.status_code in (302, 303)
    served = alice_client.get(f"/wiki/{seed.wiki_title}/attachments/{name}")
    assert served.status_code == 200
    assert "sandbox" in served.headers["Content-Security-Policy"]
    assert served.headers.get("Content-Disposition", "").startswith("attachment") or "svg" in served.content_type


def _every_page(app, seed):
    for rule in rules(app, {"GET"}):
        if ROUTES[rule.endpoint] != "none" or not rule.arguments:
            yield path_for(app, rule.endpoint, **seed.args(rule, "public"))


def test_password_hashes_never_appear_in_any_response(app, seed, alice_client, admin_client):
    pages = list(_every_page(app, seed)) + ["/auth/users", "/auth/account", "/api/v1/me"]
    checked = 0
    for path in pages:
        for client, headers in ((alice_client, {}), (admin_client, {}), (app.test_client(), bearer(seed.token))):
            body = client.get(path, headers=headers).get_data()
            assert b"scrypt:" not in body and b"pbkdf2:" not in body, path
            checked += 1
    assert checked > 150


def test_passwords_and_hashes_never_reach_the_log(app, client, auth, caplog):
    # INFO: the level the server logs at. (At DEBUG, peewee's own SQL log prints the INSERT's parameters.)
    caplog.set_level(logging.INFO)
    auth.register("carol", PASSWORD)
    auth.logout()
    auth.login("carol", "wrong password here")
    auth.login("carol", PASSWORD)
    client.post("/auth/account/password", data={"current": PASSWORD, "password": "another horse battery",
                                                "confirm": "another horse battery"})
    text = caplog.text
    for secret in (PASSWORD, "wrong password here", "another horse battery", "scrypt:", "pbkdf2:"):
        assert secret not in text


def test_old_session_cookie_is_not_valid_after_logout_and_relogin_changes_csrf(app, client, auth, users):
    client.get("/auth/login")
    before = client.csrf_token()
    auth.login("alice")
    resp = client.post("/auth/logout", data={"csrf_token": before})
    assert resp.status_code == 400, "a CSRF token from before sign-in must not work after it (session renewed)"
