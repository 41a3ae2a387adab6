"""Creating pastes through the form: files, languages, visibility, expiry and every bad input."""
import io

import pytest

from suite.pastebin.models import Paste, PasteFile
from suite.pastebin.pastes import MAX_FILES
from tests.pastebin.conftest import PY


def form(content=PY, **extra):
    data = {"title": "", "visibility": "public", "expires": "never",
            "files-0-name": "", "files-0-lang": "auto", "files-0-content": content}
    data.update(extra)
    return data


def test_form_page_lists_every_language(client):
    html = client.get("/paste/").get_data(as_text=True)
    assert '<option value="python">Python</option>' in html
    assert html.count("<option value=") > 300


def test_form_creates_paste_and_redirects_to_it(client, app):
    resp = client.post("/paste/", data=form(title="Greeting", **{"files-0-name": "greet.py"}))
    assert resp.status_code == 302
    slug = resp.headers["Location"].rsplit("/", 1)[-1]
    assert len(slug) >= 8
    with app.app_context():
        paste = Paste.get(Paste.slug == slug)
        assert paste.title == "Greeting" and paste.user_id is None
        assert paste.files[0].lang == "python"


def test_slugs_are_random_not_sequential(client):
    slugs = {client.post("/paste/", data=form()).headers["Location"] for _ in range(3)}
    assert len(slugs) == 3
    assert not any(s.rsplit("/", 1)[-1].isdigit() for s in slugs)


def test_uploaded_file_gives_content_and_name(client, app):
    data = form(content="", **{"files-0-upload": (io.BytesIO(b"fn main() {}\n"), "main.rs")})
    resp = client.post("/paste/", data=data, content_type="multipart/form-data")
    assert resp.status_code == 302
    with app.app_context():
        f = PasteFile.get()
        assert (f.name, f.lang, f.content) == ("main.rs", "rust", "fn main() {}\n")


def test_add_file_button_shows_another_file_entry(client):
    resp = client.post("/paste/", data=form(add_file="1"))
    assert resp.status_code == 200
    assert 'name="files-1-content"' in resp.get_data(as_text=True)


def _files_form(count, **extra):
    data = form(content="file 0\n", **extra)
    data.update({f"files-{i}-content": f"file {i}\n" for i in range(1, count)})
    return data


def test_add_file_at_the_maximum_says_so_and_keeps_the_text(client, app):
    resp = client.post("/paste/", data=_files_form(MAX_FILES, add_file="1"))
    assert resp.status_code == 400
    html = resp.get_data(as_text=True)
    assert f"A paste holds at most {MAX_FILES} files." in html
    assert "file 0\n" in html and f"file {MAX_FILES - 1}\n" in html
    assert f'name="files-{MAX_FILES}-content"' not in html and 'name="add_file"' not in html
    with app.app_context():
        assert Paste.select().count() == 0


def test_the_maximum_number_of_files_is_saved(client, app):
    assert client.post("/paste/", data=_files_form(MAX_FILES)).status_code == 302
    with app.app_context():
        assert len(Paste.get().files) == MAX_FILES


def test_more_files_than_the_maximum_are_refused_not_cut_down(client, app):
    resp = client.post("/paste/", data=_files_form(MAX_FILES + 5))
    assert resp.status_code == 400
    assert f"A paste holds at most {MAX_FILES} files." in resp.get_data(as_text=True)
    with app.app_context():
        assert Paste.select().count() == 0


def test_form_with_two_files_keeps_order_names_and_languages(client, app):
    data = form(**{"files-0-name": "a.py", "files-1-name": "b.js", "files-1-lang": "auto",
                   "files-1-content": "let x = 1;\n"})
    assert client.post("/paste/", data=data).status_code == 302
    with app.app_context():
        files = Paste.get().files
        assert [(f.name, f.lang) for f in files] == [("a.py", "python"), ("b.js", "javascript")]


def test_language_by_name_or_alias(client, app):
    client.post("/paste/", data=form(**{"files-0-lang": "Python"}))
    with app.app_context():
        assert PasteFile.get().lang == "python"


def test_auto_language_guesses_from_shebang(client, app):
    client.post("/paste/", data=form(content="#!/usr/bin/env bash\necho hi\n"))
    with app.app_context():
        assert PasteFile.get().lang == "bash"


