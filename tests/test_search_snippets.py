"""Search snippets: a short fragment around the matched words, matches marked, made in Python when certain."""
import sqlite3

import pytest

from suite import search
from suite.search.snippets import START, STOP, cjk_marked, quick_highlight, quick_snippet, unfolded

LONG = ("The harbor was quiet that morning. " * 20 + "A kestrel hovered over the field, and the kestrel "
        "dived once. Then the field was quiet again, " + "and nothing else happened there. " * 20)


def shown(snippet):
    return snippet.replace(START, "[").replace(STOP, "]")


def test_marks_every_whole_word_match_ignoring_case():
    assert shown(quick_snippet("Kestrel and kestrel, not kestrels or mykestrel.", ["KESTREL"])) == \
        "[Kestrel] and [kestrel], not kestrels or mykestrel."


def test_a_word_typed_twice_is_marked_once():
    assert shown(quick_snippet("A kestrel.", ["kestrel", "Kestrel"])) == "A [kestrel]."


def test_cuts_about_sixteen_words_around_the_match_with_ellipses():
    snip = shown(quick_snippet(LONG, ["kestrel"]))
    assert snip.startswith("…A [kestrel] hovered") and snip.endswith("…")
    assert len(snip.strip("…").split()) == 16


def test_prefers_a_fragment_with_every_word():
    text = "Field notes. " * 30 + "A kestrel somewhere. " + "Filler words here. " * 30 + "The kestrel over the field."
    snip = shown(quick_snippet(text, ["kestrel", "over"]))
    assert "[kestrel] [over]" in snip


def test_the_end_of_the_text_keeps_its_full_stop_and_gets_no_ellipsis():
    snip = shown(quick_snippet("one two three four five six seven eight nine ten eleven twelve thirteen "
                               "fourteen fifteen sixteen seventeen eighteen nineteen twenty.", ["twenty"]))
    assert snip.endswith("nineteen [twenty].") and snip.startswith("…")
    assert len(snip.strip("…").split()) == 16


@pytest.mark.parametrize("text, words", [
    ("kestrels only", ["kestrel"]),            # a match through stemming
    ("un café noir", ["cafe"]),                # a match through accent folding
    ("c++ and more", ["c++"]),                 # a word that is not one token
    ("İstanbul kestrel", ["kestrel"]),         # lower case that changes the length
    ("no kestrels here", ["kestrel"]),         # not in the text, but a word porter might stem to it
    ("Un oiseau noir", ["été"]),               # accents fold in the index
])
def test_leaves_uncertain_cases_to_fts5(text, words):
    assert quick_snippet(text, words) is None


@pytest.fixture
def pages(app):
    with app.app_context():
        search.index_item("wiki", "long", owner_id=None, visibility="public", title="Birds",
                          body=LONG, url="/wiki/Birds")
        search.index_item("wiki", "stem", owner_id=None, visibility="public", title="More birds",
                          body="Two kestrels nest here.", url="/wiki/More_birds")
        search.index_item("wiki", "title", owner_id=None, visibility="public", title="Kestrel",
                          body="Nothing about it in the text.", url="/wiki/Kestrel")


def test_search_results_carry_snippets_from_either_path(app, pages):
    with app.app_context():
        hits = {h.item_id: h for h in search.query("kestrel", user=None).hits}
    assert set(hits) == {"long", "stem", "title"}
    assert "A <mark>kestrel</mark> hovered" in str(hits["long"].snippet)
    assert "<mark>kestrels</mark>" in str(hits["stem"].snippet)
    assert "Nothing about it in the text" in str(hits["title"].snippet)
    assert str(hits["title"].title_html) == "<mark>Kestrel</mark>"


def fts5_snippet(body, words):
    """FTS5's own snippet of ``body`` for a row matched through its title (whitespace as HTML shows it)."""
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE t USING fts5(title, body, tokenize='porter unicode61 remove_diacritics 2')")
    con.execute("INSERT INTO t VALUES (?, ?)", (" ".join(words), body))
    query = " AND ".join('"%s"' % w for w in words)
    row = con.execute("SELECT snippet(t, 1, '[', ']', '…', 16) FROM t WHERE t MATCH ?", (query,)).fetchone()
    return " ".join(row[0].split())


@pytest.mark.parametrize("body", [
    "The quick brown fox jumps over the fat dog. Then it runs far away into the forest, where nobody can "
    "find it again for a good while.",
    "Short body here.",
    "  (Leading) punctuation, here.",
    "Words\nacross\n\nlines and more words here to pass sixteen tokens easily: one two three four five six.",
    "...",
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen.",
    "one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen",
])
def test_a_text_matched_only_through_its_title_opens_as_fts5_shows_it(body):
    assert quick_snippet(body, ["zebra"]) == fts5_snippet(body, ["zebra"])


def fts5_highlight(title, words):
    """What FTS5 itself marks in ``title`` (an in-memory table with the index's tokenizer)."""
    con = sqlite3.connect(":memory:")
    con.execute("CREATE VIRTUAL TABLE t USING fts5(title, tokenize='porter unicode61 remove_diacritics 2')")
    con.execute("INSERT INTO t VALUES (?)", (title,))
    query = " AND ".join('"%s"' % w for w in words)
    row = con.execute("SELECT highlight(t, 0, '[', ']') FROM t WHERE t MATCH ?", (query,)).fetchone()
    return row[0] if row else None


@pytest.mark.parametrize("title, words", [
    ("Kestrel watching: the kestrel", ["kestrel"]),
    ("Notes on harbor boats", ["harbor", "boats"]),
    ("Why the sky is blue", ["sky"]),
    ("C++ build flags (gcc)", ["gcc"]),
])
def test_a_title_is_marked_in_python_exactly_as_fts5_marks_it(title, words):
    assert shown(quick_highlight(title, words)) == fts5_highlight(title, words)


@pytest.mark.parametrize("title, words", [
    ("Kestrels and a kestrel", ["kestrel"]),  # FTS5 also marks "Kestrels" (porter stems both)
    ("Running notes", ["run"]),
    ("Café guide", ["cafe"]),                # accents fold in the index
    ("Plain title", ["été"]),
])
def test_titles_fts5_might_mark_differently_are_left_to_fts5(title, words):
    assert quick_highlight(title, words) is None


def test_the_search_marks_stemmed_title_words_through_fts5(app, users):
    with app.app_context():
        search.index_item("wiki", "k", owner_id=None, visibility="public", title="Kestrels nest here",
                          body="A kestrel nests.", url="/k")
        (hit,) = search.query("kestrel").hits
    assert str(hit.title_html) == "<mark>Kestrels</mark> nest here"


def test_a_fragment_postgresql_marked_in_folded_text_gets_its_accents_back():
    original = "Our café serves crème brûlée. Attach your résumé; a naïve façade."
    folded = "Our cafe serves creme brulee. Attach your resume; a naive facade."
    marked = f"Our {START}cafe{STOP} serves creme ... a naive {START}facade{STOP}"
    assert shown(unfolded(marked, original, folded)) == "Our [café] serves crème ... a naïve [façade]"
    assert unfolded(marked, folded, None) == marked  # nothing was folded


def test_postgresqls_marks_of_single_cjk_characters_become_marks_of_the_phrase():
    marked = f"{START}東{STOP}\x01{START}京{STOP}\x01タ。北\x01{START}京{STOP}"
    assert shown(cjk_marked(marked, ["東\x01京"])) == "[東\x01京]\x01タ。北\x01京"
