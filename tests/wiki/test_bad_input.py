"""Bad input from the issue: odd titles, empty or huge saves, redirect loops, XSS. Never a 500."""
import re

import pytest

from suite.wiki.models import Page, Revision


@pytest.mark.parametrize(("title", "message"), [
    ("a/../b", b"dot"),
    ("..", b"dot"),
    (".hidden", b"dot"),
    ("Trailing.", b"dot"),
    ("a//b", b"empty part"),
    ("x" * 300, b"at most 200 characters"),
    ("Straße" * 30, b"at most 200 characters once its case is set aside"),  # 180 characters, key "strasse"*30
    ("!!!", b"letter or digit"),
    ("a/-/b", b"letter or digit"),
    ("Page:Other", b"cannot contain :"),
    ("Links[[x]]", b"cannot contain [ ]"),
])
def test_bad_titles_are_refused_with_a_message(alice_client, title, message, app):
    resp = alice_client.post(f"/wiki/{title}/edit", data={"content": "x", "base_revision": 0, "save": "Save"})
    assert resp.status_code in (400, 404)
    if resp.status_code == 400:
        assert message in resp.data
    with app.app_context():
        assert Page.select().count() == 0


@pytest.mark.parametrize("path", ["/wiki//", "/wiki/a/", "/wiki/%2e%2e", "/wiki/x%00y"])
def test_odd_urls_never_500(client, path):
    assert client.get(path).status_code in (301, 308, 400, 404)


def test_leading_slash_title_is_refused_by_validator(app):
    from suite.errors import InvalidInput
    from suite.wiki.titles import clean_title
    for title in ("/Lead", "Trail/", "   "):
        with pytest.raises(InvalidInput):
            clean_title(title)


def test_unicode_and_inner_dots_are_fine(app):
    from suite.wiki.titles import clean_title
    assert clean_title("Версия 1.2/Ünïcødé_page") == "Версия 1.2/Ünïcødé page"


def test_empty_save_is_refused_and_text_kept(wiki, app):
    resp = wiki.save("Notes", "   \n  ")
    assert resp.status_code == 400
    assert b"cannot be empty" in resp.data
    with app.app_context():
        assert Page.select().count() == 0


def test_empty_save_does_not_touch_existing_page(wiki, app):
    wiki.save("Notes", "keep me")
    assert wiki.save("Notes", "").status_code == 400
    with app.app_context():
        assert Revision.get(Revision.page == Page.get(Page.key == "notes")).content == "keep me\n"


def test_page_over_size_limit_is_413_with_text_kept(make_app, users):
    from tests.wiki.conftest import WikiActions
    app = make_app(WIKI_MAX_PAGE_BYTES=1000)
    from suite.auth.accounts import create_user
    with app.app_context():
        user = create_user("writer", "correct horse battery")
    client = app.test_client()
    from tests.conftest import sign_in
    sign_in(client, user)
    big = "word " * 400
    resp = WikiActions(client).save("Big", big)
    assert resp.status_code == 413
    assert b"the limit is 0 KiB" in resp.data or b"limit" in resp.data
    assert big.strip().encode() in resp.data
    with app.app_context():
        assert Page.select().count() == 0


def test_redirect_to_itself_is_refused(wiki):
    resp = wiki.save("Loop", "#REDIRECT [[loop]]")
    assert resp.status_code == 400
    assert b"cannot redirect to itself" in resp.data


def test_redirect_loop_is_refused(wiki, app):
    wiki.save("A", "#REDIRECT [[B]]")
    wiki.save("B", "Real page")
    resp = wiki.save("B", "#REDIRECT [[A]]")
    assert resp.status_code == 400
    assert b"loop" in resp.data
    with app.app_context():
        assert Page.get(Page.key == "b").redirect_to is None


def test_redirect_chain_is_followed_only_once(wiki, client):
    wiki.save("C", "End")
    wiki.save("B", "#REDIRECT [[C]]")
    wiki.save("A", "#REDIRECT [[B]]")
    resp = client.get("/wiki/A")
    assert resp.status_code == 302 and "/wiki/B?from=A" in resp.headers["Location"]
    assert client.get("/wiki/B?from=A").status_code == 200


def test_overlong_edit_summary_is_refused(wiki):
    resp = wiki.save("Notes", "text", message="m" * 201)
    assert resp.status_code == 400


