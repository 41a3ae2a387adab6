"""Tag counts are kept on each tag row by the database, in the transaction of every write.

The tags page, the API's tag list, the public page and the list's tag sidebar read these
counts instead of counting taggings; whatever changes taggings or privacy keeps them right.
"""
from peewee import Case, fn

from suite.auth.accounts import delete_account
from suite.bookmarks import bookmarks as svc
from suite.bookmarks.importer import import_entries
from suite.bookmarks.models import Bookmark, BookmarkTag, Tag
from suite.bookmarks.netscape import parse
from suite.extensions import db
from tests.bookmarks.conftest import at_the_same_moment
from tests.conftest import PASSWORD


def stored(user):
    """{tag: (bookmarks, public bookmarks)} as kept on the tag rows (tags with no bookmark left out)."""
    return {t.name: (t.bookmark_count, t.public_count) for t in Tag.select().where(Tag.owner == user.id)
            if t.bookmark_count or t.public_count}


def counted(user):
    """The same, counted from the taggings."""
    rows = (Tag.select(Tag.name, fn.COUNT(BookmarkTag.id), fn.SUM(Case(None, [(Bookmark.is_private, 0)], 1)))
            .join(BookmarkTag).join(Bookmark).where(Tag.owner == user.id).group_by(Tag.name).tuples())
    return {name: (n, int(public or 0)) for name, n, public in rows}


def same(user):
    assert stored(user) == counted(user)
    return stored(user)


def add(user, url, tags, private=True):
    return svc.add_bookmark(user, url, tags=tags, is_private=private, enqueue=False)[0]


def test_adding_and_retagging_counts_each_tag(app, users):
    alice = users["alice"]
    with app.app_context():
        a = add(alice, "https://a.example/", "x y")
        add(alice, "https://b.example/", "x", private=False)
        assert same(alice) == {"x": (2, 1), "y": (1, 0)}
        svc.update_bookmark(a, tags="y z")
        assert same(alice) == {"x": (1, 1), "y": (1, 0), "z": (1, 0)}


def test_privacy_changes_move_the_public_counts(app, users):
    alice = users["alice"]
    with app.app_context():
        a = add(alice, "https://a.example/", "x y")
        b = add(alice, "https://b.example/", "x")
        svc.update_bookmark(a, is_private=False)
        assert same(alice) == {"x": (2, 1), "y": (1, 1)}
        svc.update_bookmark(a, is_private=False, title="saved again, still public")
        assert same(alice) == {"x": (2, 1), "y": (1, 1)}
        svc.bulk_edit(alice, [a.id, b.id], "make_public")
        assert same(alice) == {"x": (2, 2), "y": (1, 1)}
        svc.bulk_edit(alice, [a.id], "make_private")
        assert same(alice) == {"x": (2, 1), "y": (1, 0)}


def test_deleting_bookmarks_one_or_in_bulk_uncounts_them(app, users):
    alice = users["alice"]
    with app.app_context():
        a = add(alice, "https://a.example/", "x y", private=False)
        b = add(alice, "https://b.example/", "x")
        c = add(alice, "https://c.example/", "x y", private=False)
        svc.delete_bookmark(a)
        assert same(alice) == {"x": (2, 1), "y": (1, 1)}
        svc.bulk_edit(alice, [b.id, c.id], "delete")
        assert same(alice) == {}
        assert BookmarkTag.select().count() == 0


def test_bulk_tag_edits_and_renames_keep_counts(app, users):
    alice = users["alice"]
    with app.app_context():
        ids = [add(alice, f"https://{n}.example/", "x", private=n == "a").id for n in "abc"]
        svc.bulk_edit(alice, ids[:2], "add_tags", "y z")
        assert same(alice) == {"x": (3, 2), "y": (2, 1), "z": (2, 1)}
        svc.bulk_edit(alice, ids, "remove_tags", "x z")
        assert same(alice) == {"y": (2, 1)}
        svc.rename_tag(alice, "y", "w")
        assert same(alice) == {"w": (2, 1)}
        svc.bulk_edit(alice, ids[1:], "add_tags", "v")
        svc.rename_tag(alice, "v", "w")  # a merge: bookmark b had both
        assert same(alice) == {"w": (3, 2)}


