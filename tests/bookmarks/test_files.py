"""Picture files (thumbnails, favicons) go with the last bookmark using them, and are no longer served.

Files are named by their content, so bookmarks with the same picture share a file. A file
written or reused in the last minutes is always kept: it may be going to a bookmark
whose row is not committed yet.
"""
import os
import time

from suite.bookmarks import files, thumbnails
from suite.bookmarks.models import Bookmark
from tests.bookmarks.conftest import add
from tests.conftest import PASSWORD


def _pictures(app, url):
    with app.app_context():
        b = Bookmark.get(Bookmark.url == url)
        return b.id, files.files_of([b])


def _thumbs(app):
    return set(os.listdir(os.path.join(app.config["MEDIA_PATH"], "thumbs")))


def _made_an_hour_ago(app):
    """Every file of the thumbs folder as if written an hour ago (bookmarks saved a while back)."""
    folder = os.path.join(app.config["MEDIA_PATH"], "thumbs")
    then = time.time() - 3600
    for name in os.listdir(folder):
        os.utime(os.path.join(folder, name), (then, then))


def _served(client, names):
    return {name: client.get(f"/bookmarks/thumbs/{name}").status_code for name in names}


def test_deleting_bookmarks_deletes_the_pictures_no_other_bookmark_uses(open_client, open_app, site):
    # two pages with the same og:image and icon share their files; a page without one gets its own card
    for path in ("/article", "/?same-picture", "/plain", "/latin1"):
        add(open_client, site.url + path)
    article, shared = _pictures(open_app, f"{site.url}/article")
    same_id, same = _pictures(open_app, f"{site.url}/?same-picture")
    plain_id, plain = _pictures(open_app, f"{site.url}/plain")
    latin_id, latin = _pictures(open_app, f"{site.url}/latin1")
    assert len(shared) == 3 and shared == same and not shared & plain and not plain & latin  # small, large, icon
    _made_an_hour_ago(open_app)

    assert open_client.post(f"/bookmarks/{plain_id}/delete", data={}).status_code == 302
    assert open_client.post("/bookmarks/bulk", data={"ids": [latin_id], "action": "delete"}).status_code == 302
    assert open_client.post(f"/bookmarks/{article}/delete", data={}).status_code == 302
    assert set(_served(open_client, plain | latin).values()) == {404}
    assert set(_served(open_client, shared).values()) == {200}  # the other page still shows them
    assert _thumbs(open_app) == shared

    assert open_client.post(f"/bookmarks/{same_id}/delete", data={}).status_code == 302
    assert _thumbs(open_app) == set()


def test_the_sweep_deletes_the_pictures_of_deleted_accounts(open_client, open_app, site):
    from suite.auth.accounts import delete_account
    from suite.auth.models import User
    from suite.bookmarks.tasks import sweep_files_task
    add(open_client, f"{site.url}/article")
    _id, pictures = _pictures(open_app, f"{site.url}/article")
    _made_an_hour_ago(open_app)
    with open_app.app_context():
        delete_account(User.by_name("alice"), PASSWORD)  # the rows go by cascade, the files stay
    assert set(_served(open_client, pictures).values()) == {200}
    with open_app.app_context():
        sweep_files_task.call_local()
    assert set(_served(open_client, pictures).values()) == {404}
    assert _thumbs(open_app) == set()


def test_the_sweep_keeps_pictures_in_use_and_those_written_lately(open_client, open_app, site):
    add(open_client, f"{site.url}/article")
    _id, in_use = _pictures(open_app, f"{site.url}/article")
    media = open_app.config["MEDIA_PATH"]
    card = thumbnails.draw_card("reused.example", "Reused")
    reused = set(thumbnails.make_thumbnails(media, card))  # no bookmark uses them any more
    leftover = thumbnails.save_file(media, b"a picture nobody uses", "-s.webp")
    _made_an_hour_ago(open_app)
    assert set(thumbnails.make_thumbnails(media, card)) == reused  # now going to a bookmark being saved
    just_written = thumbnails.save_file(media, b"a picture for a row not committed yet", "-s.webp")
    with open_app.app_context():
        assert files.sweep() == 1
    assert _thumbs(open_app) == in_use | reused | {just_written}
    assert open_client.get(f"/bookmarks/thumbs/{leftover}").status_code == 404