XSS_BODIES = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    '<a href="javascript:alert(1)">x</a>',
    '[x](javascript:alert(1))',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)',
    '<svg><script>alert(1)</script></svg>',
    '<svg onload="alert(1)"><a xlink:href="javascript:alert(1)">x</a></svg>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<details open ontoggle="alert(1)">x</details>',
    '<object data="javascript:alert(1)"></object>',
    '<base href="javascript:alert(1)//">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '[[Foo|<img src=x onerror=alert(1)>]]',
    '```\n</code></pre><script>alert(1)</script>\n```',
    '<input type="text" onfocus="alert(1)" autofocus>',
]


@pytest.mark.parametrize("body", XSS_BODIES)
def test_xss_corpus_in_body_never_reaches_the_page(wiki, client, body):
    assert wiki.save("Evil", body).status_code == 302
    html = client.get("/wiki/Evil").data.decode()
    content = html.split('class="wiki-content">', 1)[1].split("</article>", 1)[0]
    lowered = content.lower()
    assert "<script" not in lowered
    assert "javascript:" not in lowered
    assert "data:" not in lowered
    assert not re.search(r"\son\w+=", lowered)
    for bad in ("onerror=", "onload=", "ontoggle=", "onfocus=", "<svg", "<iframe", "<form", "<object",
                "<base", "<meta", "style=", 'type="text"'):
        assert bad not in lowered


def test_xss_in_title_and_message_is_escaped(wiki, client):
    resp = wiki.save("Hi_<b>", "x")
    assert resp.status_code == 400  # < and > are not allowed in titles
    wiki.save("Hi", "x", message='<script>alert("m")</script>')
    for path in ("/wiki/Hi", "/wiki/Hi/history", "/wiki/recent"):
        html = client.get(path).data.decode()
        assert '<script>alert("m")' not in html
    assert "&lt;script&gt;" in client.get("/wiki/Hi/history").data.decode()


def test_xss_in_missing_page_title_is_escaped(client):
    resp = client.get("/wiki/%3Cscript%3Ealert(1)%3C%2Fscript%3E")
    assert resp.status_code == 400
    assert b"<script>alert(1)" not in resp.data


def test_external_links_get_nofollow_noopener(wiki, client):
    wiki.save("Links", "[out](https://example.com/) and [[Links]] and [in](/wiki/Home)")
    html = client.get("/wiki/Links").data.decode()
    assert '<a href="https://example.com/" rel="nofollow noopener">' in html
    assert '<a href="/wiki/Home">in</a>' in html


def test_preview_over_size_limit_is_refused_not_rendered(make_app):
    from tests.wiki.test_permissions import signed_in
    app = make_app(WIKI_MAX_PAGE_BYTES=1000)
    client = signed_in(app, "writer")
    resp = client.post("/wiki/Big/edit", data={"content": "*x* " * 500, "base_revision": 0, "preview": "Preview"})
    assert resp.status_code == 413
    assert b"<em>x</em>" not in resp.data


HUGE = "99999999999999999999"  # beyond any integer the database stores


@pytest.mark.parametrize(("path", "status"), [
    (f"/wiki/Home?rev={HUGE}", 404),
    (f"/wiki/Home/diff?to={HUGE}", 404),
    (f"/wiki/Home/diff?to=1&from={HUGE}", 404),
    (f"/wiki/Home/history?page={HUGE}", 200),
    (f"/wiki/recent?page={HUGE}", 200),
    (f"/wiki/pages?page={HUGE}", 200),
])
def test_huge_numbers_in_wiki_urls_are_not_found_or_empty_never_500(wiki, client, path, status):
    wiki.save("Home", "hello")
    assert client.get(path).status_code == status


def test_lowercase_url_with_title_argument_redirects_keeping_it(wiki, client):
    wiki.save("Home", "hello")
    resp = client.get("/wiki/home?title=x")
    assert resp.status_code == 301 and resp.headers["Location"].endswith("/wiki/Home?title=x")


def test_revert_to_a_huge_revision_number_is_404(wiki, alice_client):
    wiki.save("Home", "hello")
    resp = alice_client.post("/wiki/Home/revert", data={"rev": HUGE, "base_revision": 1})
    assert resp.status_code == 404


