"""A bookmark carries at most 50 tags of up to 64 characters, whichever way they were given."""
import html
import re

from suite.bookmarks.bookmarks import MAX_TAGS
from suite.bookmarks.models import Bookmark

LONGEST = [f"{i:02d}-" + "t" * 61 for i in range(MAX_TAGS)]  # 50 tags of 64 characters


def _form_values(page):
    def value(name):
        return html.unescape(re.search(r'name="%s"[^>]*value="([^"]*)"' % name, page).group(1))
    return {"url": value("url"), "tags": value("tags"), "title": value("title"), "is_private": "y"}


def test_the_edit_form_takes_back_the_most_tags_the_app_stores(alice_client, app, token):
    resp = alice_client.post("/api/v1/bookmarks", json={"url": "https://example.com/", "tags": LONGEST},
                             headers={"Authorization": "Bearer " + token})
    bid = resp.get_json()["id"]
    form = _form_values(alice_client.get(f"/bookmarks/{bid}/edit").get_data(as_text=True))
    resp = alice_client.post(f"/bookmarks/{bid}/edit", data=dict(form, title="Only the title changed"))
    assert resp.status_code == 302
    with app.app_context():
        b = Bookmark.get_by_id(bid)
        assert b.title == "Only the title changed" and b.tag_names == sorted(LONGEST)


def _bookmark_with_tags(app, users, names):
    from suite.bookmarks.bookmarks import add_bookmark
    with app.app_context():
        return add_bookmark(users["alice"], "https://example.com/many", tags=names, enqueue=False)[0].id


def test_bulk_adding_tags_past_the_limit_is_refused(alice_client, app, users):
    bid = _bookmark_with_tags(app, users, [f"a{i}" for i in range(30)])
    resp = alice_client.post("/bookmarks/bulk", data={"ids": [bid], "action": "add_tags",
                                                      "tags": " ".join(f"b{i}" for i in range(30))},
                             follow_redirects=True)
    assert resp.request.path == "/bookmarks/" and b"At most 50 tags" in resp.data  # said on the list
    with app.app_context():
        assert len(Bookmark.get_by_id(bid).tag_names) == 30


def test_bulk_adding_tags_up_to_the_limit_counts_tags_already_there_once(alice_client, app, users):
    bid = _bookmark_with_tags(app, users, [f"a{i}" for i in range(30)])
    more = " ".join([f"a{i}" for i in range(10)] + [f"b{i}" for i in range(20)])  # 10 known + 20 new = 50
    resp = alice_client.post("/bookmarks/bulk", data={"ids": [bid], "action": "add_tags", "tags": more})
    assert resp.status_code == 302
    with app.app_context():
        assert len(Bookmark.get_by_id(bid).tag_names) == MAX_TAGS
