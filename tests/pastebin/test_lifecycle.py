"""Burn after reading, expiry and purge, owner edit and delete, versions and diffs."""
import datetime
import random
import re

import pytest

from suite.auth.models import utcnow
from suite.pastebin.models import Paste
from suite.pastebin.tasks import purge_expired_pastes
from suite.search.models import SearchDoc
from tests.pastebin.conftest import PY


def test_burned_paste_read_twice_is_404_the_second_time(client, paste_as, get_paste):
    slug = paste_as(client, "secret\n", expires="burn")
    first = client.post(f"/paste/{slug}", data={})
    assert first.status_code == 200 and "secret" in first.get_data(as_text=True)
    assert "deleted" in first.get_data(as_text=True)
    assert client.get(f"/paste/{slug}").status_code == 404
    assert client.post(f"/paste/{slug}", data={}).status_code == 404
    assert client.get(f"/paste/{slug}/raw").status_code == 404
    assert get_paste(slug) is None


def test_burn_paste_raw_read_also_burns(client, paste_as):
    slug = paste_as(client, "secret\n", expires="burn")
    assert client.get(f"/paste/{slug}/raw").get_data(as_text=True) == "secret\n"
    assert client.get(f"/paste/{slug}").status_code == 404


@pytest.mark.parametrize("wrong", ["/paste/{slug}/raw/2", "/api/v1/pastes/{slug}/raw/5"])
def test_a_raw_read_of_a_file_the_burn_paste_lacks_is_404_and_burns_nothing(client, paste_as, get_paste, wrong):
    slug = paste_as(client, "secret\n", expires="burn")
    resp = client.get(wrong.format(slug=slug))
    assert resp.status_code == 404 and "no file number" in resp.get_data(as_text=True)
    assert get_paste(slug) is not None
    assert client.get(f"/paste/{slug}/raw").get_data(as_text=True) == "secret\n"  # the right link still reads it
    assert get_paste(slug) is None


@pytest.mark.parametrize("suffix", ["", "/raw", "/raw/1", "/download"])
def test_a_head_request_does_not_burn_the_paste(client, paste_as, get_paste, suffix):
    slug = paste_as(client, "secret\n", expires="burn")
    head = client.head(f"/paste/{slug}{suffix}")
    assert head.status_code == 200 and head.data == b""
    assert get_paste(slug) is not None
    assert client.get(f"/paste/{slug}/raw").get_data(as_text=True) == "secret\n"  # the reader still gets it
    assert get_paste(slug) is None


@pytest.mark.parametrize("suffix", ["", "/raw"])
def test_a_head_request_to_the_api_does_not_burn_the_paste(client, paste_as, get_paste, suffix):
    slug = paste_as(client, "secret\n", expires="burn")
    assert client.head(f"/api/v1/pastes/{slug}{suffix}").status_code == 200
    assert get_paste(slug) is not None
    assert client.get(f"/api/v1/pastes/{slug}").json["files"][0]["content"] == "secret\n"
    assert get_paste(slug) is None


def test_no_shared_cache_may_keep_a_burned_paste(client, paste_as):
    slug = paste_as(client, "secret\n", expires="burn")
    assert client.get(f"/paste/{slug}/raw").headers["Cache-Control"] == "private, no-store"