@pytest.mark.parametrize("page_id", [HUGE, str(2**63), str(2**31)])
def test_a_save_naming_a_page_id_no_page_can_have_is_a_conflict_never_500(wiki, client, token, page_id):
    wiki.save("Home", "hello")
    assert wiki.save("Home", "hello there", base=1, page_id=page_id).status_code == 409
    resp = client.put("/api/v1/wiki/Home", headers={"Authorization": f"Bearer {token}"},
                      json={"content": "hello there", "base_revision": 1, "page_id": int(page_id)})
    assert resp.status_code == 409 and "no longer exists" in resp.json["error"]["message"]
    assert client.get("/api/v1/wiki/Home").json["content"] == "hello\n"


@pytest.mark.parametrize("field, value", [("page_id", "-1"), ("page_id", "0"), ("page_id", "abc"),
                                          ("base_revision", "-3")])
def test_a_damaged_hidden_field_is_a_400_that_says_so_and_keeps_the_text(wiki, client, field, value):
    """A 400 whose page named no field: the hidden field in error has no place of its own."""
    wiki.save("Home", "hello")
    resp = wiki.save("Home", "my long edit", base=1, **{field: value})
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and f"The form arrived damaged (its hidden field “{field}”" in html
    assert "my long edit" in html
    assert ">my long edit<" not in client.get("/wiki/Home").get_data(as_text=True)


def test_page_linking_to_a_title_too_long_once_casefolded_is_saved_with_the_link_as_text(wiki, app):
    resp = wiki.save("Linker", f"see [[{'Straße' * 30}]]")
    assert resp.status_code == 302
    with app.app_context():
        assert Revision.get().html.count("wikilink") == 0


def test_rename_between_long_titles_cuts_its_generated_summaries_to_200(wiki, alice_client, app):
    """"Renamed from <100 characters> to <100 characters>" and the link updates' summaries fit the column."""
    old, new = "A" * 100, "B" * 100
    wiki.save(old, "text")
    wiki.save("Linker", f"see [[{old}]]")
    resp = alice_client.post(f"/wiki/{old}/rename", data={"new_title": new, "rewrite": "y", "message": ""})
    assert resp.status_code == 302
    with app.app_context():
        messages = [r.message for r in Revision.select().where(Revision.message != "")]
    assert len(messages) == 3 and all(len(m) <= 200 for m in messages)
    assert f"Renamed from {old} to {'B' * 70}" in " ".join(messages)
    assert all(m.endswith("…") for m in messages if len(m) == 200)


@pytest.mark.parametrize(("typed", "title"), [
    ("Company/history", "Company/History"),  # /wiki/Company/history is Company's history
    ("Foo/edit", "Foo/Edit"), ("Notes/raw", "Notes/Raw"), ("Feed/history.atom", "Feed/History.atom"),
    ("recent", "Recent"), ("search", "Search"),  # /wiki/recent, /wiki/search
    ("static/Foo", "Static/Foo"), ("import/5", "Import/5"),  # /wiki/static/<file>, /wiki/import/<run>
    ("A/attachments/B", "A/Attachments/B"),
    ("Static", "Static"), ("Statics/Foo", "Statics/Foo"), ("Notes/static/x", "Notes/static/x"), ("History", "History"),
])
def test_a_title_part_that_reads_as_the_wikis_own_address_is_capitalized(typed, title):
    """Such titles were refused ("Company/History" could not be a page); the wiki's addresses are lower
    case and URLs match case, so the capitalized title has an address of its own."""
    from suite.wiki.titles import clean_title
    assert clean_title(typed) == title


def test_a_page_called_history_is_a_page_with_a_history_of_its_own(wiki, alice_client, client):
    wiki.save("Company", "See [[/history]] and [[Company/History#Early days|our past]].")
    resp = wiki.save("Company/history", "## Early days\n\nFounded.")
    assert resp.status_code == 302 and resp.headers["Location"] == "/wiki/Company/History"
    assert "Founded." in client.get("/wiki/Company/History").get_data(as_text=True)
    assert "Company/History" in client.get("/wiki/Company/History/history").get_data(as_text=True)
    assert client.get("/wiki/Company/history").status_code == 200  # Company's own history, as before
    company = client.get("/wiki/Company").get_data(as_text=True)
    assert company.count('class="wikilink" href="/wiki/Company/History') == 2
    wiki.save("Plain", "text")
    alice_client.post("/wiki/Plain/rename", data={"new_title": "static/Plain"})
    assert client.get("/wiki/Static/Plain").status_code == 200
