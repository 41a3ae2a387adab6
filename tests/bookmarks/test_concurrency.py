"""Several saves at the same moment: a new tag is created once and no save fails."""
import threading

from suite.bookmarks.models import Bookmark, Tag
from suite.extensions import db


def test_concurrent_saves_with_the_same_new_tag_all_succeed(app, users):
    from suite.bookmarks.bookmarks import add_bookmark
    n, errors = 6, []
    barrier = threading.Barrier(n)

    def save(i):
        with app.app_context():
            db.connect(reuse_if_open=True)
            try:
                barrier.wait()
                for round_ in range(3):
                    add_bookmark(users["alice"], f"https://example.com/{i}/{round_}", tags=f"fresh{round_} shared",
                                 enqueue=False)
            except Exception as err:  # recorded, so the test shows what failed
                errors.append(repr(err))
            finally:
                db.close()

    threads = [threading.Thread(target=save, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert errors == []
    with app.app_context():
        assert Bookmark.select().count() == n * 3
        assert sorted(t.name for t in Tag.select()) == ["fresh0", "fresh1", "fresh2", "shared"]


def test_concurrent_saves_of_one_url_give_one_bookmark(app, users):
    from suite.bookmarks.bookmarks import add_bookmark
    n, results = 6, []
    barrier = threading.Barrier(n)

    def save():
        with app.app_context():
            db.connect(reuse_if_open=True)
            try:
                barrier.wait()
                bookmark, created = add_bookmark(users["alice"], "https://example.com/same", tags="t", enqueue=False)
                results.append((bookmark.id, created))
            except Exception as err:
                results.append(repr(err))
            finally:
                db.close()

    threads = [threading.Thread(target=save) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert len({r[0] for r in results}) == 1 and sum(1 for r in results if r[1]) == 1, results
