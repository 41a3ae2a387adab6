"""Prepared queries: SQL built once per engine, the same results as peewee building it each time."""
import pytest
from peewee import JOIN

from suite.auth.models import User
from suite.database import Prepared, ids_param, in_ids
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


@pytest.mark.parametrize("sort", ["date", "old", "title"])
def test_the_prepared_bookmark_pages_list_what_the_built_query_lists(app, users, sort):
    from suite.bookmarks import bookmarks as svc
    alice = users["alice"]
    with app.app_context():
        for i, title in enumerate(["b", "A", "c", "a", "B"]):
            svc.add_bookmark(alice, f"https://example.org/{i}", title=title, tags=f"t{i % 2} all")
        svc.add_bookmark(users["bob"], "https://example.org/bob", title="not alice's")
        for page in (1, 2, 3):
            f = svc.Filters(sort=sort, page=page, per_page=2)
            prepared = [b.id for b in svc.list_bookmarks(alice, f).bookmarks]
            built = [b.id for b in svc._base_query(alice, f, svc.LIST_COLUMNS).order_by(*svc.ORDERS[sort])
                     .paginate(page, 2)]
            assert prepared == built and len(prepared) == (2 if page < 3 else 1)
        listed = svc.list_bookmarks(alice, svc.Filters(sort=sort, per_page=50)).bookmarks
        assert sorted(b.tag_names for b in listed) == sorted([["all", f"t{i % 2}"] for i in range(5)])


def test_many_ids_travel_as_one_parameter(app, users):
    by_ids = Prepared(lambda ids: User.select(User.username).where(User.id.in_(in_ids(ids))).order_by(User.id).tuples())
    with app.app_context():
        everyone = [users[n].id for n in ("admin", "alice", "bob")]
        for ids in ([], everyone[1:2], everyone, everyone + [10**6]):
            assert [u for (u,) in by_ids.rows(ids_param(ids))] == [u.username for u in
                                                                   User.select().where(User.id.in_(ids or [0]))]
