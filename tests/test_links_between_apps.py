"""Links between the apps: wiki embeds of pastes and bookmarks, one-click bookmarking."""
import re
from urllib.parse import parse_qs, urlsplit


def _bookmark_link(html):
    href = re.search(r'class="button small secondary bookmark-this" href="([^"]+)"', html).group(1)
    return parse_qs(urlsplit(href.replace("&amp;", "&")).query)


def _create_paste(client, text, visibility="public"):
    resp = client.post("/paste/", data={"content": text, "visibility": visibility},
                       headers={"Accept": "text/html"})
    assert resp.status_code in (302, 303), resp.status_code
    return resp.headers["Location"].rstrip("/").split("/")[-1]


def _save_page(client, title, content):
    resp = client.post(f"/wiki/{title}/edit", data={"content": content, "base_revision": 0, "message": ""})
    assert resp.status_code in (302, 303), resp.get_data(as_text=True)[:500]


def test_paste_page_offers_one_click_bookmark(alice_client):
    slug = _create_paste(alice_client, "print('hi')\n")
    params = _bookmark_link(alice_client.get(f"/paste/{slug}").get_data(as_text=True))
    assert params["url"] == [f"http://localhost/paste/{slug}"]
    form = alice_client.get("/bookmarks/add", query_string={"url": params["url"][0], "title": params["title"][0]})
    assert form.status_code == 200 and f"/paste/{slug}" in form.get_data(as_text=True)


def test_wiki_page_offers_one_click_bookmark(alice_client):
    _save_page(alice_client, "Runbook", "Steps")
    params = _bookmark_link(alice_client.get("/wiki/Runbook").get_data(as_text=True))
    assert params == {"url": ["http://localhost/wiki/Runbook"], "title": ["Runbook"]}


def test_wiki_embeds_a_paste_the_reader_may_see(alice_client, bob_client):
    public = _create_paste(alice_client, "def shared():\n    pass\n")
    private = _create_paste(alice_client, "SECRET_VALUE = 1\n", visibility="private")
    _save_page(alice_client, "Snippets", f"[[paste:{public}]]\n\n[[paste:{private}]]\n")
    own = alice_client.get("/wiki/Snippets").get_data(as_text=True)
    assert "shared" in own and "SECRET_VALUE" in own
    other = bob_client.get("/wiki/Snippets").get_data(as_text=True)
    assert "shared" in other and "SECRET_VALUE" not in other


def test_wiki_embeds_a_bookmark_card_only_for_allowed_readers(app, alice_client, bob_client):
    from suite.bookmarks.models import Bookmark
    for url, private in (("https://example.org/open", ""), ("https://example.org/hidden", "y")):
        data = {"url": url, "title": url.rsplit("/", 1)[1] + " page", "description": "", "notes": "",
                "tags": ""}
        if private:
            data["is_private"] = "y"
        assert alice_client.post("/bookmarks/add", data=data).status_code in (302, 303)
    with app.app_context():
        ids = {b.url.rsplit("/", 1)[1]: b.id for b in Bookmark.select()}
    _save_page(alice_client, "Links", f"[[bookmark:{ids['open']}]]\n\n[[bookmark:{ids['hidden']}]]\n")
    own = alice_client.get("/wiki/Links").get_data(as_text=True)
    assert "open page" in own and "hidden page" in own and "<img" in own
    other = bob_client.get("/wiki/Links").get_data(as_text=True)
    assert "open page" in other and "hidden page" not in other
