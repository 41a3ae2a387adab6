"""Links between versions: a page links only to versions its reader may see, and reading it burns none."""
import datetime
import logging
import re
from types import SimpleNamespace

import pytest
from flask_login import AnonymousUserMixin
from peewee import chunked

from suite.auth.models import utcnow
from suite.extensions import db
from suite.pastebin import pastes
from suite.pastebin.models import Paste
from tests.pastebin.conftest import slug_of
from tests.test_list_indexes import assert_read_in_order, plan


def _form_paste(client, content, parent="", visibility="public", expires="never", title=""):
    resp = client.post("/paste/", data={"files-0-content": content, "files-0-lang": "text", "title": title,
                                        "visibility": visibility, "expires": expires, "parent": parent})
    assert resp.status_code in (201, 302), resp.get_data(as_text=True)
    if resp.status_code == 201:  # a burn paste: the page with its link
        return re.search(r'value="http://localhost/paste/([\w-]+)"', resp.get_data(as_text=True)).group(1)
    return slug_of(resp)


def _newer_versions(client, slug):
    return set(_newer_versions_listed(client, slug)[0])


def _newer_versions_listed(client, slug, **kwargs):
    """The slugs a paste's page links to as newer versions, in order, and the text after them."""
    page = client.get(f"/paste/{slug}", **kwargs).get_data(as_text=True)
    listed = re.search(r"Newer versions[^:]*:(.*?)</p>", page, re.S)
    if not listed:
        return [], ""
    return re.findall(r">([\w-]+)</a>", listed.group(1)), listed.group(1).rsplit("</a>", 1)[-1].strip()


def _forks(app, parent, count, owner=None, visibility="public"):
    """``count`` newer versions of ``parent`` written straight to the database a second apart, oldest first."""
    with app.app_context():
        parent_id, start = Paste.get(Paste.slug == parent).id, utcnow()
        rows = [{"slug": f"{visibility[:4]}{i:05d}", "parent": parent_id, "visibility": visibility,
                 "user": owner, "created_at": start + datetime.timedelta(seconds=i),
                 "updated_at": start} for i in range(count)]
        with db.atomic():
            for batch in chunked(rows, 200):
                Paste.insert_many(batch).execute()
    return [row["slug"] for row in rows]


def test_a_page_links_its_20_newest_versions_and_counts_the_others(alice_client, bob_client, client, app, users):
    parent = _form_paste(alice_client, "forked a lot\n")
    forks = _forks(app, parent, 25)
    hidden = _forks(app, parent, 3, owner=users["bob"].id, visibility="private")  # newer, bob's alone
    assert _newer_versions_listed(client, parent) == (forks[::-1][:20], "and 5 older")
    assert _newer_versions_listed(bob_client, parent) == ((hidden + forks)[::-1][:20], "and 8 older")


def test_the_older_versions_are_counted_up_to_1000(alice_client, client, app):
    parent = _form_paste(alice_client, "forked very often\n")
    forks = _forks(app, parent, 1_100)
    assert _newer_versions_listed(client, parent) == (forks[::-1][:20], "and over 1,000 older")
    with app.app_context():
        Paste.delete().where(Paste.slug.in_(forks[:80])).execute()  # behind the page cache's back
    rebuilt = _newer_versions_listed(client, parent, headers={"Cache-Control": "no-cache"})
    assert rebuilt == (forks[::-1][:20], "and 1,000 older")


def test_newer_versions_list_only_what_the_reader_may_see(alice_client, bob_client, client, get_paste):
    parent = _form_paste(alice_client, "alice's text\n")
    public = _form_paste(bob_client, "bob's public fork\n", parent)
    unlisted = _form_paste(bob_client, "bob's unlisted fork\n", parent, visibility="unlisted")
    burn = _form_paste(bob_client, "bob's burn fork\n", parent, visibility="unlisted", expires="burn")
    private = _form_paste(bob_client, "bob's private fork\n", parent, visibility="private")
    public_burn = _form_paste(bob_client, "bob's public burn fork\n", parent, expires="burn")

    assert _newer_versions(client, parent) == {public}
    assert _newer_versions(alice_client, parent) == {public}
    assert _newer_versions(bob_client, parent) == {public, unlisted, burn, private, public_burn}
    assert get_paste(burn) is not None and get_paste(public_burn) is not None  # nobody burned them


