"""Kept rankings: the same words are ranked once until the index changes, never shown stale.

What a reader may see is checked on every search, so one kept ranking serves every
reader; any write to the index makes the next search rank afresh.
"""
import time

import pytest

from suite import search
from suite.search.backends import rankings
from suite.search.rankings import Rankings


def add(kind, item_id, owner=None, visibility="public", title="", body="", **extra):
    search.index_item(kind, item_id, owner_id=owner and owner.id, visibility=visibility, title=title,
                      body=body, url=f"/{kind}/{item_id}", **extra)


def ids(page):
    return [h.item_id for h in page.hits]


@pytest.fixture
def otters(app, users):
    with app.app_context():
        for n in range(5):
            add("bookmark", f"b{n}", users["bob"], title=f"Otter note {n}", body="otters hold hands " * (n + 1))
    return users


def test_an_item_added_after_a_search_is_found_by_the_same_words(app, otters):
    with app.app_context():
        before = ids(search.query("otters"))
        add("wiki", "new", title="Otters", body="Everything about otters")
        after = ids(search.query("otters"))
    assert "new" not in before and "new" in after
    assert sorted(after) == sorted(before + ["new"])


def test_an_item_made_private_is_hidden_from_others_at_once(app, otters):
    bob = otters["bob"]
    with app.app_context():
        assert "b2" in ids(search.query("otters", user=None))
        add("bookmark", "b2", bob, visibility="private", title="Otter note 2", body="otters hold hands")
        assert "b2" not in ids(search.query("otters", user=None))
        assert "b2" in ids(search.query("otters", user=bob))


def test_a_removed_item_leaves_the_next_search(app, otters):
    with app.app_context():
        search.query("otters")
        search.remove_item("bookmark", "b4")
        assert sorted(ids(search.query("otters"))) == ["b0", "b1", "b2", "b3"]


def test_readers_share_the_ranking_not_the_results(app, otters):
    alice, bob = otters["alice"], otters["bob"]
    with app.app_context():
        add("paste", "mine", alice, visibility="private", title="Otters", body="my private otters")
        assert "mine" in ids(search.query("otters", user=alice))
        assert "mine" not in ids(search.query("otters", user=bob))
        assert "mine" not in ids(search.query("otters", user=None))


def test_the_same_words_are_ranked_once_until_the_index_changes(app, otters):
    with app.app_context():
        kept = rankings()
        kept.clear()
        search.query("otters", user=None)
        search.query("otters", user=otters["bob"])     # another reader, the same ranking
        search.query("otters", user=None, page=1)
        assert (kept.misses, kept.hits) == (1, 2)
        add("bookmark", "b9", otters["bob"], title="Otter", body="otters")
        assert "b9" in ids(search.query("otters", user=None))
        assert (kept.misses, kept.hits) == (2, 2)


def test_kept_rankings_are_bounded_and_expire():
    kept = Rankings(entries=2, seconds=60)
    for n in range(3):
        kept.put(("words", n), (1, 1, 1), [(n, -1.5)])
    assert kept.get(("words", 0), (1, 1, 1)) is None           # least recently used went first
    assert kept.get(("words", 2), (1, 1, 1)) == [(2, -1.5)]
    assert kept.get(("words", 2), (1, 2, 1)) is None           # the index changed since
    assert kept.get(("words", 2), (1, 1, 1)) is None           # and the stale entry is gone
    short = Rankings(entries=2, seconds=0.05)
    short.put("k", (0,), [(1, -1.0)])
    time.sleep(0.06)
    assert short.get("k", (0,)) is None


def test_deep_rankings_share_the_budget_of_first_pages():
    kept = Rankings(entries=8, seconds=60)                      # room for 8 × 200 ids
    kept.put("too big", (0,), [(n, -1.0) for n in range(401)])  # over a quarter of it: not kept
    assert kept.get("too big", (0,)) is None
    for n in range(5):                                          # deep pages: 400 ids each
        kept.put(("deep", n), (0,), [(i, -1.0) for i in range(400)])
    assert len(kept.entries) == 4 and kept.ids == 1600
    assert kept.get(("deep", 0), (0,)) is None and kept.get(("deep", 4), (0,)) is not None


def test_a_cache_of_zero_entries_keeps_nothing():
    off = Rankings(entries=0, seconds=300)
    off.put("k", (0,), [(1, -1.0)])
    assert off.get("k", (0,)) is None and not off.entries
