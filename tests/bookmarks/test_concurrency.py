"""Several saves at the same moment: a new tag is created once and no save fails."""
from suite.bookmarks.models import Bookmark, Tag
from tests.bookmarks.conftest import at_the_same_moment


def test_concurrent_saves_with_the_same_new_tag_all_succeed(app, users):
    from suite.bookmarks.bookmarks import add_bookmark
    n = 6

    def save(i):
        for round_ in range(3):
            add_bookmark(users["alice"], f"https://example.com/{i}/{round_}", tags=f"fresh{round_} shared",
                         enqueue=False)

    errors = at_the_same_moment(app, n, save, timeout=30)
    assert errors == []
    with app.app_context():
        assert Bookmark.select().count() == n * 3
        assert sorted(t.name for t in Tag.select()) == ["fresh0", "fresh1", "fresh2", "shared"]


def test_concurrent_saves_of_one_url_give_one_bookmark(app, users):
    from suite.bookmarks.bookmarks import add_bookmark
    results = []

    def save(_i):
        bookmark, created = add_bookmark(users["alice"], "https://example.com/same", tags="t", enqueue=False)
        results.append((bookmark.id, created))

    errors = at_the_same_moment(app, 6, save, timeout=30)
    assert errors == [], errors
    assert len({r[0] for r in results}) == 1 and sum(1 for r in results if r[1]) == 1, results