def test_a_private_parent_is_not_named_on_its_public_forks(alice_client, bob_client, client):
    parent = _form_paste(alice_client, "plans\n", title="Alice plans")
    child = _form_paste(bob_client, "fork\n", parent)
    assert "Alice plans" in client.get(f"/paste/{child}").get_data(as_text=True)
    alice_client.post(f"/paste/{parent}/edit", data={"title": "Alice SECRET plans", "visibility": "private",
                                                     "expires": "keep"})
    for reader in (client, bob_client):
        page = reader.get(f"/paste/{child}").get_data(as_text=True)
        assert "SECRET" not in page and parent not in page and "new version of" not in page
    page = alice_client.get(f"/paste/{child}").get_data(as_text=True)
    assert "Alice SECRET plans" in page and f"/paste/{parent}/diff/{child}" in page


def test_an_unlisted_parent_is_linked_for_its_owner_only(alice_client, bob_client, client):
    parent = _form_paste(alice_client, "shared by link\n", visibility="unlisted")
    child = _form_paste(bob_client, "public fork\n", parent)
    assert parent not in client.get(f"/paste/{child}").get_data(as_text=True)
    assert parent not in bob_client.get(f"/paste/{child}").get_data(as_text=True)
    assert parent in alice_client.get(f"/paste/{child}").get_data(as_text=True)


def test_the_api_names_a_parent_only_when_the_page_would(alice_client, bob_client, client, token):
    parent = _form_paste(alice_client, "plans\n")
    child = _form_paste(bob_client, "fork\n", parent)
    assert client.get(f"/api/v1/pastes/{child}").json["parent"] == parent
    alice_client.post(f"/paste/{parent}/edit", data={"title": "", "visibility": "private", "expires": "keep"})
    assert client.get(f"/api/v1/pastes/{child}").json["parent"] is None
    mine = client.get(f"/api/v1/pastes/{child}", headers={"Authorization": f"Bearer {token}"})
    assert mine.json["parent"] == parent


def _fork_text(client, parent):
    return client.post("/paste/", data={"files-0-content": "my long edited fork\n", "files-0-lang": "text",
                                        "parent": parent, "visibility": "public", "expires": "never"})


def _saved_without_parent(app, resp):
    assert resp.status_code == 302
    with app.app_context():
        fork = Paste.get(Paste.slug == slug_of(resp))
        assert fork.parent_id is None and fork.files[0].content == "my long edited fork\n"


def test_a_fork_whose_parent_was_deleted_meanwhile_is_saved_on_its_own(alice_client, bob_client, app):
    parent = _form_paste(alice_client, "original\n")
    assert bob_client.get(f"/paste/{parent}/fork").status_code == 200
    alice_client.post(f"/paste/{parent}/delete", data={})
    resp = _fork_text(bob_client, parent)
    _saved_without_parent(app, resp)
    assert "saved as a paste of its own" in bob_client.get(resp.headers["Location"]).get_data(as_text=True)


def test_a_fork_whose_parent_expired_meanwhile_is_saved_on_its_own(alice_client, bob_client, app):
    parent = _form_paste(alice_client, "original\n", expires="1h")
    with app.app_context():
        Paste.update(expires_at=utcnow() - datetime.timedelta(seconds=1)).where(Paste.slug == parent).execute()
    _saved_without_parent(app, _fork_text(bob_client, parent))


def test_a_fork_cannot_name_a_parent_its_author_may_not_see(alice_client, bob_client, app):
    private = _form_paste(alice_client, "mine\n", visibility="private")
    _saved_without_parent(app, _fork_text(bob_client, private))


def test_a_parent_field_that_names_no_paste_saves_a_paste_of_its_own(alice_client, app):
    """The hidden field is the browser's to send: a NUL in it reached PostgreSQL, which refused the query (a 500)."""
    for parent in ("ab\x00c", "no-such-paste", "x" * 40, "../../etc"):
        slug = _form_paste(alice_client, f"text under {parent!r}\n", parent)
        with app.app_context():
            assert Paste.get(Paste.slug == slug).parent_id is None


