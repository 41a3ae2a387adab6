"""Champion lists on PostgreSQL: a one-word search reads the best few documents and ranks exactly as ts_rank_cd.

Every test compares with PostgreSQL's own ranking of every match (ids and scores), and
checks that the lists, not the full ranking, gave the answer. SQLite has its own lists
(tests/test_search_champions.py).
"""
import os

import pytest
from peewee import SQL, NodeList, fn

from suite import search
from suite.extensions import db
from suite.search import champions_pg, ranking_pg
from suite.search.backends import PgWords, PostgresBackend
from suite.search.models import SearchDoc
from suite.search.querytext import parse_query
from tests.search_corpus import MIN_DOCS, QUERIES, SIZE, WORDS, add, fill, tide_runs, twins

pytestmark = pytest.mark.skipif(not os.environ.get("SUITE_TEST_DATABASE_URL"),
                                reason="these lists are PostgreSQL's; SQLite's are tested in test_search_champions")


@pytest.fixture
def corpus(app):
    """300 items over the three apps, lists built for lexemes in more than 12 of them."""
    with app.app_context():
        rng = fill(tagged=0.2)
        assert champions_pg.refresh(MIN_DOCS, SIZE) >= len(WORDS)
        yield rng


def key_of(text, kinds=None):
    (key,) = PostgresBackend().tries(parse_query(text), kinds)
    assert isinstance(key, PgWords) and key.word is not None
    return key


def from_lists(text, wanted, kinds=None):
    """(what the lists say, PostgreSQL's ranking of every match: the truth)."""
    key = key_of(text, kinds)
    ranked = champions_pg.rank_word(key.word, key.excluded, key.kinds or search.KINDS, wanted)
    return ranked, [tuple(r) for r in PostgresBackend()._ranked(key).limit(wanted).tuples()]


def rows_match_their_documents():
    """Every list row is of a document holding the word, with the score PostgreSQL gives it now,
    and every document before a list's floor (best score, then oldest) is in the list."""
    rows = db.execute_sql("SELECT l.query, l.kind, c.score, c.doc_id, ts_rank_cd(d.tsv, l.query::tsquery, 32), "
                          "d.kind FROM search_champion c JOIN search_champion_list l ON l.id = c.list_id "
                          "JOIN search_doc d ON d.id = c.doc_id").fetchall()
    for query, kind, score, doc_id, now, doc_kind in rows:
        assert score == now and kind in (doc_kind, "*"), (query, doc_id)
    missing = db.execute_sql(
        "SELECT l.query, l.kind, d.id FROM search_champion_list l JOIN search_doc d ON d.tsv @@ l.query::tsquery "
        "AND l.kind IN (d.kind, '*') AND (ts_rank_cd(d.tsv, l.query::tsquery, 32) > l.floor OR "
        "(ts_rank_cd(d.tsv, l.query::tsquery, 32) = l.floor AND d.id < l.floor_id)) "
        "WHERE NOT EXISTS "
        "(SELECT 1 FROM search_champion c WHERE c.list_id = l.id AND c.doc_id = d.id)").fetchall()
    assert missing == []
    return len(rows) > 0


@pytest.mark.parametrize("wanted", [1, 5, 20])
def test_a_word_ranks_as_postgresql_ranks_it_scores_included(corpus, wanted):
    answered = 0
    for word, kinds in QUERIES:
        ranked, truth = from_lists(word, wanted, kinds)
        if ranked is not None:
            answered += 1
            assert ranked == truth, (word, kinds)
    if wanted <= SIZE:  # the lists (8 rows per app; fewer or more where scores tie) answer most
        assert answered >= len(QUERIES) * 3 // 4


def test_the_lists_hold_what_they_should(corpus):
    assert rows_match_their_documents()


