"""SUITE_WIKI_READ / SUITE_WIKI_WRITE and protected pages."""
import re

import pytest

from suite.auth.accounts import create_user
from suite.wiki.models import Page
from tests.conftest import PASSWORD
from tests.wiki.conftest import WikiActions


def signed_in(app, name, admin=False):
    with app.app_context():
        user = create_user(name, PASSWORD, is_admin=admin)
    client = app.test_client()
    from tests.conftest import sign_in
    sign_in(client, user)
    return client


def test_anonymous_may_read_by_default(wiki, client):
    wiki.save("Open", "public text")
    assert b"public text" in client.get("/wiki/Open").data


def test_read_users_sends_anonymous_to_sign_in(make_app):
    app = make_app(WIKI_READ="users")
    WikiActions(signed_in(app, "writer")).save("Closed", "members only")
    resp = app.test_client().get("/wiki/Closed")
    assert resp.status_code == 302 and "/auth/login" in resp.headers["Location"]
    assert app.test_client().get("/wiki/recent.atom").status_code in (302, 401)


def test_read_users_lets_members_read(make_app):
    app = make_app(WIKI_READ="users")
    client = signed_in(app, "writer")
    WikiActions(client).save("Closed", "members only")
    assert b"members only" in client.get("/wiki/Closed").data


def test_write_admins_forbids_plain_users(make_app):
    app = make_app(WIKI_WRITE="admins")
    signed_in(app, "boss", admin=True)
    resp = WikiActions(signed_in(app, "pleb")).save("Page", "text", base=0)
    assert resp.status_code == 403
    with app.app_context():
        assert Page.select().count() == 0


def test_write_admins_lets_admins_edit(make_app):
    app = make_app(WIKI_WRITE="admins")
    assert WikiActions(signed_in(app, "boss", admin=True)).save("Page", "text").status_code == 302


def test_admin_protects_page_and_users_cannot_edit_it(wiki, admin_client, bob_wiki, app):
    wiki.save("Policy", "rules")
    assert admin_client.post("/wiki/Policy/protect", data={"protected": "1"}).status_code == 302
    assert bob_wiki.save("Policy", "my rules", base=1).status_code == 403
    assert bob_wiki.client.get("/wiki/Policy/edit").status_code == 403
    with app.app_context():
        assert Page.get(Page.key == "policy").version == 1


def test_admin_may_still_edit_protected_page(wiki, admin_client, app):
    wiki.save("Policy", "rules")
    admin_client.post("/wiki/Policy/protect", data={"protected": "1"})
    assert WikiActions(admin_client).save("Policy", "new rules").status_code == 302


def test_non_admin_cannot_protect(wiki, bob_client, app):
    wiki.save("Policy", "rules")
    assert bob_client.post("/wiki/Policy/protect", data={"protected": "1"}).status_code == 403
    with app.app_context():
        assert not Page.get(Page.key == "policy").protected


@pytest.mark.parametrize("path", ["/wiki/Policy/rename", "/wiki/Policy/revert"])
def test_protected_page_cannot_be_renamed_or_reverted_by_users(wiki, admin_client, bob_client, path):
    wiki.save("Policy", "rules")
    wiki.save("Policy", "rules v2")
    admin_client.post("/wiki/Policy/protect", data={"protected": "1"})
    assert bob_client.post(path, data={"new_title": "Elsewhere", "rev": 1}).status_code == 403


def test_edit_without_csrf_token_is_refused(wiki, alice_client, app):
    resp = alice_client.post("/wiki/Page/edit", data={"content": "x", "base_revision": 0, "save": "Save"},
                             csrf=False)
    assert resp.status_code == 400
    with app.app_context():
        assert Page.select().count() == 0


def save_then_kept_text(wiki, opened, status):
    """Save "my long careful edit" from an editor opened before; the refusal shows that text, read-only."""
    resp = wiki.client.post("/wiki/Plan/edit", data={**opened, "content": "my long careful edit",
                                                     "message": "", "save": "Save"})
    assert resp.status_code == status
    shown = resp.data.decode()
    assert re.search(r'<textarea id="kept-text"[^>]*readonly[^>]*>\s*my long careful edit</textarea>', shown)
    return shown


def test_page_protected_while_editing_refuses_the_save_and_shows_the_text_back(wiki, admin_client, app):
    wiki.save("Plan", "old text")
    opened = wiki.editor("Plan")
    admin_client.post("/wiki/Plan/protect", data={"protected": "1"})
    shown = save_then_kept_text(wiki, opened, 403)
    assert "protected" in shown and "Nothing was saved." in shown
    assert b"old text" in wiki.client.get("/wiki/Plan").data


def test_save_after_the_session_ended_shows_the_text_with_a_sign_in_link(wiki, app):
    wiki.save("Plan", "old text")
    opened = wiki.editor("Plan")
    with wiki.client.session_transaction() as sess:  # signed out elsewhere; the form's CSRF token still holds
        sess.pop("_user_id")
    shown = save_then_kept_text(wiki, opened, 401)
    assert "no longer signed in" in shown and "/auth/login?next=" in shown


def test_signed_out_save_without_a_valid_csrf_token_is_still_refused(wiki, client):
    resp = client.post("/wiki/Plan/edit", data={"content": "forged text", "base_revision": 0, "save": "Save"},
                       csrf=False)
    assert resp.status_code == 400 and b"forged text" not in resp.data


@pytest.mark.parametrize("protected", ["1", "0"])
def test_protecting_a_page_shows_to_anonymous_readers_at_once(wiki, admin_client, app, protected):
    """The page cache keeps pages for anonymous readers: protecting (or lifting it) must end those."""
    wiki.save("Rules", "be nice")
    if protected == "0":
        admin_client.post("/wiki/Rules/protect", data={"protected": "1"})
    reader = app.test_client()
    reader.get("/wiki/Rules")
    assert reader.get("/wiki/Rules").headers.get("X-Cache") == "hit"  # kept for readers
    admin_client.post("/wiki/Rules/protect", data={"protected": protected})
    assert (b"protected</span>" in reader.get("/wiki/Rules").data) == (protected == "1")
