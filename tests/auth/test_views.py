"""Registering, signing in and out, throttling, passwords, account deletion and API tokens."""
import re
from html import unescape

import pytest

from suite.auth.models import ApiToken, User
from tests.conftest import PASSWORD, sign_in


def test_register_signs_in_and_first_user_is_admin(client, auth, app):
    resp = auth.register("alice")
    assert resp.status_code == 302
    home = client.get("/")
    assert b"Hello, alice" in home.data
    with app.app_context():
        assert User.by_name("ALICE").is_admin


def test_second_user_is_not_admin(client, auth, app, users):
    auth.register("carol")
    with app.app_context():
        assert not User.by_name("carol").is_admin


def test_register_form_uses_password_manager_field_names(client):
    html = client.get("/auth/register").data
    for name in (b'name="username"', b'name="password"', b'name="confirm"'):
        assert name in html


@pytest.mark.parametrize(("username", "password", "confirm", "message"), [
    ("", PASSWORD, PASSWORD, b"This field is required"),
    ("a" * 41, PASSWORD, PASSWORD, b"Field cannot be longer than 40 characters"),
    ("bad name!", PASSWORD, PASSWORD, b"letters, digits"),
    ("dave", "short", "short", b"Field must be between 8 and 256 characters long"),
    ("dave", PASSWORD, PASSWORD + "x", b"The two passwords differ"),
    ("dave", "x" * 300, "x" * 300, b"Field must be between 8 and 256"),
])
def test_register_rejects_bad_input_with_a_message(auth, username, password, confirm, message):
    resp = auth.register(username, password, confirm)
    assert resp.status_code == 400
    assert message in resp.data


def _box_and_what_it_is_described_by(html, name):
    """The input named ``name`` and the texts of the elements its aria-describedby points at."""
    box = re.search(rf'<input[^>]*name="{name}"[^>]*>', html).group(0)
    ids = re.search(r'aria-describedby="([^"]*)"', box)
    return box, [unescape(re.search(rf'id="{i}">([^<]*)<', html).group(1)) for i in (ids.group(1).split() if ids else [])]


def test_a_field_in_error_tells_screen_readers_it_is_wrong_why_and_its_hint(auth):
    html = auth.register("dave", "short", "short").get_data(as_text=True)
    box, described = _box_and_what_it_is_described_by(html, "password")
    assert 'aria-invalid="true"' in box
    assert described == ["Field must be between 8 and 256 characters long.", "At least 8 characters."]
    box, described = _box_and_what_it_is_described_by(html, "username")
    assert "aria-invalid" not in box and described == ["Letters, digits, '_', '.' or '-'; up to 40 characters."]
    box, described = _box_and_what_it_is_described_by(html, "confirm")
    assert "aria-invalid" not in box and described == []


def test_register_existing_name_any_case_is_409(auth, users, app):
    resp = auth.register("ALICE")
    assert resp.status_code == 409
    assert "is taken".encode() in resp.data
    with app.app_context():
        assert User.select().count() == 3


def test_registration_closed_is_403_but_admins_create_users(make_app):
    app = make_app(REGISTRATION="closed")
    client = app.test_client()
    assert client.get("/auth/register").status_code == 403
    with app.app_context():
        from suite.auth.accounts import create_user
        admin = create_user("root", PASSWORD)
    sign_in(client, admin)
    resp = client.post("/auth/users", data={"username": "newbie", "password": PASSWORD,
                                            "confirm": PASSWORD})
    assert resp.status_code == 302
    with app.app_context():
        assert User.by_name("newbie") is not None


def test_users_page_is_forbidden_to_non_admins(alice_client):
    assert alice_client.get("/auth/users").status_code == 403


def test_login_and_logout(client, auth, users):
    assert auth.login("alice").status_code == 302
    assert b"Hello, alice" in client.get("/").data
    assert auth.logout().status_code == 302
    assert b"Hello, alice" not in client.get("/").data


def test_login_with_wrong_password_is_401_with_message(auth, users):
    resp = auth.login("alice", "wrong password")
    assert resp.status_code == 401
    assert b"Wrong username or password" in resp.data


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x", "/\\evil.example",
                                    "javascript:alert(1)", "http:/evil.example"])
def test_login_next_never_leaves_the_site(auth, users, target):
    resp = auth.login("alice", next=target)
    assert resp.headers["Location"] == "/"


def test_login_next_follows_local_paths(auth, users):
    resp = auth.login("alice", next="/wiki/?x=1")
    assert resp.headers["Location"] == "/wiki/?x=1"


def test_session_is_renewed_on_login(client, auth, users):
    client.get("/auth/login")
    with client.session_transaction() as sess:
        sess["planted"] = "by attacker"
    auth.login("alice")
    with client.session_transaction() as sess:
        assert "planted" not in sess


