"""Recent public pastes, the Atom feed, and my pastes with language filter and text search."""
import pytest

from tests.pastebin.conftest import PY


def _post(client, token=None, **data):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.post("/paste/", data=data, headers=headers, csrf=False).get_data(as_text=True).strip()


def test_recent_lists_only_public_live_pastes(client, token):
    _post(client, content="x", title="Shown")
    _post(client, content="x", title="Hidden unlisted", visibility="unlisted")
    _post(client, token, content="x", title="Hidden private", visibility="private")
    _post(client, content="x", title="Hidden burn", expires="burn")
    html = client.get("/paste/recent").get_data(as_text=True)
    assert "Shown" in html and "Hidden" not in html


def test_atom_feed_lists_public_pastes_escaped(client):
    _post(client, content="x", title="<b>Feed</b> & more")
    _post(client, content="x", title="Secret", visibility="unlisted")
    resp = client.get("/paste/recent.atom")
    assert resp.mimetype == "application/atom+xml"
    xml = resp.get_data(as_text=True)
    assert "&lt;b&gt;Feed&lt;/b&gt; &amp; more" in xml and "Secret" not in xml
    import xml.etree.ElementTree as ET
    ET.fromstring(resp.data)


def test_the_feed_quotes_each_paste_and_names_its_owner(client, token):
    _post(client, token, content="def quoted():\n    return 'from the text'\n", title="Alice's")
    _post(client, content="anonymous words", title="Nobody's")
    xml = client.get("/paste/recent.atom").get_data(as_text=True)
    assert "return &#39;from the text&#39;" in xml and "<name>alice</name>" in xml
    assert "anonymous words" in xml and "<name>anonymous</name>" in xml


def test_a_terminal_log_with_escape_codes_keeps_the_feed_well_formed(client):
    log = "\x1b[31mERROR\x1b[0m build failed\x07\x0b\x0c\ufffe\n\tat step 2\r\n"
    slug = _post(client, content=log, name="\x1b[1mbuild.log").rsplit("/", 1)[1]
    assert client.get(f"/paste/{slug}/raw").get_data(as_text=True) == log.replace("\r\n", "\n")  # stored as sent
    import xml.etree.ElementTree as ET
    feed = ET.fromstring(client.get("/paste/recent.atom").data)
    summary = feed.find("{http://www.w3.org/2005/Atom}entry/{http://www.w3.org/2005/Atom}summary").text
    assert summary == "[31mERROR[0m build failed\n\tat step 2\n"
    page = client.get(f"/paste/{slug}")
    assert page.status_code == 200 and "ERROR" in page.get_data(as_text=True)


def test_lists_read_each_file_but_not_its_text(app, client, token):
    from suite.pastebin import pastes
    _post(client, token, content="line\n" * 700, title="Long", lang="text")
    with app.app_context():
        listed, = pastes.recent_public()
        assert listed.files[0].line_count == 700 and listed.files[0].lang == "text"
        assert listed.files[0].content is None
        assert listed.user.username == "alice"
        quoted, = pastes.recent_public(content=True)
        assert quoted.files[0].content == "line\n" * 700
    assert "700 lines" in client.get("/paste/recent").get_data(as_text=True)


def test_mine_lists_own_pastes_of_every_visibility(alice_client, client, token):
    _post(client, token, content="x", title="Mine private", visibility="private")
    _post(client, token, content="x", title="Mine unlisted", visibility="unlisted")
    _post(client, content="x", title="Someone else")
    html = alice_client.get("/paste/mine").get_data(as_text=True)
    assert "Mine private" in html and "Mine unlisted" in html and "Someone else" not in html


def test_mine_filters_by_language(alice_client, client, token):
    _post(client, token, content=PY, title="Snake", lang="python")
    _post(client, token, content="puts 1", title="Gem", lang="ruby")
    html = alice_client.get("/paste/mine?lang=ruby").get_data(as_text=True)
    assert "Gem" in html and "Snake" not in html


def _notes_and_code(client, token):
    """A paste whose first file is Markdown and whose second is Python, both saying zebra."""
    return _post(client, token, title="Zoo notes", **{
        "f:1": "some notes about zebra\n", "name:1": "notes.md",
        "f:2": "def zebra():\n    return 1\n", "name:2": "app.py"})


