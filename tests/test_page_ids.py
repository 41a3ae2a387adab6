"""Every page's element ids are unique, also on pages that hold several forms."""
from collections import Counter
from html.parser import HTMLParser

import pytest


class _Ids(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ids = Counter()

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name == "id":
                self.ids[value] += 1


def repeated_ids(html):
    parser = _Ids()
    parser.feed(html)
    return sorted(i for i, n in parser.ids.items() if n > 1)


@pytest.fixture
def filled(admin_client):
    """An administrator with a wiki page, a paste and a bookmark, so item pages have their forms."""
    admin_client.post("/wiki/Home/edit", data={"content": "Hello [[Other]]", "base_revision": 0,
                                               "message": ""})
    paste = admin_client.post("/paste/", data={"content": "print(1)", "visibility": "public"})
    admin_client.post("/bookmarks/add", data={"url": "https://example.org/", "title": "Example"})
    return {"paste": paste.headers["Location"]}


@pytest.mark.parametrize("path", [
    "/", "/auth/account", "/auth/users", "/bookmarks/", "/bookmarks/add", "/bookmarks/import",
    "/bookmarks/settings", "/bookmarks/tags", "/paste/", "/paste/mine", "/search?q=hello",
    "/wiki/Home", "/wiki/pages", "/wiki/import", "/wiki/Home/edit", "/wiki/Home/history",
    "/wiki/Home/attachments", "/wiki/Home/rename", "{paste}", "{paste}/edit",
])
def test_no_page_repeats_an_id(admin_client, filled, path):
    page = admin_client.get(path.format(**filled), follow_redirects=True)
    assert page.status_code == 200
    assert repeated_ids(page.get_data(as_text=True)) == []


def test_the_account_page_still_posts_a_valid_csrf_token_from_each_form(admin_client):
    page = admin_client.get("/auth/account").get_data(as_text=True)
    assert page.count('name="csrf_token"') >= 3
    assert 'id="csrf_token"' not in page
