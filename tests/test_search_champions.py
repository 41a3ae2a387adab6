"""Champion lists: a one-word search reads the best few documents and ranks exactly as FTS5.

Every test compares with FTS5's own bm25 ranking of every match (ids and scores), and
checks that the lists, not FTS5, gave the answer. The lists are SQLite's:
PostgreSQL has its own (tests/test_search_champions_pg.py).
"""
import os

import pytest

from suite import search
from suite.extensions import db
from suite.search import champions
from suite.search.backends import Fts5Backend, OneWord
from suite.search.querytext import parse_query
from tests.search_corpus import MIN_DOCS, QUERIES, SIZE, WORDS, add, fill, tide_runs

pytestmark = pytest.mark.skipif(bool(os.environ.get("SUITE_TEST_DATABASE_URL")),
                                reason="these lists are SQLite's; PostgreSQL's are tested in test_search_champions_pg")

@pytest.fixture
def corpus(app):
    """300 items over the three apps, lists built for words in more than 12 of them."""
    with app.app_context():
        rng = fill()
        assert champions.refresh(MIN_DOCS, SIZE) >= len(WORDS)
        yield rng


def fts5(key, wanted):
    """FTS5's bm25 ranking of every match: the truth."""
    expression = key.expression if isinstance(key, OneWord) else key
    return [tuple(r) for r in db.execute_sql(
        f"SELECT rowid, {Fts5Backend.BM25} AS s FROM search_fts WHERE search_fts MATCH ? "
        "ORDER BY s, rowid LIMIT ?", (expression, wanted))]


def rows_match_their_documents():
    """Every list row is of a document that holds the word, with its current count and length."""
    for term, kind, doc_id, freq, length in db.execute_sql(
            "SELECT term, kind, doc_id, freq, length FROM search_champion").fetchall():
        doc = db.execute_sql("SELECT kind, title, body, tags, url FROM search_doc WHERE id = ?", (doc_id,)).fetchone()
        assert doc is not None, (term, doc_id)
        assert kind in (doc[0], champions.EVERY)
        freqs, tokens = champions.weighted_terms((*doc[1:], doc[0]))
        assert (freqs.get(term), tokens) == (freq, length), (term, doc_id)
    return True


def key_of(text, kinds=None):
    (key,) = Fts5Backend().tries(parse_query(text), kinds)
    assert isinstance(key, OneWord)
    return key


def from_lists(text, wanted, kinds=None):
    key = key_of(text, kinds)
    return champions.rank_word(key.term, key.excluded, key.kinds, wanted), fts5(key, wanted)


@pytest.mark.parametrize("wanted", [1, 5, 20])
def test_a_word_ranks_as_fts5_ranks_it_scores_included(corpus, wanted):
    answered = 0
    for word, kinds in QUERIES:
        ranked, truth = from_lists(word, wanted, kinds)
        if ranked is not None:
            answered += 1
            assert ranked == truth, (word, kinds)
    if wanted <= SIZE:  # the lists (8 rows per app) answer most of them; deeper, FTS5 mostly ranks
        assert answered >= len(QUERIES) // 2


def test_excluded_words_leave_the_ranking(app, corpus):
    with app.app_context():
        for n in range(3):  # the best documents for "otter" say "walrus" too
            add(corpus, "wiki", f"walrus{n}", title="otter otter", body="otter walrus")
        ranked, truth = from_lists("otter -walrus", 5)
        assert ranked is not None and ranked == truth
        hidden = {i for (i,) in db.execute_sql("SELECT rowid FROM search_fts WHERE search_fts MATCH 'walrus'")}
        assert len(hidden) == 3 and not hidden & {i for i, _ in ranked}
        assert hidden <= {i for i, _ in from_lists("otter", 5)[0]}


def test_a_search_box_gives_the_same_page_through_the_lists(app, corpus):
    with app.app_context():
        page = search.query("otter", per_page=5)
        key = key_of("otter")
        truth = fts5(key, 5)
    assert [h.score for h in page.hits] == [s for _i, s in truth]


def test_new_better_documents_join_the_lists_at_once(app, corpus):
    with app.app_context():
        for n in range(5):  # short documents saying "otter" often: better than any listed
            add(corpus, "wiki", f"new{n}", title="otter otter", body="otter " * (n + 2))
        assert not champions.has_pending()
        for kinds in (None, ["wiki"]):
            ranked, truth = from_lists("otter", 5, kinds)
            assert ranked == truth
        new_ids = {i for (i,) in db.execute_sql("SELECT id FROM search_doc WHERE item_id LIKE 'new%'")}
        assert {i for i, _ in ranked} == new_ids


def test_changed_and_deleted_documents_leave_the_lists(app, corpus):
    with app.app_context():
        ids = [i for i, _ in from_lists("heron", 2)[1]]
        (kind0, item0), (kind1, item1) = [db.execute_sql("SELECT kind, item_id FROM search_doc WHERE id = ?",
                                                         (i,)).fetchone() for i in ids]
        search.remove_item(kind0, item0)
        add(corpus, kind1, item1, title="no birds", body="stone lamp")
        ranked, truth = from_lists("heron", 5)
        assert rows_match_their_documents()
    assert ranked is not None and ranked == truth
    assert ids[0] not in {i for i, _ in ranked} and ids[1] not in {i for i, _ in ranked}