def test_a_search_box_gives_the_same_page_through_the_lists(app, corpus):
    with app.app_context():
        page = search.query("heron", per_page=5)
        ranked, truth = from_lists("heron", 5)
    assert ranked is not None
    assert [h.score for h in page.hits] == [s for _i, s in truth]


def test_excluded_words_no_document_holds_leave_the_lists_to_answer(app, corpus):
    with app.app_context():
        ranked, truth = from_lists("otter -walrus", 5)
        assert ranked is not None and ranked == truth
        add(corpus, "wiki", "walrus", title="otter otter", body="otter walrus")
        ranked, truth = from_lists("otter -walrus", 5)
        assert ranked is None  # a document holds the word: PostgreSQL ranks
        hidden = db.execute_sql("SELECT id FROM search_doc WHERE item_id = 'walrus'").fetchone()[0]
        assert hidden not in {i for i, _ in truth}


def test_a_word_stemmed_otherwise_uses_its_stems_list_and_scores_the_few_that_hold_it_as_typed(
        app, corpus, monkeypatch):
    with app.app_context():
        assert champions_pg.lexemes("Otters") == {"otter", "otters"}
        ranked, truth = from_lists("Otters", 5)
        assert ranked is not None and ranked == truth
        # tags and URLs are indexed as typed: this one holds both lexemes and outscores the rest
        add(corpus, "bookmark", "tagged", title="otter otter otter", tags=["otters"])
        tagged = db.execute_sql("SELECT id FROM search_doc WHERE item_id = 'tagged'").fetchone()[0]
        for kinds in (None, ["bookmark"], ["wiki"]):
            ranked, truth = from_lists("Otters", 5, kinds)
            assert ranked is not None and ranked == truth, kinds
        assert ranked[0][0] != tagged and from_lists("Otters", 5)[0][0][0] == tagged
        monkeypatch.setattr(champions_pg, "RARE", 0)  # more documents hold it than are scored afresh
        assert from_lists("Otters", 5)[0] is None


def test_a_word_common_as_typed_gets_a_list_of_its_own(app, corpus):
    with app.app_context():
        for n in range(MIN_DOCS + 1):
            add(corpus, "bookmark", f"tagged{n}", tags=["otters"])
        assert champions_pg.refresh(MIN_DOCS, SIZE) >= 1
        assert db.execute_sql("SELECT count(*) FROM search_champion_list WHERE query = %s",
                              ("'otter' | 'otters'",)).fetchone()[0] == 4
        for kinds in (None, ["bookmark"]):
            ranked, truth = from_lists("Otters", 5, kinds)
            assert ranked is not None and ranked == truth
        assert rows_match_their_documents()


def test_new_better_documents_join_the_lists_at_once(app, corpus):
    with app.app_context():
        for n in range(5):  # documents saying "otter" often, in the title: better than any listed
            add(corpus, "wiki", f"new{n}", title="otter otter otter", body="otter " * (n + 20))
        for kinds in (None, ["wiki"]):
            ranked, truth = from_lists("otter", 5, kinds)
            assert ranked == truth
        new_ids = {i for (i,) in db.execute_sql("SELECT id FROM search_doc WHERE item_id LIKE %s", ("new%",))}
        assert {i for i, _ in ranked} == new_ids
        assert rows_match_their_documents()


def test_changed_and_deleted_documents_leave_the_lists(app, corpus):
    with app.app_context():
        champions_pg.refresh(MIN_DOCS, 4 * SIZE, rebuild=True)  # long enough to lose two rows and answer
        ids = [i for i, _ in from_lists("heron", 2)[1]]
        (kind0, item0), (kind1, item1) = [db.execute_sql("SELECT kind, item_id FROM search_doc WHERE id = %s",
                                                         (i,)).fetchone() for i in ids]
        search.remove_item(kind0, item0)
        add(corpus, kind1, item1, title="no birds", body="stone lamp", tags=())
        ranked, truth = from_lists("heron", 5)
        assert rows_match_their_documents()
    assert ranked is not None and ranked == truth
    assert ids[0] not in {i for i, _ in ranked} and ids[1] not in {i for i, _ in ranked}


