"""The unified search index: ranking, snippets, visibility, filters and hostile query text."""
import pytest

from suite import search


@pytest.fixture
def indexed(app, users):
    """A few items of alice and bob, public, unlisted and private."""
    alice, bob = users["alice"], users["bob"]
    items = [
        ("paste", "p1", alice, "public", "Quick sort in Python", "def quicksort(xs): return sorted(xs)", ["algo"], "python"),
        ("paste", "p2", alice, "private", "Secret deploy script", "export TOKEN=hunter2 quicksort", [], "bash"),
        ("paste", "p3", bob, "unlisted", "Bob's unlisted quicksort", "quicksort in rust", [], "rust"),
        ("bookmark", "b1", bob, "public", "Sorting algorithms explained", "merge sort, quicksort and heapsort", ["algo", "cs"], ""),
        ("wiki", "w1", None, "public", "Home", "Welcome to the team wiki. See the <b onmouseover=\"x()\">alert</b> page.", [], ""),
    ]
    with app.app_context():
        for kind, item_id, owner, vis, title, body, tags, lang in items:
            search.index_item(kind, item_id, owner_id=owner and owner.id, visibility=vis, title=title,
                              body=body, url=f"/{kind}/{item_id}", tags=tags, lang=lang)
    return users


def ids(page):
    return sorted(h.item_id for h in page.hits)


def test_others_see_only_public_items(app, indexed):
    with app.app_context():
        assert ids(search.query("quicksort", user=indexed["bob"])) == ["b1", "p1", "p3"]
        assert ids(search.query("quicksort", user=indexed["alice"])) == ["b1", "p1", "p2"]
        assert ids(search.query("quicksort", user=None)) == ["b1", "p1"]


def test_title_matches_rank_above_body_matches(app, indexed):
    with app.app_context():
        hits = search.query("quicksort", user=indexed["bob"]).hits
    assert [h.item_id for h in hits][0] == "p3" and len(hits) == 3  # its title says it; b1 and p1 in the text


def test_snippet_marks_matches_and_escapes_html(app, indexed):
    with app.app_context():
        hit = search.query("welcome", user=None).hits[0]
        assert "<mark>Welcome</mark>" in str(hit.snippet)
        script = search.query("alert", user=None).hits[0]
    assert "<mark>alert</mark>" in str(script.snippet)
    assert "<b " not in str(script.snippet)


def test_filters_kind_tag_lang_user(app, indexed):
    with app.app_context():
        assert ids(search.query("quicksort in:bookmarks", user=None)) == ["b1"]
        assert ids(search.query("quicksort tag:algo", user=None)) == ["b1", "p1"]
        assert ids(search.query("quicksort lang:python", user=None)) == ["p1"]
        assert ids(search.query("quicksort user:BOB", user=None)) == ["b1"]


def test_phrase_and_exclusion(app, indexed):
    with app.app_context():
        assert ids(search.query('"merge sort"', user=None)) == ["b1"]
        assert ids(search.query("quicksort -heapsort", user=None)) == ["p1"]


def test_removed_items_are_gone(app, indexed):
    with app.app_context():
        search.remove_item("bookmark", "b1")
        assert ids(search.query("quicksort", user=None)) == ["p1"]


def test_reindexing_replaces_the_entry(app, indexed):
    with app.app_context():
        search.index_item("paste", "p1", owner_id=indexed["alice"].id, visibility="private",
                          title="Now private", body="quicksort", url="/paste/p1")
        assert ids(search.query("quicksort", user=None)) == ["b1"]


def test_filters_alone_browse_newest_first(app, indexed):
    with app.app_context():
        assert ids(search.query("tag:algo", user=None)) == ["b1", "p1"]


@pytest.mark.parametrize("text", ['"', "AND OR", "*", "NOT", "a" * 10000, "((", "NEAR(a b)", "-", "'",
                                  "quicksort\"", "title:x", "^x", "x" + " OR" * 3000, "\x00", "🙂"])
def test_hostile_query_text_never_raises(app, indexed, text):
    with app.app_context():
        page = search.query(text, user=None)
    assert page.error is None or isinstance(page.error, str)


