"""Static files under URLs that name their content: kept by browsers for a year, never stale."""
import os
import re

import pytest

from suite import assets

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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


# The shared stylesheet's text colours, checked against WCAG AA (4.5:1) in both schemes.

def _colours(css, scheme):
    """The custom properties of one colour scheme, as suite.css sets them."""
    light = dict(re.findall(r"--([\w-]+):\s*(#[0-9a-f]{6})", css.split("@media (prefers-color-scheme: dark)")[0]))
    if scheme == "light":
        return light
    dark_block = css.split("@media (prefers-color-scheme: dark)")[1].split("}")[0]
    return {**light, **dict(re.findall(r"--([\w-]+):\s*(#[0-9a-f]{6})", dark_block))}


def _contrast(a, b):
    def luminance(colour):
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        r, g, bl = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * r + 0.7152 * g + 0.0722 * bl
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_text_colours_reach_aa_contrast_in_both_schemes(scheme):
    css = open(os.path.join(ROOT, "suite", "static", "suite.css"), encoding="utf-8").read()
    c = _colours(css, scheme)
    pairs = {"danger button": (c["danger-fg"], c["danger"]), "button": (c["accent-fg"], c["accent"]),
             "highlighted words": (c["fg"], c["mark"])}
    for ground in ("card", "bg", "code-bg"):  # cards, the page itself, hovered menu entries
        pairs.update({f"{name} on {ground}": (c[colour], c[ground]) for name, colour in (
            ("links", "accent"), ("wiki and unread badges", "ok"), ("bookmark badge", "bookmark"),
            ("warning badge", "warn"), ("muted text", "muted"), ("errors", "danger"))})
    low = {name: round(_contrast(*pair), 2) for name, pair in pairs.items() if _contrast(*pair) < 4.5}
    assert low == {}


def test_highlighted_words_take_the_text_colour_not_the_link_or_muted_one():
    """A <mark> inside a result's title link or its muted snippet: only the text colour reads on yellow."""
    css = open(os.path.join(ROOT, "suite", "static", "suite.css"), encoding="utf-8").read()
    assert re.search(r"^mark \{[^}]*color: var\(--fg\)", css, re.M)