def test_a_language_filter_with_words_finds_a_paste_by_any_of_its_files(alice_client, client, token):
    _notes_and_code(client, token)
    for lang in ("python", "markdown"):
        assert "Zoo notes" in alice_client.get(f"/paste/mine?lang={lang}").get_data(as_text=True)
        assert "Zoo notes" in alice_client.get(f"/paste/mine?lang={lang}&q=zebra").get_data(as_text=True)
        assert "Zoo notes" in client.get(f"/search?q=zebra+lang:{lang}").get_data(as_text=True)
    assert "Zoo notes" not in alice_client.get("/paste/mine?lang=rust&q=zebra").get_data(as_text=True)
    assert "Zoo notes" not in client.get("/search?q=zebra+lang:rust").get_data(as_text=True)
    assert "Zoo notes" in client.get("/search?q=zebra+lang:rust+lang:python").get_data(as_text=True)


def test_upgrading_indexes_every_language_of_pastes_indexed_by_their_first_file(app, client, token):
    import importlib

    from suite.extensions import db
    from suite.search.models import SearchDoc
    _notes_and_code(client, token)
    with app.app_context():
        SearchDoc.update(lang="markdown").execute()  # what the index held before the upgrade
        assert "Zoo notes" not in client.get("/search?q=zebra+lang:python").get_data(as_text=True)
        importlib.import_module("suite.migrations.0019_search_every_paste_language").up(None, db.obj)
    assert "Zoo notes" in client.get("/search?q=zebra+lang:python").get_data(as_text=True)
    assert "Zoo notes" in client.get("/search?q=zebra+lang:markdown").get_data(as_text=True)


def test_mine_text_search_finds_file_contents(alice_client, client, token):
    _post(client, token, content="the zebra crossing\n", title="First")
    _post(client, token, content="nothing here\n", title="Second")
    html = alice_client.get("/paste/mine?q=zebra").get_data(as_text=True)
    assert "First" in html and "Second" not in html and "<mark>" in html


def test_mine_search_skips_expired_pastes(alice_client, client, token, app):
    import datetime

    from suite.auth.models import utcnow
    from suite.pastebin.models import Paste
    _post(client, token, content="giraffe\n", title="Gone soon", expires="10m")
    with app.app_context():
        Paste.update(expires_at=utcnow() - datetime.timedelta(seconds=1)).execute()
    assert "Gone soon" not in alice_client.get("/paste/mine?q=giraffe").get_data(as_text=True)


def test_mine_needs_sign_in(client):
    assert client.get("/paste/mine").status_code == 302


@pytest.mark.parametrize("page", ["99999999999999999999", "-2", "0", "two"])
@pytest.mark.parametrize("url", ["/paste/recent", "/paste/mine", "/paste/mine?q=x"])
def test_odd_page_numbers_show_a_page_not_an_error(alice_client, token, url, page):
    _post(alice_client, token, content="x", title="Listed")
    sep = "&" if "?" in url else "?"
    resp = alice_client.get(f"{url}{sep}page={page}")
    assert resp.status_code == 200
    if page != "99999999999999999999" and "q=" not in url:
        assert "Listed" in resp.get_data(as_text=True)  # anything below 1 is the first page


def test_line_counts_are_singular_for_one_line(client):
    _post(client, content="x", title="One liner")
    _post(client, content="a\nb\n", title="Two liner")
    html = " ".join(client.get("/paste/recent").get_data(as_text=True).split())
    assert "1 line ·" in html and "2 lines ·" in html
    assert "1 lines" not in html


def test_the_feed_is_as_new_as_its_newest_change(client, alice_client, token, app):
    """An older paste edited later made the feed's own <updated> older than one of its entries."""
    import datetime
    import xml.etree.ElementTree as ET

    from suite.pastebin.models import Paste
    older = _post(client, token, content="x", title="Older").rsplit("/", 1)[1]
    _post(client, content="y", title="Newer")
    with app.app_context():
        later = Paste.get(Paste.slug == older).updated_at + datetime.timedelta(hours=1)
        Paste.update(updated_at=later).where(Paste.slug == older).execute()
    atom = "{http://www.w3.org/2005/Atom}"
    feed = ET.fromstring(client.get("/paste/recent.atom").data)
    entries = [e.find(atom + "updated").text for e in feed.findall(atom + "entry")]
    assert feed.find(atom + "updated").text == max(entries)