def test_only_exclusions_explain_themselves(app, indexed):
    with app.app_context():
        page = search.query("-quicksort", user=None)
    assert page.error and "Add a word" in page.error


def test_unknown_place_is_explained(app, indexed):
    with app.app_context():
        assert "Unknown place" in search.query("x in:email", user=None).error


def test_pagination(app, users):
    with app.app_context():
        for i in range(25):
            search.index_item("paste", f"n{i}", owner_id=None, visibility="public", title=f"note {i}",
                              body="common words", url=f"/paste/n{i}")
        first = search.query("common", page=1, per_page=10)
        third = search.query("common", page=3, per_page=10)
    assert len(first.hits) == 10 and first.has_next
    assert len(third.hits) == 5 and not third.has_next


def test_a_reader_who_may_see_few_matches_still_finds_them(app, users):
    """Ranking looks at the best candidates first; when those are all hidden it ranks the rest."""
    alice, bob = users["alice"], users["bob"]
    with app.app_context():
        for n in range(250):
            search.index_item("paste", f"secret{n}", owner_id=alice.id, visibility="private",
                              title="zebra zebra zebra", body="zebra " * 5, url=f"/s{n}")
        search.index_item("paste", "open", owner_id=alice.id, visibility="public", title="notes",
                          body="one zebra", url="/open")
        assert ids(search.query("zebra", user=bob)) == ["open"]
        assert len(search.query("zebra", user=alice).hits) == 20


def test_a_reader_sees_the_same_order_as_the_owner_less_what_is_hidden(app, users):
    """Visibility is looked up a slice of the ranking at a time: every slice keeps the order."""
    alice, bob = users["alice"], users["bob"]
    with app.app_context():
        for n in range(40):
            search.index_item("paste", f"secret{n}", owner_id=alice.id, visibility="private",
                              title="zebra " * (1 + n % 3), body="zebra " * (1 + n % 5), url=f"/s{n}")
        for n in range(30):
            search.index_item("paste", f"open{n}", owner_id=alice.id, visibility="public",
                              title="notes", body="zebra " * (1 + n % 7) + "filler " * n, url=f"/o{n}")
        everything = [h.item_id for h in search.query("zebra", user=alice, per_page=100).hits]
        pages = [search.query("zebra", user=bob, page=p) for p in (1, 2)]
    assert [h.item_id for p in pages for h in p.hits] == [i for i in everything if i.startswith("open")]
    assert len(everything) == 70 and [p.has_next for p in pages] == [True, False]


def test_result_pages_do_not_overlap_or_skip(app, users):
    alice = users["alice"]
    with app.app_context():
        for n in range(45):
            search.index_item("bookmark", f"b{n}", owner_id=alice.id, visibility="public",
                              title="walrus harbor", body="walrus harbor", url=f"/b{n}")
        pages = [search.query("walrus", user=None, page=p) for p in (1, 2, 3)]
    seen = [h.item_id for p in pages for h in p.hits]
    assert len(seen) == len(set(seen)) == 45
    assert [p.has_next for p in pages] == [True, True, False]


def test_searching_one_app_finds_its_items_below_many_better_matches_of_others(app, users):
    """Two hundred bookmarks outrank every wiki page for the word; the wiki's own search still pages through all of them."""
    with app.app_context():
        for i in range(240):
            search.index_item("bookmark", f"b{i}", owner_id=users["bob"].id, visibility="public",
                              title=f"Wombat {i}", body="wombat wombat", url=f"/b/{i}")
        for i in range(30):
            search.index_item("wiki", f"w{i}", owner_id=None, visibility="public", title=f"Page {i}",
                              body="a page that mentions the wombat once " + "filler " * i, url=f"/w/{i}")
        first = search.query("wombat", kinds=("wiki",), page=1).hits
        second = search.query("wombat", kinds=("wiki",), page=2).hits
        everything = search.query("wombat in:wiki", per_page=50).hits
    assert [h.kind for h in first + second] == ["wiki"] * 30
    assert [h.item_id for h in first + second] == [h.item_id for h in everything]
