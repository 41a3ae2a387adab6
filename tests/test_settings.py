"""Settings are checked at start: a value outside a setting's choices or range stops the suite with its name."""
import subprocess
import sys

import pytest

from suite import create_app


def _start(tmp_path, **settings):
    return create_app({"INSTANCE_PATH": str(tmp_path), **settings})


@pytest.mark.parametrize(("name", "value"), [
    ("WIKI_READ", "user"), ("WIKI_READ", "everyone"), ("WIKI_WRITE", "admin"), ("WIKI_WRITE", ""),
    ("REGISTRATION", "invite")])
def test_a_word_outside_the_choices_stops_the_start_with_the_setting_and_its_choices(tmp_path, name, value):
    with pytest.raises(ValueError, match=f"SUITE_{name} must be one of"):
        _start(tmp_path, **{name: value})


def test_a_mistyped_wiki_permission_in_the_environment_is_one_line_from_manage_py(tmp_path):
    env = {"SUITE_INSTANCE_PATH": str(tmp_path), "PATH": "/usr/bin:/bin", "SUITE_WIKI_READ": "user"}
    out = subprocess.run([sys.executable, "manage.py", "migrate"], env=env, capture_output=True, text=True)
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert "SUITE_WIKI_READ must be one of anonymous, users; got 'user'" in out.stderr


def test_choices_are_taken_in_any_case_and_keep_the_wiki_closed(make_app):
    from suite.auth.accounts import create_user
    from tests.conftest import PASSWORD, sign_in
    app = make_app(WIKI_READ=" Users", WIKI_WRITE="ADMINS")
    assert (app.config["WIKI_READ"], app.config["WIKI_WRITE"]) == ("users", "admins")
    assert app.test_client().get("/wiki/Home").status_code in (302, 401)
    with app.app_context():
        create_user("admin", PASSWORD)  # the first account is the administrator
        user = create_user("alice", PASSWORD)
    alice = sign_in(app.test_client(), user)
    assert alice.get("/wiki/Home").status_code not in (302, 401)  # no page yet, but readable
    resp = alice.post("/wiki/Plans/edit", data={"content": "defaced", "base_revision": 0})
    assert resp.status_code == 403


@pytest.mark.parametrize(("name", "value", "message"), [
    ("TASK_WORKERS", "0", "at least 1"), ("DB_MAX_CONNECTIONS", "0", "at least 1"),
    ("PROXY_COUNT", "-1", "at least 0"), ("LOGIN_WINDOW_SECONDS", "0", "at least 1"),
    ("HIGHLIGHT_TIMEOUT", "0", "more than 0"), ("HIGHLIGHT_TIMEOUT", "-2.5", "more than 0"),
    ("SCREENSHOT_BACKEND", "foo", "one of auto, playwright, chromium, none"),
    ("HTTPS", "ture", "1, true, yes or on, or 0, false, no or off"), ("RATELIMIT_ENABLED", "nope", "or off")])
def test_values_no_setting_can_work_with_stop_the_start(tmp_path, monkeypatch, name, value, message):
    monkeypatch.setenv(f"SUITE_{name}", value)
    with pytest.raises(ValueError, match=f"SUITE_{name} must") as err:
        _start(tmp_path)
    assert message in str(err.value) and f"got {value}" in str(err.value).replace("'", "")


@pytest.mark.parametrize(("value", "expected"), [("TRUE", True), (" on ", True), ("Off", False), ("", False)])
def test_boolean_words_in_any_case(tmp_path, monkeypatch, value, expected):
    monkeypatch.setenv("SUITE_HTTPS", value)
    app = _start(tmp_path)
    assert app.config["HTTPS"] is expected and app.config["SESSION_COOKIE_SECURE"] is expected


def test_smallest_allowed_values_start(tmp_path):
    app = _start(tmp_path, PROXY_COUNT=0, PAGE_CACHE_MB=0, SEARCH_CACHE_ENTRIES=0, TASK_WORKERS=1,
                 SCREENSHOT_BACKEND="None", HIGHLIGHT_TIMEOUT=0.0001)
    assert app.config["SCREENSHOT_BACKEND"] == "none"


def test_start_hint_names_a_chromium_path_that_does_not_exist(tmp_path):
    from suite.server import browser_hint
    hint = browser_hint(_start(tmp_path, CHROMIUM_PATH=str(tmp_path / "no-such-chromium")))
    assert hint and "SUITE_CHROMIUM_PATH" in hint and "no-such-chromium" in hint
