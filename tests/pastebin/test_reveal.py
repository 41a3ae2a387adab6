"""Burn after reading asks first: a GET of the page shows a "Show and delete" button, its POST burns.

Link previews (chat apps, mail scanners) GET a shared link to build a preview; that
must not use the paste up before the reader it was meant for opens it.
"""
import re

import pytest

from suite.pastebin.models import Paste

SECRET = "the-launch-code-4711\n"
TITLE = "Database password for prod"


def _csrf(resp):
    return re.search(r'name="csrf_token" value="([^"]+)"', resp.get_data(as_text=True)).group(1)


@pytest.fixture
def burn_slug(client, paste_as):
    """An anonymous burn paste with a secret title and content."""
    return paste_as(client, SECRET, expires="burn", title=TITLE, name="prod.env")


def test_a_get_shows_the_reveal_page_and_burns_nothing(client, burn_slug, get_paste):
    for _ in range(2):
        resp = client.get(f"/paste/{burn_slug}")
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200
        assert "This paste will be deleted as soon as you open it" in html
        assert re.search(rf'<form method="post" action="/paste/{burn_slug}">', html)
        assert "Show and delete" in html
    assert get_paste(burn_slug) is not None


def test_the_reveal_page_shows_neither_title_nor_content(client, burn_slug):
    html = client.get(f"/paste/{burn_slug}").get_data(as_text=True)
    for secret in (SECRET.strip(), TITLE, "prod.env", "anonymous"):
        assert secret not in html
    assert f"/paste/{burn_slug}/raw" not in html and f"/paste/{burn_slug}/download" not in html


def test_the_reveal_page_is_no_store_and_not_page_cached(app, burn_slug):
    reader = app.test_client()  # no cookies at all: the page cache's own audience
    for _ in range(2):
        resp = reader.get(f"/paste/{burn_slug}")
        assert resp.headers["Cache-Control"] == "no-store, private"
        assert resp.headers.get("X-Cache") != "hit"
    assert not [k for k in app.wsgi_app.entries if k[-2] == f"/paste/{burn_slug}"]


def test_post_burns_and_shows_the_paste_once(client, burn_slug, get_paste):
    resp = client.post(f"/paste/{burn_slug}", data={})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "the-launch-code-4711" in html and TITLE in html
    assert "it has now been deleted and this is the only time it is shown" in html
    assert resp.headers["Cache-Control"] == "no-store, private"
    assert get_paste(burn_slug) is None
    assert client.post(f"/paste/{burn_slug}", data={}).status_code == 404
    assert client.get(f"/paste/{burn_slug}").status_code == 404


def test_an_anonymous_reader_reveals_with_the_token_of_the_reveal_page(app, burn_slug, get_paste):
    reader = app.test_client()
    token = _csrf(reader.get(f"/paste/{burn_slug}"))
    resp = reader.post(f"/paste/{burn_slug}", data={"csrf_token": token})
    assert resp.status_code == 200 and "the-launch-code-4711" in resp.get_data(as_text=True)
    assert get_paste(burn_slug) is None


def test_a_post_without_a_csrf_token_burns_nothing(client, burn_slug, get_paste):
    client.get(f"/paste/{burn_slug}")
    assert client.post(f"/paste/{burn_slug}", data={}, csrf=False).status_code == 400
    assert get_paste(burn_slug) is not None


def test_a_signed_in_reader_reveals_too(bob_client, burn_slug, get_paste):
    assert b"Show and delete" in bob_client.get(f"/paste/{burn_slug}").data
    resp = bob_client.post(f"/paste/{burn_slug}", data={})
    assert resp.status_code == 200 and b"the-launch-code-4711" in resp.data
    assert get_paste(burn_slug) is None


def test_the_reveal_keeps_the_source_switch(client, paste_as):
    slug = paste_as(client, "# Heading\n", expires="burn", name="notes.md")
    html = client.get(f"/paste/{slug}?source=1").get_data(as_text=True)
    assert f'action="/paste/{slug}?source=1"' in html
    assert "# Heading" in client.post(f"/paste/{slug}?source=1", data={}).get_data(as_text=True)


def test_the_owner_sees_their_burn_paste_on_get_without_burning_it(alice_client, token, get_paste):
    url = alice_client.post("/paste/", data={"content": SECRET, "expires": "burn", "title": TITLE}, csrf=False,
                            headers={"Authorization": f"Bearer {token}"}).get_data(as_text=True).strip()
    slug = url.rsplit("/", 1)[-1]
    for _ in range(2):
        resp = alice_client.get(f"/paste/{slug}")
        html = resp.get_data(as_text=True)
        assert resp.status_code == 200 and "the-launch-code-4711" in html and TITLE in html
        assert "<button type=\"submit\" class=\"button danger\">Show and delete" not in html
        assert "only time it is shown" not in html
        assert resp.headers["Cache-Control"] == "no-store, private"
    assert alice_client.post(f"/paste/{slug}", data={}).status_code == 303  # her own: nothing to burn
    assert get_paste(slug) is not None


def test_a_post_to_a_paste_that_does_not_burn_is_refused_and_says_why(client, paste_as, get_paste):
    slug = paste_as(client, SECRET)  # e.g. its owner changed the expiry after the reveal page was loaded
    resp = client.post(f"/paste/{slug}", data={})
    assert resp.status_code == 404 and b"does not burn after reading" in resp.data
    assert get_paste(slug) is not None


def test_the_owner_posting_to_their_paste_is_sent_to_its_page(alice_client, token, get_paste):
    url = alice_client.post("/paste/", data={"content": SECRET}, csrf=False,
                            headers={"Authorization": f"Bearer {token}"}).get_data(as_text=True).strip()
    resp = alice_client.post(url, data={})
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/paste/" + url.rsplit("/", 1)[-1])
    assert get_paste(url.rsplit("/", 1)[-1]) is not None


def test_a_post_to_a_missing_paste_is_404(client):
    assert client.post("/paste/nosuchpaste1", data={}).status_code == 404


@pytest.mark.parametrize("suffix", ["/raw", "/raw/1", "/download"])
def test_raw_and_download_still_burn_at_once(client, burn_slug, get_paste, suffix):
    assert client.get(f"/paste/{burn_slug}{suffix}").get_data(as_text=True) == SECRET
    assert get_paste(burn_slug) is None
    assert client.get(f"/paste/{burn_slug}").status_code == 404


def test_the_api_read_still_burns_at_once(client, burn_slug, get_paste):
    assert client.get(f"/api/v1/pastes/{burn_slug}").json["files"][0]["content"] == SECRET
    assert get_paste(burn_slug) is None


def test_the_created_page_explains_the_reveal_step(client, get_paste):
    resp = client.post("/paste/", data={"files-0-content": "x", "files-0-lang": "auto", "expires": "burn",
                                        "visibility": "unlisted"})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 201 and "asked before the paste is shown" in html
    slug = re.search(r'value="http://localhost/paste/([\w-]+)"', html).group(1)
    assert b"Show and delete" in client.get(f"/paste/{slug}").data
    with client.application.app_context():
        assert Paste.get_or_none(Paste.slug == slug) is not None