def test_repeated_failures_throttle_the_account_even_with_the_right_password(make_app):
    app = make_app(LOGIN_MAX_FAILURES=3)
    client = app.test_client()
    with app.app_context():
        from suite.auth.accounts import create_user
        create_user("alice", PASSWORD)
    for _ in range(3):
        assert client.post("/auth/login", data={"username": "alice", "password": "nope"}).status_code == 401
    resp = client.post("/auth/login", data={"username": "alice", "password": PASSWORD})
    assert resp.status_code == 429
    assert b"Too many failed sign-in attempts" in resp.data
    assert int(resp.headers["Retry-After"]) > 0


def test_guesses_sent_all_at_once_check_no_more_passwords_than_the_limit(make_app):
    """The throttle counts an attempt before its slow password check, not after it."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    import requests
    from werkzeug.serving import make_server
    app = make_app(LOGIN_MAX_FAILURES=5, LOGIN_MAX_FAILURES_IP=1000)
    with app.app_context():
        from suite.auth.accounts import create_user
        create_user("alice", PASSWORD)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_port}/auth/login"
    form = requests.get(url, timeout=10)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', form.text).group(1)

    def guess(i):
        return requests.post(url, data={"username": "alice", "password": f"guess{i}", "csrf_token": token},
                             cookies=form.cookies, allow_redirects=False, timeout=60).status_code
    try:
        with ThreadPoolExecutor(30) as pool:
            codes = list(pool.map(guess, range(30)))
    finally:
        server.shutdown()
    assert set(codes) <= {401, 429}
    assert 1 <= codes.count(401) <= 5, codes


def test_failures_from_one_ip_throttle_every_account(make_app):
    app = make_app(LOGIN_MAX_FAILURES_IP=4)
    client = app.test_client()
    for i in range(4):
        client.post("/auth/login", data={"username": f"guess{i}", "password": "nope"})
    resp = client.post("/auth/login", data={"username": "someone", "password": "nope"})
    assert resp.status_code == 429


def test_change_password_signs_out_other_sessions(app, client, auth, users):
    auth.login("alice")
    other = app.test_client()
    AuthActionsOther = type(auth)(other)
    AuthActionsOther.login("alice")
    resp = client.post("/auth/account/password", data={
        "current": PASSWORD, "password": "brand new password", "confirm": "brand new password"})
    assert resp.status_code == 302
    assert b"Hello, alice" in client.get("/").data
    assert b"Hello, alice" not in other.get("/").data
    assert auth.logout() and auth.login("alice", "brand new password").status_code == 302


def test_change_password_with_wrong_current_is_400_and_keeps_old(alice_client, auth):
    resp = alice_client.post("/auth/account/password", data={
        "current": "not it", "password": "brand new password", "confirm": "brand new password"})
    assert resp.status_code == 400
    assert b"current password is wrong" in resp.data
    assert auth.login("alice").status_code == 302


def test_delete_account_removes_user_and_tokens(app, alice_client, users, token):
    resp = alice_client.post("/auth/account/delete", data={"password": PASSWORD})
    assert resp.status_code == 302
    with app.app_context():
        assert User.by_name("alice") is None
        assert ApiToken.select().count() == 0


def test_delete_account_needs_the_password(app, alice_client):
    resp = alice_client.post("/auth/account/delete", data={"password": "wrong"})
    assert resp.status_code == 400
    with app.app_context():
        assert User.by_name("alice") is not None


def test_account_page_needs_sign_in(client):
    resp = client.get("/auth/account")
    assert resp.status_code == 302
    assert resp.headers["Location"].startswith("/auth/login?next=")


def test_token_is_shown_once_and_stored_hashed(app, alice_client):
    resp = alice_client.post("/auth/tokens", data={"label": "laptop"})
    assert resp.status_code == 201
    assert resp.headers["Cache-Control"] == "no-store"  # no browser or proxy keeps the page holding it
    html = resp.get_data(as_text=True)
    start = html.index('id="new-token-value">') + len('id="new-token-value">')
    token = html[start:html.index("<", start)]
    assert token.startswith("st_") and len(token) > 40
    with app.app_context():
        row = ApiToken.get()
        assert row.token_hash == ApiToken.hash(token) and token not in row.token_hash
    assert token not in alice_client.get("/auth/account").get_data(as_text=True)


def test_token_without_label_is_400(alice_client):
    assert alice_client.post("/auth/tokens", data={"label": ""}).status_code == 400


def test_revoking_someone_elses_token_is_404(app, bob_client, token):
    with app.app_context():
        token_id = ApiToken.get().id
    assert bob_client.post(f"/auth/tokens/{token_id}/revoke", data={}).status_code == 404
    with app.app_context():
        assert ApiToken.select().count() == 1


def test_revoked_token_is_refused(app, alice_client, client, token):
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    with app.app_context():
        token_id = ApiToken.get().id
    assert alice_client.post(f"/auth/tokens/{token_id}/revoke", data={}).status_code == 302
    resp = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 401


def test_invalid_token_is_401_json_under_api(client):
    resp = client.get("/api/v1/anything", headers={"Authorization": "Bearer nope"})
    assert resp.status_code == 401
    assert resp.json["error"]["code"] == "invalid_token"


def test_bearer_token_identifies_its_user(client, token):
    resp = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert resp.json["username"] == "alice"


@pytest.mark.parametrize(("method", "path"), [
    ("POST", "/auth/tokens"), ("GET", "/auth/account"), ("POST", "/auth/account/password"),
    ("POST", "/auth/account/delete"), ("GET", "/"), ("GET", "/bookmarks/"), ("POST", "/wiki/Home/edit"),
])
def test_a_token_does_not_open_the_pages_of_the_browser(app, client, token, method, path):
    """A leaked token must not mint tokens that outlive its revocation, nor change the password."""
    resp = client.open(path, method=method, data={"label": "more", "content": "x"},
                       headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 403
    assert "sign in" in resp.get_data(as_text=True) and resp.get_data(as_text=True).count("\n") <= 1
    with app.app_context():
        assert ApiToken.select().count() == 1


def test_a_token_uploads_and_reads_pastes_with_curl(client, token):
    headers = {"Authorization": f"Bearer {token}"}
    url = client.post("/paste/", data={"content": "secret", "visibility": "private"},
                      headers=headers).get_data(as_text=True).strip()
    path = url.split("://", 1)[1].split("/", 1)[1]
    assert client.get(f"/{path}/raw", headers=headers).get_data(as_text=True) == "secret"
    assert client.get(f"/{path}/download", headers=headers).status_code == 200
    assert client.get(f"/{path}/raw").status_code == 404


def test_the_account_throttle_counts_every_spelling_of_the_name(make_app):
    app = make_app(LOGIN_MAX_FAILURES=3)
    client = app.test_client()
    with app.app_context():
        from suite.auth.accounts import create_user
        create_user("alice", PASSWORD)
    for name in ("alice", " alice", "ALICE\u00a0"):
        assert client.post("/auth/login", data={"username": name, "password": "nope"}).status_code == 401
    for name in ("alice", "alice ", "\u2003alice"):
        assert client.post("/auth/login", data={"username": name, "password": PASSWORD}).status_code == 429


@pytest.mark.parametrize("target", ["/x\r\nSet-Cookie: a=b", "/x\ny", "/\tx", "/x\x7f"])
def test_a_next_address_with_control_characters_goes_home(auth, users, target):
    resp = auth.login("alice", next=target)
    assert resp.status_code == 302 and resp.headers["Location"] == "/"


def test_every_id_on_the_account_page_is_unique_so_each_label_names_its_own_box(alice_client):
    import re
    from collections import Counter
    page = alice_client.get("/auth/account").get_data(as_text=True)
    ids = Counter(re.findall(r'\bid="([^"]+)"', page))
    assert [i for i, n in ids.items() if n > 1 and i != "csrf_token"] == []  # each form's hidden token: no label
    assert '<label for="delete-password">' in page and 'id="delete-password"' in page


def test_sign_out_also_ends_keep_me_signed_in(client, users):
    client.post("/auth/login", data={"username": "alice", "password": PASSWORD, "remember": "y"})
    assert client.get_cookie("remember_token") is not None
    resp = client.post("/auth/logout", data={})
    assert any(h.startswith("remember_token=;") for h in resp.headers.getlist("Set-Cookie"))
    assert client.get_cookie("remember_token") is None
    assert client.get("/auth/account").status_code == 302


def _copy_cookies(source, target, names=("session", "remember_token")):
    for name in names:
        cookie = source.get_cookie(name)
        if cookie is not None:
            target.set_cookie(name, cookie.value)


def test_a_copy_of_the_session_cookie_signs_in_no_more_after_sign_out(app, client, auth, users):
    auth.login("alice")
    thief = app.test_client()
    _copy_cookies(client, thief, ("session",))
    assert thief.get("/auth/account").status_code == 200
    auth.logout()
    assert thief.get("/auth/account").status_code == 302


def test_a_copy_of_the_keep_me_signed_in_cookie_signs_in_no_more_after_sign_out(app, client, users):
    client.post("/auth/login", data={"username": "alice", "password": PASSWORD, "remember": "y"})
    thief = app.test_client()
    _copy_cookies(client, thief, ("remember_token",))
    assert thief.get("/auth/account").status_code == 200
    client.post("/auth/logout", data={})
    assert app.test_client().get("/auth/account").status_code == 302
    fresh = app.test_client()
    _copy_cookies(thief, fresh, ("remember_token",))
    assert fresh.get("/auth/account").status_code == 302


def test_sign_out_everywhere_else_keeps_this_browser(app, client, auth, users):
    others = [app.test_client() for _ in range(2)]
    for other in others:
        type(auth)(other).login("alice")
    auth.login("alice")
    page = client.get("/auth/account").get_data(as_text=True)
    assert "also signed in on 2 other browsers" in page
    resp = client.post("/auth/sessions/end-others", data={}, follow_redirects=True)
    assert "Signed out 2 other browsers." in resp.get_data(as_text=True)
    assert all(other.get("/auth/account").status_code == 302 for other in others)
    assert "Only here." in client.get("/auth/account").get_data(as_text=True)