def test_a_longer_average_document_is_allowed_for(app, corpus):
    """avgdl doubles: every score moves; the lists' bound still proves the head, or FTS5 ranks."""
    with app.app_context():
        _rows, before = champions.totals()
        for n in range(150):
            add(corpus, "paste", f"long{n}", title="stone", body="river stone lamp " * 150)
        assert champions.totals()[1] > 2 * before
        for word, kinds in QUERIES:
            ranked, truth = from_lists(word, 5, kinds)
            assert ranked is None or ranked == truth, (word, kinds)


def test_a_write_the_lists_did_not_see_makes_fts5_rank(app, corpus):
    with app.app_context():
        with db.atomic():
            db.execute_sql("INSERT INTO search_doc (kind, item_id, visibility, title, body, url, tags, lang, "
                           "updated_at) VALUES ('wiki', 'raw', 'public', 'otter otter otter', 'otter', '', '', '', "
                           "'2026-01-01')")
        assert champions.has_pending()
        assert from_lists("otter", 5)[0] is None
        raw = db.execute_sql("SELECT id FROM search_doc WHERE item_id = 'raw'").fetchone()[0]
        assert raw in [h for h, _ in fts5(key_of("otter"), 5)]
        with db.atomic():
            champions.settle()  # the next index_item does this
        ranked, truth = from_lists("otter", 5)
    assert ranked == truth and raw in [i for i, _ in ranked]


def test_refresh_mends_lists_that_lost_their_rows(app, corpus):
    with app.app_context():
        for item_id, in db.execute_sql("SELECT d.kind || ':' || d.item_id FROM search_champion c "
                                       "JOIN search_doc d ON d.id = c.doc_id WHERE c.term = 'gull'").fetchall():
            kind, item = item_id.split(":")
            search.remove_item(kind, item)
        assert from_lists("gull", 5)[0] is None  # nothing left above what the lists left out
        assert champions.refresh(MIN_DOCS, SIZE) >= 1
        ranked, truth = from_lists("gull", 5)
    assert ranked is not None and ranked == truth


def test_words_and_phrases_of_several_terms_are_left_to_fts5(app, corpus):
    with app.app_context():
        assert champions.term_of("otter-heron") is None
        assert not isinstance(Fts5Backend().tries(parse_query("otter heron"), None)[0], OneWord)
        assert not isinstance(Fts5Backend().tries(parse_query('"otter heron"'), None)[0], OneWord)
        assert champions.term_of("Otters") == "otter"  # stemmed as the index stems


def counted_in_index(term):
    return db.execute_sql("SELECT count(*) FROM search_fts WHERE search_fts MATCH ?", (f'"{term}"',)).fetchone()[0]


def test_each_words_document_count_follows_every_change(app, corpus):
    with app.app_context():
        add(corpus, "wiki", "fresh", title="otter heron", body="kelp")           # new
        add(corpus, "bookmark", "i0", title="nothing here", body="stone")       # changed
        search.remove_item("paste", "i1")                                        # deleted
        search.index_item("wiki", "i2", owner_id=None, visibility="private",     # only made private
                          title="x", body="reef reef", url="", tags=())
        kept = dict(db.execute_sql("SELECT term, docs FROM search_champion_word").fetchall())
        assert len(kept) >= len(WORDS)
        assert kept == {term: counted_in_index(term) for term in kept}
        assert rows_match_their_documents()


def test_a_write_the_lists_never_counted_is_not_counted_out(app, corpus):
    """A document changed twice before anything settles it: its middle text was never counted in."""
    with app.app_context():
        with db.atomic():
            for body in ("kelp kelp", "crab crab"):
                db.execute_sql("UPDATE search_doc SET body = ? WHERE item_id = 'i5'", (body,))
            db.execute_sql("DELETE FROM search_doc WHERE item_id = 'i6'")
            champions.settle()
        kept = dict(db.execute_sql("SELECT term, docs FROM search_champion_word").fetchall())
        assert kept == {term: counted_in_index(term) for term in kept}
        assert rows_match_their_documents()


@pytest.mark.parametrize("size, wanted", [(25, (5, 15, 20)), (50, (5, 24, 40, 80))])
def test_documents_that_score_alike_keep_fts5s_order_by_id(app, size, wanted):
    """60 identical documents: their scores tie, so FTS5 orders them by id; so do the lists.

    A list never ends inside such a run: it stops before it (25: the 20 better ones),
    or takes it whole when that would keep too few (50: all 80)."""
    with app.app_context():
        tide_runs()
        champions.refresh(10, size)
        for n in wanted:
            ranked, truth = from_lists("tide", n)
            assert ranked is not None and ranked == truth, n


def test_a_little_drift_still_lets_the_lists_answer(app, corpus):
    with app.app_context():
        _rows, before = champions.totals()
        for n in range(3):
            add(corpus, "wiki", f"longer{n}", title="stone", body="river stone lamp " * 40)
        assert champions.totals()[1] > before
        for word, kinds in QUERIES:
            ranked, truth = from_lists(word, 3, kinds)
            assert ranked is not None and ranked == truth, (word, kinds)
