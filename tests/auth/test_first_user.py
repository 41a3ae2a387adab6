"""The first account becomes the administrator: one, even when several sign up at the same moment."""
import threading

from suite.auth.accounts import create_user
from suite.auth.models import User
from suite.database import one_at_a_time
from suite.extensions import db
from tests.conftest import PASSWORD


def test_a_sign_up_racing_the_first_one_waits_for_it_and_is_not_an_admin(app):
    """While the first sign-up's transaction is open, a second waits, then sees that user: one admin.

    Without the wait, PostgreSQL's second transaction does not see the first's uncommitted row and
    makes a second administrator (four of four sign-ups sent at once did in the review).
    """
    holding, release, second = threading.Event(), threading.Event(), {}

    def first_sign_up():
        with app.app_context(), db.atomic():
            one_at_a_time("first user")
            User.create(username="first", name_key="first", password_hash="x", is_admin=True)
            holding.set()
            release.wait(10)

    def second_sign_up():
        holding.wait(10)
        with app.app_context():
            second["user"] = create_user("second", PASSWORD)

    threads = [threading.Thread(target=first_sign_up), threading.Thread(target=second_sign_up)]
    for thread in threads:
        thread.start()
    threads[1].join(1.0)
    assert "user" not in second  # waiting for the first transaction
    release.set()
    for thread in threads:
        thread.join(15)
    assert second["user"].is_admin is False
    with app.app_context():
        assert [u.username for u in User.select().where(User.is_admin)] == ["first"]
