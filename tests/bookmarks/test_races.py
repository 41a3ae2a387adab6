"""One user's writes at the same moment (another tab, the API, an extension): each one succeeds
or gets a clear refusal, never a 500, and the tags and their counts end right.

Each round releases its writers together (``at_the_same_moment``, one connection each), and
each test plays several rounds, so the unlucky interleaving is met. On PostgreSQL these raced
to unique-index errors and deadlocks; SQLite runs write transactions one at a time, but checked
a new URL before its transaction.
"""
from contextlib import suppress

import pytest

from suite.bookmarks import bookmarks as svc
from suite.bookmarks.models import Bookmark
from suite.errors import InvalidInput, NotFound
from tests.bookmarks.conftest import at_the_same_moment
from tests.bookmarks.test_tag_counts import add, same

ROUNDS = 10


@pytest.fixture
def app(make_app):
    """The queue keeps the fetch of a changed URL: nothing fetches the made-up addresses."""
    return make_app(TASKS_IMMEDIATE=False)


def tags_by_bookmark(ids):
    return {b.id: set(svc.tags_of(b)) for b in Bookmark.select().where(Bookmark.id.in_(ids))}


def test_renaming_a_tag_while_bookmarks_are_tagged_merges_them_all(app, users):
    for round_ in range(ROUNDS):
        rename_while_tagging(app, users["alice"], round_)


def rename_while_tagging(app, alice, round_):
    """A rename (a merge once the new name exists), a new bookmark with the new name and edits
    giving the renamed tag's bookmarks both names, at once: every bookmark ends with the new name."""
    old, new = f"old{round_}", f"new{round_}"
    with app.app_context():
        ids = [add(alice, f"https://example.com/{round_}/{n}", old).id for n in range(3)]
    renamed, added = [], []

    def write(i):
        if i == 0:
            renamed.append(svc.rename_tag(alice, old, new))
        elif i == 1:
            added.append(add(alice, f"https://example.com/{round_}/new", new).id)
        else:
            svc.update_bookmark(Bookmark.get_by_id(ids[i % 3]), tags=f"{old} {new}")

    errors = at_the_same_moment(app, 5, write)
    assert errors == [], f"round {round_}: {errors}"
    assert renamed == [3]
    with app.app_context():
        tags = tags_by_bookmark(ids + added)
        assert all(new in names and names <= {old, new} for names in tags.values()), tags
        same(alice)


def test_moving_a_bookmark_to_an_address_saved_at_that_moment_names_the_other_bookmark(app, users):
    for round_ in range(ROUNDS):
        move_while_saving(app, users["alice"], round_)


def move_while_saving(app, alice, round_, pairs=3):
    """The edit form saves bookmark A with URL U while the API saves U: one bookmark of U, and an
    edit that came second is told which bookmark has U (the form's message, a 400 from the API)."""
    with app.app_context():
        moved = [add(alice, f"https://example.com/{round_}/{k}", "") for k in range(pairs)]
    targets = [f"https://example.org/{round_}/{k}" for k in range(pairs)]
    refused = {}

    def write(i):
        k = i // 2
        if i % 2:
            add(alice, targets[k], "")
            return
        try:
            svc.update_bookmark(moved[k], url=targets[k])
        except InvalidInput as err:
            refused[k] = str(err)

    errors = at_the_same_moment(app, 2 * pairs, write)
    assert errors == [], f"round {round_}: {errors}"
    with app.app_context():
        for k, target in enumerate(targets):
            (holder,) = Bookmark.select().where(Bookmark.owner == alice.id, Bookmark.url == target)
            if k in refused:
                assert holder.id != moved[k].id
                assert refused[k] == f"You already saved {target} (bookmark #{holder.id})."
                assert Bookmark.get_by_id(moved[k].id).url == f"https://example.com/{round_}/{k}"
            else:
                assert holder.id == moved[k].id


BULK = {"add_tags": lambda names: names | {"team", "later"}, "remove_tags": lambda names: names - {"team", "later"},
        "make_private": lambda names: names, "make_public": lambda names: names}


def test_a_bulk_action_while_bookmarks_of_the_selection_are_edited(app, users):
    alice = users["alice"]
    with app.app_context():
        ids = [add(alice, f"https://example.com/{n}", "a b c", private=False).id for n in range(10)]
    for round_ in range(3 * len(BULK)):
        bulk_while_editing(app, alice, ids, round_)


