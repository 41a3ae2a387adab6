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


def _index_pages(app, pages):
    with app.app_context():
        for n, (title, body) in enumerate(pages):
            search.index_item("wiki", f"w{n}", owner_id=None, visibility="public", title=title, body=body,
                              url=f"/wiki/{n}")


def titles(page):
    return sorted(h.title for h in page.hits)


def test_an_excluded_word_leaves_out_items_holding_any_form_of_it(app):
    """PostgreSQL matches stemmed or as-typed forms: an exclusion must rule out both."""
    _index_pages(app, [("Pets", "Python care guide. Our snakes are lazy."), ("Code", "Python programming guide.")])
    with app.app_context():
        for text in ("python -snakes", "python -lazy", '"care guide" -lazy', "python -snake"):
            assert titles(search.query(text)) == (["Code"] if text.startswith("python") else []), text


@pytest.mark.parametrize("text", ["東京", "北京", "旅行", "東京タワー", "タワー", "행복", "Python入門"])
def test_a_cjk_word_inside_a_run_of_cjk_text_is_found(app, text):
    _index_pages(app, [("東京旅行のメモ", "明日は東京タワーに行きます。我们明天去北京旅游。Python入門 우리는 행복합니다")])
    with app.app_context():
        page = search.query(text)
    assert titles(page) == ["東京旅行のメモ"]


def test_a_cjk_word_is_its_characters_in_order_and_shown_as_typed(app):
    _index_pages(app, [("東京旅行のメモ", "明日は東京タワーに行きます。我们明天去北京旅游。")])
    with app.app_context():
        assert search.query("京東").hits == [] and search.query("-東京 北京").hits == []
        hit = search.query("東京").hits[0]
        tagged = search.query("tag:東京")
    assert hit.title == "東京旅行のメモ" and "\x01" not in str(hit.title_html)
    assert "<mark>東京</mark>タワーに行きます。" in str(hit.snippet) and "\x01" not in str(hit.snippet)
    assert tagged.hits == []


def test_a_cjk_tag_is_found_and_filtered_by(app, users):
    with app.app_context():
        search.index_item("bookmark", "b1", owner_id=users["bob"].id, visibility="public", title="Trip",
                          body="notes", url="/b1", tags=["東京", "travel"])
        hits = search.query("東京 tag:東京").hits
    assert [h.tags for h in hits] == [["東京", "travel"]]


@pytest.mark.parametrize("text", ["cafe", "creme brulee", '"creme brulee"', "resume", "naive", "FACADE", "café"])
def test_accents_do_not_matter_on_either_engine(app, text):
    _index_pages(app, [("Menu", "Our café serves crème brûlée. Attach your résumé; a naïve façade.")])
    with app.app_context():
        hit = search.query(text).hits[0]
    assert "<mark>" in str(hit.snippet) and "crème brûlée" in str(hit.snippet).replace("</mark> <mark>", " ")


def test_a_title_matched_without_its_accents_keeps_them(app):
    _index_pages(app, [("Café Résumé", "nothing else")])
    with app.app_context():
        hit = search.query('"cafe resume"').hits[0]
    assert hit.title == "Café Résumé" and "Café" in str(hit.title_html) and "<mark>" in str(hit.title_html)


HAMLET = [("Apples", "Apples grow on trees."), ("Oranges", "Oranges grow in Spain."),
          ("Hamlet", "To be, or not to be, that is the question. The Who played it.")]


@pytest.mark.parametrize("text, found", [
    ("apples or oranges", ["Apples", "Oranges"]),
    ("apples OR oranges grow", ["Apples", "Oranges"]),
    ('"grow on" or spain', ["Apples", "Oranges"]),
    ("apples or", []),               # not between two words: "or" is a word
    ("or", ["Hamlet"]),
    ("to be or not to be", ["Hamlet"]),
    ('"to be or not to be"', ["Hamlet"]),
    ("the who", ["Hamlet"]),          # stop words only: searched like any word on both engines
    ("grow -the", ["Apples", "Oranges"]),
])
def test_or_and_stop_words_mean_the_same_on_both_engines(app, text, found):
    _index_pages(app, HAMLET)
    with app.app_context():
        assert titles(search.query(text)) == found


def test_marker_characters_in_an_items_text_are_not_marks(app):
    """IRC logs hold \\x02 (bold) and \\x03 (colour): the characters the snippets mark matches with."""
    _index_pages(app, [("irc \x02log\x02", "<nick> \x02bold\x02 and \x0304red text\x03 then heron flies")])
    with app.app_context():
        hit = search.query("heron").hits[0]
        bold = search.query("bold").hits[0]
    assert str(hit.snippet).count("<mark>") == 1 and "<mark>heron</mark>" in str(hit.snippet)
    assert str(bold.snippet).count("<mark>") == 1 and hit.title == "irc  log "


@pytest.mark.parametrize("text", ["🎉", "???", "→ ★"])
def test_a_search_of_symbols_only_says_nothing_in_it_is_searched(app, text):
    with app.app_context():
        page = search.query(text)
    assert page.error and "symbols and emoji are not searched" in page.error and "exclude" not in page.error


def test_an_index_made_before_cjk_and_marker_cleaning_is_brought_up_to_date(app):
    """Migration 0022 gives existing entries the text index_item gives now (and PostgreSQL its new tsvector)."""
    from suite.database import migration_runner
    from suite.search.models import SearchDoc
    with app.app_context():
        runner = migration_runner()
        runner.down(target="0021_wiki_unicode_heading_ids")
        SearchDoc.create(kind="wiki", item_id="w1", visibility="public", title="東京旅行", url="/w1",
                         body="明日は東京タワーに行きます。 \x02bold\x02 heron café")
        assert search.query("東京").hits == []
        runner.up()
        assert titles(search.query("東京")) == ["東京旅行"]
        assert titles(search.query("cafe")) == ["東京旅行"]
        assert str(search.query("heron").hits[0].snippet).count("<mark>") == 1


@pytest.mark.parametrize("text, words, either", [
    ("apples or oranges", [], [("apples", "oranges")]),
    ("apples OR oranges grow", ["grow"], [("apples", "oranges")]),
    ("a or b or c", [], [("a", "b", "c")]),
    ("or", ["or"], []),
    ("apples or", ["apples", "or"], []),
    ("apples or -pears kiwi", ["apples", "or", "kiwi"], []),
    ("apples tag:x or kiwi", ["apples", "or", "kiwi"], []),
])
def test_or_joins_the_two_searched_parts_around_it_and_is_a_word_elsewhere(text, words, either):
    from suite.search.querytext import parse_query
    parsed = parse_query(text)
    assert parsed.words == words and [tuple(t.text for t in group) for group in parsed.either] == either