PERL = "use strict;\nmy %h = (a => 1);\nforeach my $k (keys %h) { print \"$k\\n\"; }\n"
PROLOG = "parent(tom, bob).\nancestor(X, Y) :- parent(X, Y).\n"
MATLAB = "function y = f(x)\n  y = x.^2;\nend\n% comment\ndisp(f(3))\n"


def _auto_language(client, app, name, content):
    client.post("/paste/", data=form(content=content, **{"files-0-name": name}))
    with app.app_context():
        lang = PasteFile.select().order_by(PasteFile.id.desc()).get().lang
    return lang


@pytest.mark.parametrize(("name", "content", "lang"), [
    ("hello.pl", PERL, "perl"), ("hello.pl", PROLOG, "prolog"), ("hello.pl", "#!/usr/bin/perl -w\n" + PROLOG, "perl"),
    ("f.m", MATLAB, "matlab")])
def test_an_extension_several_languages_claim_is_settled_by_the_text_and_its_shebang_line(
        client, app, name, content, lang):
    assert _auto_language(client, app, name, content) == lang


@pytest.mark.parametrize(("name", "content", "lang"), [
    ("", "#!/usr/bin/env node\nconsole.log(process.argv);\n", "javascript"),
    ("", "#!/usr/bin/env -S deno run\nconsole.log(Deno.args);\n", "typescript"),
    ("", "#!/usr/bin/env Rscript\nx <- c(1, 2)\n", "splus"),
    ("CMakeLists.txt", "add_subdirectory(src)\ntarget_link_libraries(app core)\n", "cmake"),
    ("todo.txt", "(A) Call the bank +finance @phone\n", "todotxt"),
    ("notes.txt", "Call the bank.\n", "text")])
def test_a_shebang_program_or_a_name_only_plain_text_shares_gets_its_language(client, app, name, content, lang):
    """node, deno and Rscript name no lexer of their own; .txt files that another language claims by
    their whole name went to plain text, which scores any text a little."""
    assert _auto_language(client, app, name, content) == lang


def test_an_upper_case_file_name_gets_the_language_of_its_lower_case_form(client, app):
    assert _auto_language(client, app, "README.MD", "# Title\n\n* item\n") == "markdown"
    assert _auto_language(client, app, "SCRIPT.PY", "import os\nprint(os.name)\n") == "python"


def test_an_ambiguous_extension_without_time_left_gets_the_name_alone_s_language(make_app):
    from suite.pastebin.highlight import language_for_filename
    app = make_app(HIGHLIGHT_TIMEOUT=0.0001)
    with app.app_context():
        by_name = language_for_filename("hello.pl")
    assert by_name and _auto_language(app.test_client(), app, "hello.pl", PERL * 5000) == by_name


@pytest.mark.parametrize(("kind", "content", "lang"), [
    ("YAML", "name: build\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n", "text"),
    ("Markdown", "# Title\n\nSome *text* and a [link](http://x).\n\n```\ncode\n```\n", "text"),
    ("Go", 'package main\n\nimport "fmt"\n\nfunc main() {\n\tfmt.Println("hi")\n}\n', "text"),
    ("prose", "Hello team,\n\nThe deploy failed again last night.\nThanks, Bob\n", "text"),
    ("Python", "import sys\n\ndef main():\n    print(sys.argv)\n", "python"),
    ("a diff", "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n", "diff"),
    ("a vim modeline", "# vim: set ft=ruby:\nputs 1\n", "ruby"),
    ("an HTML page", "<!DOCTYPE html>\n<html><body><p>Hi</p></body></html>\n", "html"),
    ("PHP", "<?php\necho 'hi';\n", "php"),
    ("XML", '<?xml version="1.0"?>\n<feed><entry/></feed>\n', "xml"),
    ("a shell script", "#!/bin/sh\nset -e\necho hi\n", "bash")])
def test_text_without_a_file_name_gets_a_guessed_language_only_when_the_guess_is_confident(
        client, app, kind, content, lang):
    assert _auto_language(client, app, "", content) == lang, kind


def test_private_paste_needs_an_account(client):
    resp = client.post("/paste/", data=form(visibility="private"))
    assert resp.status_code == 400
    assert b"Sign in" in resp.data


def test_anonymous_pastes_can_be_turned_off(make_app):
    client = make_app(ANONYMOUS_PASTES=False).test_client()
    resp = client.post("/paste/", data=form())
    assert resp.status_code == 302 and "/auth/login" in resp.headers["Location"]