def test_imports_count_their_tags(app, users):
    alice = users["alice"]
    html = "".join(f'<DT><A HREF="https://{n}.example/" TAGS="imp,{n}" PRIVATE="{int(n == "a")}">{n}</A>\n'
                   for n in "abc")
    with app.app_context():
        import_entries(alice, parse(f"<DL><p>\n{html}</DL>"), private_default=False)
        assert same(alice) == {"imp": (3, 2), "a": (1, 0), "b": (1, 1), "c": (1, 1)}


def test_raw_sql_writes_and_a_rolled_back_one_keep_counts(app, users):
    alice = users["alice"]
    with app.app_context():
        a = add(alice, "https://a.example/", "x", private=False)
        y = Tag.create(owner=alice.id, name="y")
        BookmarkTag.insert(bookmark=a.id, tag=y.id).execute()
        assert same(alice) == {"x": (1, 1), "y": (1, 1)}
        try:
            with db.atomic():
                Bookmark.delete().where(Bookmark.id == a.id).execute()
                assert stored(alice) == {}
                raise RuntimeError("roll back")
        except RuntimeError:
            pass
        assert same(alice) == {"x": (1, 1), "y": (1, 1)}


def test_counts_are_per_user_and_go_with_the_account(app, users):
    alice, bob = users["alice"], users["bob"]
    with app.app_context():
        add(alice, "https://a.example/", "x")
        add(bob, "https://a.example/", "x", private=False)
        assert same(alice) == {"x": (1, 0)} and same(bob) == {"x": (1, 1)}
        delete_account(alice, PASSWORD)
        assert same(bob) == {"x": (1, 1)}
        assert Tag.select().where(Tag.owner == alice.id).count() == 0


def test_the_sidebar_shows_the_most_used_tags_a_to_z_and_says_how_many_more(app, users, alice_client):
    """Cut at 200 A–Z, it showed archive000…archive199 and never work or python, with no sign of more."""
    alice = users["alice"]
    with app.app_context():
        add(alice, "https://a.example/", "work python")
        add(alice, "https://b.example/", "work python")
        add(alice, "https://c.example/", " ".join(f"archive{n:03}" for n in range(5)))
        cloud = svc.tags_in_use(alice, limit=4)
    assert cloud.names == ["archive000", "archive001", "python", "work"] and cloud.more == 3
    html = alice_client.get("/bookmarks/").get_data(as_text=True)
    assert ">work</a>" in html and ">python</a>" in html and "0 less used" not in html


def test_tag_lists_read_the_counts(app, users, alice_client, token):
    alice = users["alice"]
    with app.app_context():
        add(alice, "https://a.example/", "x y", private=False)
        add(alice, "https://b.example/", "x")
        Tag.create(owner=alice.id, name="unused")
        assert svc.tag_counts(alice) == [("x", 2), ("y", 1)]
        assert svc.tag_counts(alice, public_only=True) == [("x", 1), ("y", 1)]
        assert svc.tags_in_use(alice).names == ["x", "y"]
    api = alice_client.application.test_client().get("/api/v1/bookmarks/tags",
                                                     headers={"Authorization": f"Bearer {token}"})
    assert api.get_json()["items"] == [{"name": "x", "count": 2}, {"name": "y", "count": 1}]


def test_concurrent_saves_tagging_in_opposite_orders_all_succeed_and_count(app, users):
    """The count triggers lock tag rows; saves take them in one order, so none deadlocks (PostgreSQL)."""
    alice, n = users["alice"], 6
    with app.app_context():
        add(alice, "https://seed.example/", "a b c d")  # the tags exist already: every save updates their rows

    def save(i):
        for round_ in range(4):
            add(alice, f"https://example.com/{i}/{round_}", "d c b a" if i % 2 else "a b c d", private=i % 3 == 0)

    errors = at_the_same_moment(app, n, save)
    assert errors == []
    with app.app_context():
        assert same(alice) == {t: (1 + n * 4, 4 * 4) for t in "abcd"}