def bulk_while_editing(app, alice, ids, round_):
    """Tags added or removed, or the selection made private or public, while three of its bookmarks
    get new tags and the other privacy elsewhere: each edit lands whole, before or after the bulk action."""
    action = list(BULK)[round_ % len(BULK)]
    private = {"make_private": False, "make_public": True}.get(action, round_ % 2 == 0)
    edits = {ids[i]: set(names) for i, names in
             enumerate((["a", "b"], ["team", "x", "c"], ["later", "b", "x", "team"]), start=1)}

    def write(i):
        if i == 0:
            svc.bulk_edit(alice, ids, action, "team later")
        else:
            svc.update_bookmark(Bookmark.get_by_id(ids[i]), tags=" ".join(sorted(edits[ids[i]])), is_private=private)

    errors = at_the_same_moment(app, 1 + len(edits), write)
    assert errors == [], f"round {round_} ({action}): {errors}"
    with app.app_context():
        tags = tags_by_bookmark(list(edits))
        assert all(tags[b] in (names, BULK[action](names)) for b, names in edits.items()), (action, tags)
        same(alice)


def test_editing_a_bookmark_while_it_is_deleted_elsewhere_is_not_found(app, users):
    for round_ in range(ROUNDS):
        edit_while_deleting(app, users["alice"], round_)


def edit_while_deleting(app, alice, round_):
    """The edit saved before the delete, or NotFound (a 404): never a 500 on the gone bookmark's tag links."""
    with app.app_context():
        bookmark = add(alice, f"https://example.com/{round_}", "a")

    def write(i):
        if i == 0:
            svc.delete_bookmark(bookmark)
            return
        with suppress(NotFound):
            svc.update_bookmark(bookmark, title="edited", tags="a b")

    errors = at_the_same_moment(app, 2, write)
    assert errors == [], f"round {round_}: {errors}"
    with app.app_context():
        assert Bookmark.get_or_none(Bookmark.id == bookmark.id) is None
        same(alice)


def entries(prefix, n, tag):
    from suite.bookmarks import netscape
    return [netscape.Entry(url=f"https://{prefix}.example/{i}", tags=[tag]) for i in range(n)]


def test_a_tag_merged_away_between_two_batches_of_an_import_is_made_again(app, users):
    """The import read each tag once for the whole file: a tag merged into another after the first
    batch was linked by its deleted id in the second (a foreign key error stopped the import)."""
    from suite.bookmarks.importer import BATCH, import_entries
    alice = users["alice"]
    with app.app_context():
        add(alice, "https://example.com/", "new")
        first = []

        def merge_after_the_first_batch(processed, created, duplicates):
            if not first:
                first.append(processed)
                svc.rename_tag(alice, "old", "new")
        assert import_entries(alice, entries("a", BATCH + 10, "old"), on_batch=merge_after_the_first_batch) == (
            BATCH + 10, 0, 0)
        tags = tags_by_bookmark([b.id for b in Bookmark.select(Bookmark.id)])
        assert sorted(map(sorted, tags.values())).count(["new"]) == BATCH + 1
        assert sorted(map(sorted, tags.values())).count(["old"]) == 10
        same(alice)


def test_renaming_a_tag_while_a_file_carrying_it_is_imported(app, users):
    for round_ in range(ROUNDS // 2):
        rename_while_importing(app, users["alice"], round_)


def rename_while_importing(app, alice, round_):
    """Each batch of the import and the rename (a merge) take turns: every imported bookmark ends
    with one of the two names and the counts are right, where a batch used to fail on PostgreSQL."""
    from suite.auth.models import User
    from suite.bookmarks.importer import BATCH, import_entries
    old, new = f"old{round_}", f"new{round_}"
    with app.app_context():
        add(alice, f"https://example.com/{round_}", f"{old} {new}")
    results = []

    def write(i):
        if i == 0:
            results.append(import_entries(User.get_by_id(alice.id), entries(f"r{round_}", BATCH * 2, old)))
        else:
            svc.rename_tag(alice, old, new)

    errors = at_the_same_moment(app, 2, write)
    assert errors == [], f"round {round_}: {errors}"
    assert results == [(BATCH * 2, 0, 0)]
    with app.app_context():
        imported = Bookmark.select(Bookmark.id).where(Bookmark.url.startswith(f"https://r{round_}.example/"))
        assert all(len(names & {old, new}) == 1 for names in tags_by_bookmark([b.id for b in imported]).values())
        same(alice)