def test_refresh_mends_lists_that_lost_their_rows(app, corpus):
    with app.app_context():
        for kind, item in db.execute_sql("SELECT DISTINCT d.kind, d.item_id FROM search_champion c "
                                         "JOIN search_champion_list l ON l.id = c.list_id "
                                         "JOIN search_doc d ON d.id = c.doc_id WHERE l.query = %s",
                                         (champions_pg.quoted("gull"),)).fetchall():
            search.remove_item(kind, item)
        assert from_lists("gull", 5)[0] is None  # nothing left above what the lists left out
        assert champions_pg.refresh(MIN_DOCS, SIZE) >= 1
        ranked, truth = from_lists("gull", 5)
    assert ranked is not None and ranked == truth


def test_words_of_several_lexemes_and_phrases_are_left_to_postgresql(app, corpus):
    with app.app_context():
        assert champions_pg.lexemes("otter-heron") is None
        (key,) = PostgresBackend().tries(parse_query("otter heron"), None)
        assert key.word is None
        (key,) = PostgresBackend().tries(parse_query('"otter heron"'), None)
        assert key.word is None


@pytest.mark.parametrize("size, wanted", [(25, (5, 15, 20, 25)), (50, (5, 24, 40, 50))])
def test_documents_that_score_alike_keep_postgresqls_order_by_id(app, size, wanted):
    """60 identical documents: their scores tie, so the search orders them by id (oldest first); so do
    the lists. A list ends at a document, inside such a run (its floor is a score and an id): it answers
    up to its size, then leaves the ranking to PostgreSQL. A new twin comes after its equals: it is not
    written into the lists, and they still answer."""
    with app.app_context():
        tide_runs()
        champions_pg.refresh(10, size)
        for n in wanted:
            ranked, truth = from_lists("tide", n)
            assert ranked is not None and ranked == truth, n
        assert from_lists("tide", size + 1)[0] is None
        twins("twin", 1)
        twin = db.execute_sql("SELECT id FROM search_doc WHERE item_id = 'twin'").fetchone()[0]
        assert not db.execute_sql("SELECT count(*) FROM search_champion WHERE doc_id = %s", (twin,)).fetchone()[0]
        ranked, truth = from_lists("tide", size, ["bookmark"])
        assert ranked is not None and ranked == truth and twin not in {i for i, _ in ranked}
        assert rows_match_their_documents()


HALVES_DIFFER = ["Otters reef", "otters herons", "the otters", "otters -herons", "herons -otters", "heron -otters",
                 "otters reef -kelp -zzq", "heron reef -otters", "otters reef -herons", "otters or reef"]
HALVES_AGREE = ["otter heron", "otter", '"otter heron"', "otter -kelp", "the otter", "otter heron -kelp -zzq"]


@pytest.mark.parametrize("text", HALVES_AGREE + HALVES_DIFFER)
def test_a_search_ranked_by_less_gives_every_match_the_same_score(app, corpus, text):
    """The search asks for English-or-simple lexemes; it is ranked by less where that gives every
    match the same score (``ranking_pg``): one half when both are the same query, no excluded
    words, the English half alone for documents holding none of the simple half's own lexemes.
    Tagged documents hold those lexemes between their English ones (tags come between title
    and body), and some hold only some of them."""
    with app.app_context():
        add(corpus, "bookmark", "tagged", title="otter heron", tags=["otters"])
        for n, tags in enumerate([["otters", "reef"], ["herons"], ["otters", "herons"], ["the"], ["reefs"]]):
            add(corpus, "wiki", f"tagged{n}", title="otter reef heron", body="heron otter reef the kelp", tags=tags)
            add(corpus, "paste", f"tagged-paste{n}", title="heron reef", body="reef heron kelp", tags=tags)
            add(corpus, "bookmark", f"tagged-bookmark{n}", title="otter", body="reef kelp otter", tags=tags)
        backend = PostgresBackend()
        (key,) = backend.tries(parse_query(text), None)
        now = [tuple(r) for r in backend._ranked(key).tuples()]
        _english, whole = backend.tsquery(key.text, backend.excluded_text(key.excluded))
        both = (SearchDoc.select(SearchDoc.id, fn.ts_rank_cd(SQL("tsv"), whole, 32).alias("s"))
                .where(NodeList((SQL("tsv @@"), whole))).order_by(SQL("s").desc(), SearchDoc.id).tuples())
    assert now and now == [tuple(r) for r in both]


