"""Big texts through the web forms: each app's own limit applies, with its own message, not Werkzeug's field cap."""
from suite.pastebin.models import PasteFile
from suite.wiki.models import Page
from tests.wiki.conftest import WikiActions


def paste_form(content, title="Keep my title"):
    return {"files-0-content": content, "files-0-lang": "text", "files-0-name": "", "title": title,
            "visibility": "public", "expires": "never"}


def test_a_600_kb_paste_from_the_browser_form_is_saved(alice_client, app):
    # Werkzeug 3.1 caps a form field at 500,000 bytes unless told otherwise: this was a bare 413.
    resp = alice_client.post("/paste/", data=paste_form("x" * 600_000), content_type="multipart/form-data")
    assert resp.status_code == 302, resp.status_code
    with app.app_context():
        assert len(PasteFile.get().content) == 600_000


def test_a_paste_over_its_limit_gets_the_apps_message_and_keeps_the_form(alice_client):
    resp = alice_client.post("/paste/", data=paste_form("x" * (1024 * 1024 + 1)), content_type="multipart/form-data")
    assert resp.status_code == 413
    page = resp.get_data(as_text=True)
    assert "1 MiB" in page or "1,048,576" in page
    assert 'value="Keep my title"' in page  # the form comes back filled


def test_a_wiki_page_of_510_kb_is_saved(alice_client, app):
    resp = WikiActions(alice_client).save("Big", "word " * 102_000)
    assert resp.status_code == 302
    with app.app_context():
        assert Page.get(Page.title == "Big").version == 1