@pytest.mark.parametrize(("content", "extra", "status", "message"), [
    ("", {}, 400, "empty"),
    ("   \n\t  \n", {}, 400, "only whitespace"),
    (PY, {"files-0-lang": "klingon"}, 400, "Unknown language"),
    (PY, {"title": "t" * 201}, 400, "longer than 200 characters"),  # as curl, the API and the edit form
])
def test_form_rejects_bad_input_and_keeps_the_text(client, app, content, extra, status, message):
    resp = client.post("/paste/", data=form(content=content, **extra))
    assert resp.status_code == status
    html = resp.get_data(as_text=True)
    assert message in html
    if content.strip():
        assert "greet(name)" in html  # nothing typed is lost
    with app.app_context():
        assert Paste.select().count() == 0


def test_title_with_html_is_escaped(client, app):
    resp = client.post("/paste/", data=form(title="<script>alert(1)</script>"))
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_filename_with_path_parts_keeps_only_the_name(client, app):
    client.post("/paste/", data=form(**{"files-0-name": "../../etc/passwd"}))
    with app.app_context():
        assert PasteFile.get().name == "passwd"


def test_too_large_paste_is_413_with_the_limit(make_app):
    client = make_app(PASTE_MAX_BYTES=1000).test_client()
    resp = client.post("/paste/", data=form(content="x" * 1001))
    assert resp.status_code == 413
    assert b"limit is 1,000 bytes" in resp.data


@pytest.mark.parametrize("sent_back_by", [{"add_file": "1"}, {"visibility": "everyone"}], ids=["add a file", "an error"])
def test_a_form_sent_back_keeps_its_uploaded_file_as_named_text(client, app, sent_back_by):
    """A browser cannot refill a file input: the upload vanished and the paste was made without it."""
    data = form(content="", **{"files-0-upload": (io.BytesIO(b"print('kept')\n"), "script.py")}, **sent_back_by)
    page = client.post("/paste/", data=data, content_type="multipart/form-data").get_data(as_text=True)
    assert "print(&#39;kept&#39;)" in page and 'value="script.py"' in page
    again = form(content="print('kept')\n", **{"files-0-name": "script.py"})
    assert client.post("/paste/", data=again).status_code == 302
    with app.app_context():
        assert (PasteFile.get().name, PasteFile.get().content) == ("script.py", "print('kept')\n")


def test_an_uploaded_file_over_the_limit_is_413_even_when_the_cut_falls_inside_a_character(make_app):
    """Read one byte past the limit, 600 é were cut inside the last one and answered 400 "not UTF-8"."""
    client = make_app(PASTE_MAX_BYTES=1000).test_client()
    data = form(content="", **{"files-0-upload": (io.BytesIO("é".encode() * 600), "accents.txt")})
    resp = client.post("/paste/", data=data, content_type="multipart/form-data")
    assert resp.status_code == 413
    assert "accents.txt" in resp.get_data(as_text=True) and b"1,000 bytes" in resp.data


@pytest.mark.parametrize(("content", "lines"), [("a", 1), ("a\n", 1), ("a\nb", 2), ("a\n\n", 2)])
def test_line_count_matches_the_numbered_lines(client, app, content, lines):
    client.post("/paste/", data=form(content=content, **{"files-0-lang": "text"}))
    with app.app_context():
        assert PasteFile.get().line_count == lines


@pytest.mark.parametrize(("ends", "label"), [("\r\n", "Windows"), ("\r", "classic Mac OS"), ("\n", "Unix")])
def test_every_kind_of_line_end_gives_as_many_counted_lines_as_anchors_and_is_stored_as_lf(
        client, paste_as, app, ends, label):
    slug = paste_as(client, "\ufeff" + ends.join(["a = 1", "b = 2", "c = 3", ""]), lang="python")
    with app.app_context():
        assert PasteFile.get().line_count == 3, label
    page = client.get(f"/paste/{slug}").get_data(as_text=True)
    assert "3 lines" in page and 'id="L3"' in page and 'id="L4"' not in page
    assert client.get(f"/paste/{slug}/raw").get_data(as_text=True) == "a = 1\nb = 2\nc = 3\n"


def test_language_guess_is_bounded_by_the_timeout(make_app):
    app = make_app(HIGHLIGHT_TIMEOUT=0.0001)
    client = app.test_client()
    client.post("/paste/", data=form(content="import os\nprint(os.getcwd())\n"))
    with app.app_context():
        assert PasteFile.get().lang == "text"
