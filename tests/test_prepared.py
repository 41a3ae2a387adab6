"""Prepared queries: SQL built once per engine, the same results as peewee building it each time."""
import pytest
from peewee import JOIN

from suite.auth.models import User
from suite.database import Prepared
from suite.extensions import db
from suite.wiki import pages
from suite.wiki.models import Page, Revision


def _peewee_current(key):
    return (Revision.select(Revision, Page, User).join(Page).switch(Revision).join(User, JOIN.LEFT_OUTER)
            .where((Page.key == key) & (Revision.number == Page.version)).first())


def test_a_prepared_join_gives_what_peewee_gives_for_every_value(app, users):
    with app.app_context():
        for title, text in (("Alpha", "one"), ("Beta", "two"), ("Beta", "three")):
            current = pages.find_page(title)
            pages.save_page(title, text, current.version if current else 0, users["alice"])
        for key in ("alpha", "beta", "gamma"):
            mine, theirs = pages.CURRENT_REVISION.first(key), _peewee_current(key)
            if theirs is None:
                assert mine is None
                continue
            assert (mine.id, mine.number, mine.content) == (theirs.id, theirs.number, theirs.content)
            assert mine.page.title == theirs.page.title and mine.page.version == theirs.page.version
            assert mine.author.username == theirs.author.username == "alice"


def test_the_sql_is_built_once_and_rerun_with_new_values(app, users):
    built = []

    def build(uid):
        built.append(uid)
        return User.select().where(User.id == uid).limit(1)

    by_id = Prepared(build)
    with app.app_context():
        assert by_id.first(users["alice"].id).username == "alice"
        assert by_id.first(users["bob"].id).username == "bob"
        assert by_id.first(10**6) is None
        assert [u.username for u in by_id.rows(users["admin"].id)] == ["admin"]
    assert len(built) == 1


def test_text_values_are_parameters_never_sql(app, users):
    by_name = Prepared(lambda name: User.select().where(User.username == name))
    with app.app_context():
        assert list(by_name.rows("alice' OR '1'='1")) == []
        assert [u.id for u in by_name.rows("bob")] == [users["bob"].id]


@pytest.mark.parametrize("build", [
    lambda key: Page.select().where(Page.key == key.lower()),          # changed before peewee saw it
    lambda key: Page.select().where(Page.key == key[:8]),              # cut short before peewee saw it
])
def test_a_value_that_is_not_a_plain_parameter_is_refused(app, build):
    with app.app_context(), pytest.raises(ValueError, match="not a plain parameter"):
        Prepared(build).first("Alpha")


def test_each_engine_gets_its_own_sql(app):
    by_id = Prepared(lambda uid: User.select().where(User.id == uid))
    with app.app_context():
        list(by_id.rows(1))
        assert list(by_id.built) == [type(db.obj)]