SHORTER = {"otter heron": ("'otter' & 'heron'", ""), "otter": ("'otter'", ""), '"otter heron"': None,
           "otter -kelp": ("'otter'", ""), "the otter": ("'the' & 'otter'", ""),
           "otter heron -kelp -zzq": ("'otter' & 'heron'", ""),
           "Otters reef": ("'otter' & 'reef'", "'otters'"), "otters herons": ("'otter' & 'heron'", "'herons' | 'otters'"),
           "the otters": ("'the' & 'otter'", "'otters'"), "otters -herons": ("'otter'", "'otters'"),
           "herons -otters": ("'heron'", "'herons'"), "heron -otters": ("'heron'", ""),
           "otters reef -kelp -zzq": ("'otter' & 'reef'", "'otters'"), "heron reef -otters": ("'heron' & 'reef'", ""),
           "otters reef -herons": ("'otter' & 'reef'", "'otters'"), "otters or reef": None}


@pytest.mark.parametrize("text", HALVES_AGREE + HALVES_DIFFER)
def test_what_ranks_a_search_in_its_place(app, text):
    """The English half's wanted lexemes rank every match, or every match holding none of the
    simple half's own lexemes when that half needs one; not a phrase or an OR. Excluded words
    are not part of the text ranked (they are left out of both halves' matches), and stop
    words are words like any other (as on SQLite)."""
    with app.app_context():
        short = ranking_pg.shorter(PostgresBackend().tries(parse_query(text), None)[0].text)
    assert (tuple(short) if short else None) == SHORTER[text]


def test_a_change_that_leaves_the_text_alone_leaves_the_lists_alone(app, corpus):
    """index_item sets every column; making an item private, or saving the same text, writes no list row."""
    with app.app_context():
        doc_id = from_lists("heron", 1)[1][0][0]
        kind, item, title, body, url, tags = db.execute_sql(
            "SELECT kind, item_id, title, body, url, tags FROM search_doc WHERE id = %s", (doc_id,)).fetchone()
        listed = "SELECT list_id, xmin::text FROM search_champion WHERE doc_id = %s ORDER BY list_id"
        before = db.execute_sql(listed, (doc_id,)).fetchall()
        search.index_item(kind, item, owner_id=None, visibility="private", title=title, body=body, url=url,
                          tags=tags.split())
        assert before and db.execute_sql(listed, (doc_id,)).fetchall() == before
        search.index_item(kind, item, owner_id=None, visibility="public", title=title + " kelp", body=body, url=url,
                          tags=tags.split())
        assert db.execute_sql(listed, (doc_id,)).fetchall() != before  # a new text: scored again
        assert rows_match_their_documents()


def test_a_documents_tsvector_stays_in_its_row(app):
    """Ranking reads every match's tsvector: kept in the row (STORAGE MAIN, migration 0014), not
    fetched from the TOAST table, where a wiki page's went (a tsvector hardly compresses)."""
    with app.app_context():
        storage = db.execute_sql("SELECT attstorage FROM pg_attribute WHERE attrelid = 'search_doc'::regclass "
                                 "AND attname = 'tsv'").fetchone()[0]
    assert storage == "m"