def test_a_cache_asks_again_for_a_public_raw_each_time_so_a_deleted_paste_is_gone_at_once(
        alice_client, client, token):
    url = client.post("/paste/", data={"content": "public words\n"},
                      headers={"Authorization": f"Bearer {token}"}).get_data(as_text=True).strip()
    first = client.get(f"{url}/raw")
    assert first.headers["Cache-Control"] == "no-cache" and first.headers["ETag"]
    again = client.get(f"{url}/raw", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.get_data() == b""
    alice_client.post(f"{url}/delete", data={})
    assert client.get(f"{url}/raw", headers={"If-None-Match": first.headers["ETag"]}).status_code == 404


def test_owner_can_look_at_own_burn_paste_without_burning_it(alice_client, client, token, app):
    url = client.post("/paste/", data={"content": "s", "expires": "burn"},
                      headers={"Authorization": f"Bearer {token}"}).get_data(as_text=True).strip()
    assert alice_client.get(url).status_code == 200
    assert client.post(url, data={}).status_code == 200
    assert client.post(url, data={}).status_code == 404


def test_burn_paste_from_form_shows_link_without_reading_it(client, get_paste):
    resp = client.post("/paste/", data={"files-0-content": "x", "files-0-lang": "auto", "expires": "burn",
                                        "visibility": "public"})
    assert resp.status_code == 201 and b"burns after reading" in resp.data
    slug = re.search(r'value="http://localhost/paste/([\w-]+)"', resp.get_data(as_text=True)).group(1)
    assert get_paste(slug) is not None


def test_burned_paste_leaves_the_search_index(client, paste_as, app, get_paste):
    slug = paste_as(client, "unique words here\n", expires="burn")
    paste_id = get_paste(slug).id
    client.post(f"/paste/{slug}", data={})
    with app.app_context():
        assert SearchDoc.get_or_none(SearchDoc.kind == "paste", SearchDoc.item_id == str(paste_id)) is None


def _expire(app, slug):
    with app.app_context():
        Paste.update(expires_at=utcnow() - datetime.timedelta(seconds=1)).where(Paste.slug == slug).execute()


def test_expired_paste_stops_being_served_at_once(client, paste_as, app):
    # _expire moves the expiry, not the clock: read as a visitor with a session, whom the
    # page cache never serves (its copies for cookie-less readers end with the paste's life,
    # see tests/test_pagecache.py).
    client.get("/auth/login")
    assert "session" in {c.key for c in client._cookies.values()}
    slug = paste_as(client, PY, expires="10m")
    assert client.get(f"/paste/{slug}").status_code == 200
    _expire(app, slug)
    for suffix in ("", "/raw", "/download", "/embed"):
        assert client.get(f"/paste/{slug}{suffix}").status_code == 404


def test_periodic_task_purges_expired_pastes_and_their_index_entries(client, paste_as, app, get_paste):
    old, fresh = paste_as(client, PY, expires="1h"), paste_as(client, PY, expires="1w")
    old_id = get_paste(old).id
    _expire(app, old)
    with app.app_context():
        assert purge_expired_pastes.call_local() == 1
        assert SearchDoc.get_or_none(SearchDoc.item_id == str(old_id), SearchDoc.kind == "paste") is None
    assert get_paste(old) is None and get_paste(fresh) is not None


def test_owner_edits_title_visibility_and_expiry(alice_client, app, token):
    url = alice_client.post("/paste/", data={"content": PY},
                            headers={"Authorization": f"Bearer {token}"}).get_data(as_text=True).strip()
    slug = url.rsplit("/", 1)[1]
    resp = alice_client.post(f"/paste/{slug}/edit", data={"title": "New <b>title</b>",
                                                           "visibility": "private", "expires": "1d"})
    assert resp.status_code == 302
    with app.app_context():
        paste = Paste.get(Paste.slug == slug)
        assert (paste.title, paste.visibility) == ("New <b>title</b>", "private")
        assert paste.expires_at > utcnow()


def test_others_cannot_edit_or_delete(bob_client, client, token, app):
    url = client.post("/paste/", data={"content": PY},
                      headers={"Authorization": f"Bearer {token}"}).get_data(as_text=True).strip()
    slug = url.rsplit("/", 1)[1]
    assert bob_client.get(f"/paste/{slug}/edit").status_code == 404
    assert bob_client.post(f"/paste/{slug}/delete", data={}).status_code == 404
    with app.app_context():
        assert Paste.select().count() == 1


def test_owner_deletes_paste(alice_client, token, app):
    url = alice_client.post("/paste/", data={"content": PY},
                            headers={"Authorization": f"Bearer {token}"}).get_data(as_text=True).strip()
    resp = alice_client.post(url + "/delete", data={})
    assert resp.status_code == 302
    assert alice_client.get(url).status_code == 404
    with app.app_context():
        assert SearchDoc.select().where(SearchDoc.kind == "paste").count() == 0


def test_fork_prefills_form_and_saves_a_linked_version(client, paste_as, app):
    parent = paste_as(client, "a\nb\nc\n", lang="text")
    page = client.get(f"/paste/{parent}/fork").get_data(as_text=True)
    assert "a\nb\nc" in page and f'value="{parent}"' in page
    resp = client.post("/paste/", data={"files-0-content": "a\nB\nc\nd\n", "files-0-lang": "text",
                                        "parent": parent, "visibility": "public", "expires": "never"})
    child = resp.headers["Location"].rsplit("/", 1)[1]
    with app.app_context():
        assert Paste.get(Paste.slug == child).parent.slug == parent
    diff = client.get(f"/paste/{parent}/diff/{child}").get_data(as_text=True)
    assert '<span class="diff-del">' in diff and '<span class="diff-add">' in diff
    assert "B" in diff and client.get(f"/paste/{child}").get_data(as_text=True).count(parent) >= 1


def test_diff_of_big_look_alike_pastes_is_shown_replaced_not_lined_up_for_a_minute(client, paste_as):
    # 60,000 lines of 150 values each: difflib alone took about 20 s per view of this diff.
    rng = random.Random(7)
    old, new = ("\n".join(str(rng.randrange(150)) for _ in range(60_000)) + "\n" for _ in range(2))
    parent = paste_as(client, old, lang="text")
    child = paste_as(client, new, lang="text", parent=parent)
    resp = client.get(f"/paste/{parent}/diff/{child}")
    assert resp.status_code == 200
    page = resp.get_data(as_text=True)
    assert "too large and too alike to line up" in page and "only its first 20,000 lines are shown" in page


def test_diff_with_someone_elses_private_paste_is_404(client, paste_as, token):
    public = paste_as(client, "x\n")
    private = client.post("/paste/", data={"content": "y", "visibility": "private"},
                          headers={"Authorization": f"Bearer {token}"}).get_data(as_text=True).strip()
    assert client.get(f"/paste/{public}/diff/{private.rsplit('/', 1)[1]}").status_code == 404


def test_burned_paste_is_shown_highlighted_once_and_its_highlight_is_dropped(client, paste_as, app):
    from suite.pastebin.models import Highlight
    slug = paste_as(client, PY, lang="python", expires="burn")
    html = client.post(f"/paste/{slug}", data={}).get_data(as_text=True)
    assert '<span class="k">def</span>' in html
    with app.app_context():
        assert Highlight.select().count() == 0


def test_deleting_a_paste_keeps_highlights_other_pastes_share(alice_client, client, token, app):
    from suite.pastebin.models import Highlight
    headers = {"Authorization": f"Bearer {token}"}
    first = client.post("/paste/", data={"content": PY, "lang": "python"}, headers=headers).get_data(as_text=True)
    client.post("/paste/", data={"content": PY, "lang": "python"}, headers=headers)
    alice_client.post(first.strip() + "/delete", data={})
    with app.app_context():
        assert Highlight.select().count() == 1


def _form_paste(client, files, parent=""):
    data = {"parent": parent, "visibility": "public", "expires": "never"}
    for i, (name, content) in enumerate(files):
        data.update({f"files-{i}-name": name, f"files-{i}-content": content, f"files-{i}-lang": "text"})
    resp = client.post("/paste/", data=data)
    assert resp.status_code in (302, 303), resp.get_data(as_text=True)
    return resp.headers["Location"].rsplit("/", 1)[1]


def _diff_heads(client, old, new):
    page = client.get(f"/paste/{old}/diff/{new}").get_data(as_text=True)
    return [" ".join(h.split()) for h in re.findall(r'<header class="paste-file-head"><strong>(.*?)</strong>', page)]


def test_a_change_of_trailing_whitespace_alone_shows_it(client):
    old = _form_paste(client, [("", "x = 1\ny = 2\n")])
    new = _form_paste(client, [("", "x = 1\t \ny = 2\n")], parent=old)
    page = client.get(f"/paste/{old}/diff/{new}").get_data(as_text=True)
    assert "x = 1<span class=\"trailing-space\" title=\"trailing spaces and tabs\">→·</span>" in page


def test_diff_labels_a_removed_or_added_file_as_such(client):
    both = _form_paste(client, [("", "a\n"), ("README.md", "hello\n")])
    one = _form_paste(client, [("", "a\nb\n")], parent=both)
    assert _diff_heads(client, both, one) == ["File 1 → File 1", "README.md → (removed)"]
    assert _diff_heads(client, one, both) == ["File 1 → File 1", "(added) → README.md"]


def test_diff_pairs_files_by_name_so_a_file_added_in_front_changes_no_other(client):
    app_py, requirements = ("app.py", "def main():\n    return 1\n"), ("requirements.txt", "flask\nrequests\n")
    old = _form_paste(client, [app_py, requirements])
    new = _form_paste(client, [("README.md", "# App\n"), app_py, requirements], parent=old)
    assert _diff_heads(client, old, new) == [
        "(added) → README.md", "app.py → app.py", "requirements.txt → requirements.txt"]
    assert client.get(f"/paste/{old}/diff/{new}").get_data(as_text=True).count("No changes.") == 2


def test_diff_pairs_reordered_files_by_name_and_unnamed_files_in_their_order(client):
    old = _form_paste(client, [("", "one\n"), ("a.txt", "a\n"), ("gone.txt", "x\n"), ("", "two\n")])
    new = _form_paste(client, [("a.txt", "a\n"), ("", "one\n"), ("", "two\n")], parent=old)
    assert _diff_heads(client, old, new) == [
        "a.txt → a.txt", "File 1 → File 2", "gone.txt → (removed)", "File 4 → File 3"]
    assert client.get(f"/paste/{old}/diff/{new}").get_data(as_text=True).count("No changes.") == 3


def test_a_burn_paste_nobody_reads_is_gone_after_a_week(client, paste_as, get_paste, app):
    """It used to wait for its reader for ever (PrivateBin's burn comes with an expiry too)."""
    slug = paste_as(client, "secret\n", expires="burn")
    life = get_paste(slug).expires_at - utcnow()
    assert datetime.timedelta(days=6, hours=23) < life <= datetime.timedelta(weeks=1)
    with app.app_context():
        Paste.update(expires_at=utcnow() - datetime.timedelta(seconds=1)).where(Paste.slug == slug).execute()
    assert client.get(f"/paste/{slug}/raw").status_code == 404


def test_a_private_burn_paste_is_refused_as_it_could_never_burn(alice_client, token, app):
    """Only its owner may read a private paste, and the owner's reads never burn it."""
    bearer = {"Authorization": f"Bearer {token}"}
    resp = alice_client.post("/paste/", data={"content": "s", "visibility": "private", "expires": "burn"},
                             headers=bearer)
    assert resp.status_code == 400 and "unlisted" in resp.get_data(as_text=True)
    slug = alice_client.post("/paste/", data={"content": "s", "visibility": "unlisted", "expires": "burn"},
                             headers=bearer).get_data(as_text=True).strip().rsplit("/", 1)[1]
    resp = alice_client.post(f"/paste/{slug}/edit", data={"title": "", "visibility": "private", "expires": "keep"})
    assert resp.status_code == 400 and "unlisted" in resp.get_data(as_text=True)
    with app.app_context():
        assert Paste.get(Paste.slug == slug).visibility == "unlisted"
