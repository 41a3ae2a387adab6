"""Viewing pastes: stored highlighting with anchored lines, raw, download, Markdown, embed, access."""
import io
import re
import zipfile
from urllib.parse import quote

import pytest

from suite.pastebin import highlight
from suite.pastebin.models import Highlight
from tests.pastebin.conftest import PY


def test_view_shows_highlighted_code_with_line_anchors(client, paste_as):
    slug = paste_as(client, PY, lang="python")
    html = client.get(f"/paste/{slug}").get_data(as_text=True)
    assert '<span class="k">def</span>' in html
    assert 'id="L1"' in html and 'href="#L4"' in html and 'id="L5"' not in html
    assert "pygments-dark.css" in html and 'media="(prefers-color-scheme: dark)"' in html


def test_second_file_has_its_own_anchor_prefix(client, app):
    resp = client.post("/paste/", data={"f:1": "a\n", "f:2": "b\nc\n"}, csrf=False)
    html = client.get(resp.get_data(as_text=True).strip()).get_data(as_text=True)
    assert 'id="L1"' in html and 'id="f2-L2"' in html


def test_view_reuses_stored_highlight_and_never_calls_the_highlighter(client, paste_as, monkeypatch):
    slug = paste_as(client, PY, lang="python")

    def forbidden(*args, **kwargs):
        raise AssertionError("the view must not highlight")
    monkeypatch.setattr(highlight, "highlight_file", forbidden)
    monkeypatch.setattr(highlight.WorkerPool, "run", forbidden)
    resp = client.get(f"/paste/{slug}")
    assert resp.status_code == 200 and '<span class="k">def</span>' in resp.get_data(as_text=True)


def test_highlight_is_stored_once_per_content_lexer_and_version(client, paste_as, app):
    paste_as(client, PY, lang="python")
    paste_as(client, PY, lang="python")
    with app.app_context():
        rows = list(Highlight.select().where(Highlight.lexer == "python"))
        assert len(rows) == 1 and rows[0].version == highlight.VERSION
        assert rows[0].content_hash == highlight.content_hash(PY)


def test_slow_highlighting_falls_back_to_plain_text_with_notice(make_app):
    app = make_app(HIGHLIGHT_TIMEOUT=0.001)
    client = app.test_client()
    resp = client.post("/paste/", data={"content": PY * 2000, "lang": "python"}, csrf=False)
    html = client.get(resp.get_data(as_text=True).strip()).get_data(as_text=True)
    assert "took too long" in html
    assert 'id="L10"' in html and '<span class="k">' not in html


def test_file_out_of_the_request_budget_is_not_stored_as_too_slow_but_highlighted_with_the_full_budget(
        make_app, paste_as, get_paste):
    """A file that gets only the leftover of a request's budget is retried with the whole HIGHLIGHT_TIMEOUT."""
    import time

    from suite.pastebin.pastes import highlight_paste
    app = make_app(HIGHLIGHT_TIMEOUT=30)
    content = PY * 1000  # a few tenths of a second to lex: far more than 0.06 s, far less than 30 s
    slug = paste_as(app.test_client(), content, lang="python")
    paste = get_paste(slug)
    with app.app_context():
        Highlight.delete().execute()
        highlight_paste(paste, deadline=time.monotonic() + 0.06)  # what a request has left after other files
        stored = highlight.stored_highlight(content, "python")
        assert stored is not None and stored.notice == ""
        assert '<span class="k">def</span>' in stored.html


def test_timed_out_worker_is_killed_and_replaced(app):
    pool = highlight.pool()
    with app.app_context():
        with pytest.raises(highlight.WorkTimeout):
            pool.run("lex", PY * 5000, "python", timeout=0.001)
        assert pool.run("lex", "x = 1\n", "python", timeout=5).startswith('<span class="n">x')


def test_file_over_highlight_limit_is_plain_with_notice(make_app):
    client = make_app(HIGHLIGHT_MAX_BYTES=100).test_client()
    resp = client.post("/paste/", data={"content": PY * 10, "lang": "python"}, csrf=False)
    html = client.get(resp.get_data(as_text=True).strip()).get_data(as_text=True)
    assert "over 0 KB" in html or "is over" in html
    assert '<span class="k">' not in html


def test_raw_is_plain_utf8_text_with_nosniff(client, paste_as):
    slug = paste_as(client, "héllo <b>\n")
    resp = client.get(f"/paste/{slug}/raw")
    assert resp.headers["Content-Type"] == "text/plain; charset=utf-8"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.get_data(as_text=True) == "héllo <b>\n"


def test_download_uses_file_name_or_slug_with_extension(client, paste_as, app):
    slug = paste_as(client, PY, lang="python")
    resp = client.get(f"/paste/{slug}/download")
    assert resp.headers["Content-Disposition"] == f"attachment; filename={slug}.py"
    named = client.post("/paste/", data={"content": (io.BytesIO(b"a"), "notes.txt")},
                        content_type="multipart/form-data", csrf=False).get_data(as_text=True).strip()
    assert "filename=notes.txt" in client.get(named + "/download").headers["Content-Disposition"]


@pytest.mark.parametrize("name", ["日本語.py", "İstanbul.md", "שלום.txt", "cafe\u0301.txt"])
def test_download_of_a_file_named_in_any_script_keeps_its_name(client, name):
    """Headers go out as Latin-1: the name travels as RFC 6266's filename*, with an ASCII one beside it."""
    url = client.post("/paste/", data={"content": (io.BytesIO(b"x\n"), name)},
                      content_type="multipart/form-data", csrf=False).get_data(as_text=True).strip()
    disposition = client.get(url + "/download").headers["Content-Disposition"]
    disposition.encode("latin-1")  # what the server must be able to send
    assert f"filename*=UTF-8''{quote(name)}" in disposition and "filename=" in disposition


