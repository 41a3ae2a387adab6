"""XSS in a real Chromium: the payload corpus saved through every user-writable field, every page opened.

Pages are opened with the CSP bypassed, so a payload that escaped our escaping would really run;
a separate test proves the CSP blocks inline script as the second line.
"""
import io

import pytest

from tests.conftest import PASSWORD
from tests.security.payloads import INJECTED, PAYLOADS, PROBE
from tests.security.routes import bearer

pytestmark = pytest.mark.browser


@pytest.fixture
def tab(browser, live_server, users):
    """A tab signed in as alice, CSP bypassed, recording dialogs and console output."""
    context = browser.new_context(bypass_csp=True)
    tab = context.new_page()
    tab.dialogs, tab.console = [], []
    tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    tab.on("console", lambda m: tab.console.append(m.text))
    tab.goto(live_server + "/auth/login")
    tab.fill("input[name=username]", "alice")
    tab.fill("input[name=password]", PASSWORD)
    tab.click("form.auth button[type=submit], main form button[type=submit]")
    tab.wait_for_load_state()
    yield tab
    context.close()


def _visit(tab, base, paths):
    """Open each path; return {path: problems} for pages where a payload ran or sits live in the DOM."""
    found = {}
    for path in paths:
        resp = tab.goto(base + path)
        assert resp.status < 500, f"{path}: {resp.status}"
        result = tab.evaluate(PROBE)
        body = tab.content()
        problems = result["bad"] + ([f"marker {result['marker']}"] if result["marker"] else [])
        if INJECTED in body:
            problems.append("template injection evaluated")
        if tab.dialogs:
            problems.append(f"dialogs {tab.dialogs}")
            tab.dialogs.clear()
        if problems:
            found[path] = problems
    return found


def test_paste_payloads_never_run(app, tab, live_server, token):
    api = app.test_client()
    slugs = []
    for i, payload in enumerate(PAYLOADS):
        lang = "markdown" if i % 2 else "python"
        resp = api.post("/api/v1/pastes", headers=bearer(token), json={
            "title": payload[:200], "visibility": "public", "lang": lang, "name": payload[:100] + (".md" if i % 2 else ""),
            "content": "\n\n".join(PAYLOADS)})
        assert resp.status_code == 201, resp.json
        slugs.append(resp.json["slug"])
    paths = ["/", "/paste/recent", "/paste/mine", "/search?q=script", "/u/alice"]
    for slug in slugs:
        paths += [f"/paste/{slug}", f"/paste/{slug}/raw", f"/paste/{slug}/embed"]
    paths += [f"/paste/{slugs[0]}/diff/{slugs[1]}", f"/paste/{slugs[1]}/edit", f"/paste/{slugs[1]}/fork"]
    assert _visit(tab, live_server, paths) == {}


def test_wiki_payloads_never_run(app, tab, live_server, token, alice_client):
    api = app.test_client()
    titles = []
    for i, payload in enumerate(PAYLOADS):
        title = f"Payload {i} ' autofocus onfocus='alert({i})' &amp; x"  # the title rules refuse < > " [ ]
        resp = api.put(f"/api/v1/wiki/{title}", headers=bearer(token),
                       json={"content": "\n\n".join(PAYLOADS) + f"\n\n[[{title}]]", "base_revision": 0,
                             "message": payload})
        assert resp.status_code == 201, (title, resp.json)
        titles.append(resp.json["title"])
    home = titles[0]
    resp = alice_client.post(f"/wiki/{home}/attachments", content_type="multipart/form-data",
                             data={"file": (io.BytesIO(b"<script>alert('file')</script>"), "\"><svg onload=alert(1)>.html")})
    assert resp.status_code in (302, 303, 400)
    from urllib.parse import quote
    paths = ["/wiki/", "/wiki/recent", "/wiki/pages", "/wiki/search?q=script", "/search?q=script", "/"]
    for title in titles:
        q = quote(title, safe="")
        paths += [f"/wiki/{q}", f"/wiki/{q}/history"]
    q = quote(home, safe="")
    paths += [f"/wiki/{q}/edit", f"/wiki/{q}/attachments", f"/wiki/{q}/backlinks", f"/wiki/{q}/rename"]
    assert _visit(tab, live_server, paths) == {}


def test_bookmark_payloads_never_run(app, tab, live_server, token):
    api = app.test_client()
    ids, refused = [], 0
    for i, payload in enumerate(PAYLOADS):
        for url in (f"http://127.0.0.1:9/{i}?q={payload}", payload):
            resp = api.post("/api/v1/bookmarks", headers=bearer(token), json={
                "url": url, "title": payload, "description": payload, "notes": payload,
                "tags": [payload[:40], f"t{i}"], "private": bool(i % 2)})
            if resp.status_code == 400:
                refused += 1
                continue
            assert resp.status_code in (200, 201), resp.json
            ids.append(resp.json["id"])
    assert refused, "javascript:/markup URLs are expected to be refused"
    paths = ["/bookmarks/", "/bookmarks/tags", "/u/alice/bookmarks", "/search?q=script", "/",
             "/bookmarks/?q=script"]
    for bookmark_id in ids:
        paths += [f"/bookmarks/{bookmark_id}", f"/bookmarks/{bookmark_id}/edit"]
    assert _visit(tab, live_server, paths) == {}


def test_login_form_does_not_run_an_echoed_username(browser, live_server, users):
    context = browser.new_context(bypass_csp=True)
    tab = context.new_page()
    tab.dialogs = []
    tab.on("dialog", lambda d: (tab.dialogs.append(d.message), d.dismiss()))
    for payload in [p for p in PAYLOADS if p.startswith(('"', "'", "</", "<script", "<img"))]:
        tab.goto(live_server + "/auth/login")
        tab.fill("input[name=username]", payload[:40])
        tab.fill("input[name=password]", "wrong password")
        tab.click("main form button[type=submit]")
        tab.wait_for_load_state()
        result = tab.evaluate(PROBE)
        assert result == {"marker": None, "bad": []} and not tab.dialogs, payload
    context.close()


def test_csp_blocks_inline_script_on_our_pages(page, live_server):
    messages = []
    page.on("console", lambda m: messages.append(m.text))
    page.goto(live_server + "/auth/login")
    page.evaluate("""() => { const s = document.createElement('script');
                             s.textContent = "window.__xss = 'inline'"; document.body.appendChild(s); }""")
    page.evaluate("""() => document.body.insertAdjacentHTML('beforeend', '<img src=x onerror="window.__xss=1">')""")
    page.wait_for_timeout(200)
    assert page.evaluate("window.__xss || null") is None
    assert any("Content Security Policy" in m for m in messages)


def test_probe_catches_a_payload_that_got_through(page):
    page.set_content("<p>ok</p><img src=x onerror=\"window.__xss='img'\"><a href=' javascript:x'>a</a>")
    page.wait_for_timeout(100)
    result = page.evaluate(PROBE)
    assert result["marker"] == "img" and len(result["bad"]) == 2
