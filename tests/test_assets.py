"""Static files under URLs that name their content: kept by browsers for a year, never stale."""
import re

import pytest

from suite import assets


def static_urls(html):
    return [u.replace("&amp;", "&") for u in re.findall(r'(?:href|src)="(/[^"]*/static/[^"]*|/static/[^"]*)"', html)]


def test_pages_link_static_files_by_version_and_browsers_may_keep_them(client):
    urls = static_urls(client.get("/auth/login").get_data(as_text=True))
    assert any(u.startswith("/static/suite.css?v=") for u in urls)
    for url in urls:
        resp = client.get(url)
        assert resp.status_code == 200, url
        assert resp.headers["Cache-Control"] == "public, max-age=31536000, immutable", url


def test_an_apps_own_static_files_are_versioned_too(alice_client):
    urls = static_urls(alice_client.get("/bookmarks/").get_data(as_text=True))
    script = next(u for u in urls if u.startswith("/bookmarks/static/bookmarks.js?v="))
    assert "immutable" in alice_client.get(script).headers["Cache-Control"]


@pytest.mark.parametrize("url", ["/static/suite.css", "/static/suite.css?v=000000000000"])
def test_a_url_without_the_current_version_is_checked_every_time(client, url):
    resp = client.get(url)
    assert resp.status_code == 200 and resp.headers["Cache-Control"] == "no-cache"


def test_a_changed_file_gets_a_new_version(tmp_path):
    path = tmp_path / "site.css"
    path.write_text("body { color: black }")
    first = assets.file_version(str(path))
    assert first == assets.file_version(str(path)) and len(first) == 12
    path.write_text("body { color: navy; background: white }")
    assert assets.file_version(str(path)) != first
    assert assets.file_version(str(tmp_path / "missing.css")) is None


def test_a_missing_static_file_is_still_a_404(client):
    assert client.get("/static/nothing-here.css?v=abc").status_code == 404