def test_download_of_several_files_is_a_zip(client):
    url = client.post("/paste/", data={"f:1": "one", "f:2": "two"}, csrf=False).get_data(as_text=True).strip()
    resp = client.get(url + "/download")
    assert resp.mimetype == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(resp.data)).namelist()
    assert len(names) == 2


def test_a_zip_never_holds_two_files_of_one_name(client):
    """a.txt, 3-a.txt, a.txt: the third was renamed 3-a.txt, and unzipping kept one of the two."""
    data = {"f:1": "one", "name:1": "a.txt", "f:2": "two", "name:2": "3-a.txt", "f:3": "three", "name:3": "a.txt"}
    url = client.post("/paste/", data=data, csrf=False).get_data(as_text=True).strip()
    archive = zipfile.ZipFile(io.BytesIO(client.get(url + "/download").data))
    names = archive.namelist()
    assert len(set(names)) == 3 and names[:2] == ["a.txt", "3-a.txt"]
    assert [archive.read(n) for n in names] == [b"one", b"two", b"three"]


def test_markdown_is_rendered_sanitized_and_source_on_request(client, paste_as):
    md = "# Title\n\n<script>alert(1)</script>\n\n[x](javascript:alert(2)) <img src=x onerror=alert(3)>\n"
    slug = paste_as(client, md, lang="markdown")
    html = client.get(f"/paste/{slug}").get_data(as_text=True)
    assert "<h1>Title</h1>" in html
    assert "<script>alert(1)" not in html and "<img src=x" not in html  # the source for Copy is escaped text
    rendered = re.search(r'<div [^>]*class="markdown-body">(.*?)</div>', html, re.S).group(1)
    assert "javascript:" not in rendered and "onerror" not in rendered
    source = client.get(f"/paste/{slug}?source=1").get_data(as_text=True)
    assert 'id="L1"' in source and "<h1>Title</h1>" not in source


def test_private_paste_is_404_for_others_and_anonymous(alice_client, bob_client, client, paste_as, token):
    resp = client.post("/paste/", data={"content": PY, "visibility": "private"},
                       headers={"Authorization": f"Bearer {token}"})
    url = resp.get_data(as_text=True).strip()
    assert alice_client.get(url).status_code == 200
    for other in (bob_client, client):
        for suffix in ("", "/raw", "/download", "/embed", "/fork"):
            assert other.get(url + suffix).status_code == 404


def test_unknown_slug_is_404(client):
    assert client.get("/paste/nonexistent1").status_code == 404


def test_embed_is_frameable_and_minimal(client, paste_as):
    slug = paste_as(client, PY, lang="python")
    resp = client.get(f"/paste/{slug}/embed")
    assert resp.status_code == 200
    assert "frame-ancestors *" in resp.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in resp.headers
    assert 'class="topbar"' not in resp.get_data(as_text=True)


def test_pygments_stylesheets_are_current(app):
    import os
    static = os.path.join(os.path.dirname(highlight.__file__), "static")
    for name, style in (("light", "default"), ("dark", "github-dark")):
        with open(os.path.join(static, f"pygments-{name}.css")) as f:
            assert highlight.stylesheet(style) in f.read()


def test_a_1mib_line_without_newline_is_accepted_and_shown_plain(client):
    import time
    started = time.monotonic()
    url = client.post("/paste/", data={"content": "a" * (1024 * 1024), "lang": "python"}, csrf=False).get_data(as_text=True).strip()
    resp = client.get(url)
    assert resp.status_code == 200 and 'id="L1"' in resp.get_data(as_text=True)
    assert "over 512 KB" in resp.get_data(as_text=True)
    assert time.monotonic() - started < 10  # generous: the bound that matters is "no hang"


@pytest.mark.parametrize("lang", ["auto", "python"])
def test_100000_short_lines_are_anchored(client, lang):
    url = client.post("/paste/", data={"content": "x = 1\n" * 100_000, "lang": lang},
                      csrf=False).get_data(as_text=True).strip()
    html = client.get(url).get_data(as_text=True)
    assert 'id="L100000"' in html and 'id="L100001"' not in html


def test_paste_embed_for_other_apps_respects_visibility(app, client, paste_as, token):
    from suite.auth.access import Anonymous
    from suite.embeds import render_embed
    public = paste_as(client, PY, lang="python", title="Shown")
    private = client.post("/paste/", data={"content": "x", "visibility": "private"},
                          headers={"Authorization": f"Bearer {token}"}).get_data(as_text=True).strip()
    burn = paste_as(client, "y", expires="burn")
    with app.test_request_context():
        html = str(render_embed("paste", public, Anonymous()))
        assert "Shown" in html and '<span class="k">def</span>' in html and f'id="p-{public}-1-L1"' in html
        for hidden in (private.rsplit("/", 1)[1], burn, "nope"):
            assert "not available" in str(render_embed("paste", hidden, Anonymous()))
    assert client.get(f"/paste/{burn}/raw").status_code == 200  # the embed did not burn it


def test_file_header_says_1_line_and_1_byte(client, paste_as):
    one = " ".join(client.get(f"/paste/{paste_as(client, content='x')}").get_data(as_text=True).split())
    assert "1 line · 1 byte<" in one and "1 lines" not in one and "1 bytes" not in one
    slug = paste_as(client, content="ab\ncd")
    two = " ".join(client.get(f"/paste/{slug}").get_data(as_text=True).split())
    assert "2 lines · 5 bytes<" in two
