"""Deleting an account: nothing of it survives, and nothing of it passes to the next account."""
from suite.auth.models import ApiToken, User
from suite.database import is_postgres, migration_runner
from tests.conftest import PASSWORD, AuthActions


def _register(app, name):
    client = app.test_client()
    assert AuthActions(client).register(name).status_code == 302
    return client


def test_a_deleted_accounts_other_sessions_do_not_sign_in_the_next_account(app):
    alice = _register(app, "alice")
    phone = app.test_client()
    assert AuthActions(phone).login("alice").status_code == 302
    assert b"Hello, alice" in phone.get("/").data

    assert alice.post("/auth/account/delete", data={"password": PASSWORD}).status_code == 302
    _register(app, "mallory")

    assert b"Hello, mallory" not in phone.get("/").data
    assert phone.get("/auth/account").status_code == 302  # to the sign-in page


def test_a_session_belongs_to_its_account_even_when_the_id_is_handed_out_again(app):
    # Ids of accounts deleted before migration 0016 can come back (SQLite's counter starts at the
    # highest id left): the deleted account's cookie must not sign in as the account given its id.
    carol = _register(app, "carol")
    phone = app.test_client()
    assert AuthActions(phone).login("carol").status_code == 302
    with app.app_context():
        old = User.by_name("carol")
        User.delete().where(User.id == old.id).execute()  # deleted, and the id free again
        User.insert(id=old.id, username="mallory", name_key="mallory", password_hash=old.password_hash,
                    session_epoch=old.session_epoch).execute()
    for client in (carol, phone):
        assert b"Hello, mallory" not in client.get("/").data
        assert client.get("/auth/account").status_code == 302  # to the sign-in page


def test_a_new_account_never_gets_a_deleted_accounts_id(app):
    first = _register(app, "alice")
    with app.app_context():
        old_id = User.by_name("alice").id
    first.post("/auth/account/delete", data={"password": PASSWORD})
    _register(app, "mallory")
    with app.app_context():
        assert User.by_name("mallory").id > old_id


def test_a_deleted_accounts_items_leave_search(app):
    alice = _register(app, "alice")
    for visibility in ("public", "private"):
        alice.post("/paste/", data={"content": f"zebrafish diary {visibility}", "visibility": visibility})
    page = alice.get("/search?q=zebrafish").get_data(as_text=True)
    assert "diary private" in page and "diary public" in page

    alice.post("/auth/account/delete", data={"password": PASSWORD})
    mallory = _register(app, "mallory")

    for client in (app.test_client(), mallory):
        page = client.get("/search?q=zebrafish").get_data(as_text=True)
        assert "diary private" not in page and "diary public" not in page
    for client in (app.test_client(), mallory):
        assert "diary" not in client.get("/").get_data(as_text=True)


def test_the_rebuilt_user_table_keeps_accounts_tokens_and_cascades(app):
    """Migration 0016 (SQLite) rebuilds the user table; run it down and up again over live rows."""
    if is_postgres():
        return  # nothing to rebuild: PostgreSQL's sequences never reused ids (the tests above cover it)
    from suite.auth.accounts import create_token, create_user
    with app.app_context():
        runner = migration_runner()
        runner.down(target="0016_user_ids_never_reused")
        alice, bob = create_user("alice", PASSWORD), create_user("bob", PASSWORD)
        create_token(alice, "laptop")
        create_token(bob, "phone")
        runner.up()
        assert [u.username for u in User.select().order_by(User.id)] == ["alice", "bob"]
        assert {t.user.username for t in ApiToken.select()} == {"alice", "bob"}
        bob.delete_instance()
        assert [t.user.username for t in ApiToken.select()] == ["alice"]  # ON DELETE CASCADE still there
        assert create_user("carol", PASSWORD).id > bob.id


def test_a_deleted_accounts_highlighted_paste_text_does_not_stay_stored(app):
    from suite.pastebin.models import Highlight
    alice = _register(app, "alice")
    bob = _register(app, "bob")
    for client, text in ((alice, "def alice_private_plans(): pass\n"), (bob, "def bob_stays(): pass\n")):
        resp = client.post("/paste/", data={"files-0-content": text, "files-0-lang": "python",
                                            "visibility": "private", "expires": "never"})
        assert resp.status_code == 302
        assert client.get(resp.headers["Location"]).status_code == 200  # viewed: its highlighting is stored
    with app.app_context():
        assert Highlight.select().count() == 2
    assert alice.post("/auth/account/delete", data={"password": PASSWORD}).status_code == 302
    with app.app_context():
        kept = [h.html for h in Highlight.select()]
    assert len(kept) == 1 and "bob_stays" in kept[0]