def test_a_new_version_sent_back_still_says_what_it_is_a_version_of(alice_client, bob_client):
    parent = _form_paste(alice_client, "alice's text\n", title="Original")
    secret = _form_paste(alice_client, "alice's secret\n", title="Secret plan", visibility="unlisted", expires="burn")
    for sent_back_by in ({"add_file": "1"}, {"visibility": "everyone"}):
        data = {"files-0-content": "bob's\n", "files-0-lang": "text", "title": "", "visibility": "public",
                "expires": "never", "parent": parent, **sent_back_by}
        assert "New version of" in bob_client.post("/paste/", data=data).get_data(as_text=True)
        page = bob_client.post("/paste/", data={**data, "parent": secret}).get_data(as_text=True)
        assert "Secret plan" not in page and "New version of" not in page  # a burn paste is not shown, nor burned
    assert alice_client.get(f"/paste/{secret}").status_code == 200


def test_someone_elses_burn_paste_named_by_the_form_is_no_parent_and_stays_unread(alice_client, bob_client, app,
                                                                                  get_paste):
    """The hidden field follows the fork page's rule (which refuses such a paste): saved on its own, unread."""
    burn = _form_paste(alice_client, "read me once\n", visibility="unlisted", expires="burn")
    resp = _fork_text(bob_client, burn)
    _saved_without_parent(app, resp)
    assert "saved as a paste of its own" in bob_client.get(resp.headers["Location"]).get_data(as_text=True)
    assert get_paste(burn).burn_after_reading  # still there, for its one reading
    mine = _fork_text(alice_client, burn)  # its owner's reads never burn it: their fork names it
    with app.app_context():
        assert Paste.get(Paste.slug == slug_of(mine)).parent_id == get_paste(burn).id


@pytest.mark.parametrize("newest", [False, True])
def test_a_parent_deleted_between_its_lookup_and_the_insert_leaves_the_fork_on_its_own(
        alice_client, bob_client, app, get_paste, parent_deleted_after_lookup, newest):
    """The foreign key refused the insert, which was retried as a slug collision and ended in a 500.

    When the parent was the newest paste, SQLite gave the fork its id: the fork named itself as its parent.
    """
    parent = _form_paste(alice_client, "original\n")
    if not newest:
        _form_paste(alice_client, "a later paste\n")
    resp = _fork_text(bob_client, parent)
    _saved_without_parent(app, resp)
    assert "saved as a paste of its own" in bob_client.get(resp.headers["Location"]).get_data(as_text=True)
    assert get_paste(parent) is None


def _many_forks(app, users):
    """3 pastes forked 1,000 times each (a sixth of the forks private to alice), then 3,000 newer pastes."""
    start = datetime.datetime(2026, 1, 1)
    with app.app_context():
        with db.atomic():
            Paste.insert_many([{"slug": f"parent{n}", "created_at": start, "updated_at": start}
                               for n in range(3)]).execute()
            parents = list(Paste.select().order_by(Paste.id))
            private = {"user": users["alice"].id, "visibility": "private"}
            forks = [{"slug": f"fork{n}x{i:04d}", "parent": parent.id, "updated_at": start,
                      "created_at": start + datetime.timedelta(minutes=i), **(private if i % 6 == 0 else {})}
                     for n, parent in enumerate(parents) for i in range(1000)]
            later = [{"slug": f"later{i:04d}", "created_at": start + datetime.timedelta(days=30, seconds=i),
                      "updated_at": start} for i in range(3000)]
            for batch in chunked(forks + later, 500):
                Paste.insert_many(batch).execute()
        db.execute_sql("ANALYZE")
    return parents


def _statement(sql, params):
    """A logged statement in the shape ``plan`` takes."""
    return SimpleNamespace(sql=lambda: (sql, params))


@pytest.mark.parametrize("reader", ["anonymous", "alice"])
def test_a_page_reads_its_newer_versions_from_an_index_in_order(app, users, caplog, reader):
    """The 20 newest forks and the count of up to 1,000 more are read from an index range on parent_id, in order.

    With only the foreign key's index on parent_id, the 20 newest were a walk through
    every newer paste in time order (or a sort of every fork). Planned are the
    statements shown_children runs, on each engine (index from migration 0030).
    """
    parents = _many_forks(app, users)
    with app.app_context():
        with caplog.at_level(logging.DEBUG, logger="peewee"):
            more = pastes.shown_children(parents[1], users["alice"] if reader == "alice" else AnonymousUserMixin()).more
        assert more > 0  # the count ran too
        statements = [record.msg for record in caplog.records if isinstance(record.msg, tuple)]
        assert len(statements) == 2, statements
        for sql, params in statements:
            assert_read_in_order(plan(_statement(sql, params)), "parent_id")
