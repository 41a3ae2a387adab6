"""Champion lists (PostgreSQL): the best documents of each common word, kept by a trigger.

PostgreSQL ranks a search by ts_rank_cd over every document that matches, each read
from its stored tsvector: a common word over 100,000 items costs 50–200 ms. For every
word whose lexeme is in more than ``SEARCH_LIST_MIN_DOCS`` documents, lists keep the
documents that score best for it alone (``SEARCH_LIST_SIZE`` of them, per app and over
every app), with the score PostgreSQL gave them. A one-word search reads a list's head.

Why that is exact: ts_rank_cd (normalization 32) scores a document from the document
alone, so a stored score stays right until the document changes, and a trigger
(migration 0012) takes changed documents out of the lists and puts them back where
they come before the list's floor (the first document it left out). A word stands for
an English and a simple lexeme ('walking': 'walk' | 'walking'); operands no document
holds change no score, so the list of one lexeme also answers for the word, with the few
documents holding the other lexeme scored afresh, while no document holds an excluded
word. Otherwise PostgreSQL ranks as before.
"""
from collections import defaultdict
from functools import lru_cache

from suite.extensions import db
from suite.search.champions import EVERY, SCOPES
from suite.search.indextext import PG_FOLD, PG_STEMMED
from suite.search.models import KINDS

# Words' lexemes, as websearch_to_tsquery makes them for the English and the simple configuration.
PARTS = ("SELECT numnode(e), e::text, numnode(s), s::text FROM ({words}) AS x(w), LATERAL (SELECT "
         f"websearch_to_tsquery('{PG_STEMMED}', {PG_FOLD}(w)) AS e, "
         f"websearch_to_tsquery('simple', {PG_FOLD}(w)) AS s) AS q")
LEXEMES = PARTS.format(words="SELECT %s::text")
# Each list's best rows before its floor, read with the floor in one statement (one snapshot).
HEAD = ("SELECT l.query, l.kind, l.floor, l.floor_id, c.score, c.doc_id FROM search_champion_list l "
        "LEFT JOIN LATERAL (SELECT c.score, c.doc_id FROM search_champion c WHERE c.list_id = l.id "
        "AND (c.score > l.floor OR (c.score = l.floor AND c.doc_id < l.floor_id)) "
        "ORDER BY c.score DESC, c.doc_id LIMIT %s) c ON TRUE "
        "WHERE l.query = ANY(%s) AND l.kind = ANY(%s)")
# The documents of a rare lexeme (of the searched apps), scored for the whole word.
HOLDERS = ("SELECT kind, ts_rank_cd(tsv, %s::tsquery, 32), id FROM search_doc WHERE tsv @@ %s::tsquery "
           "AND (kind = ANY(%s) OR %s)")
RARE = 2000  # more documents than this hold the other lexeme: PostgreSQL ranks (it has no list of its own)
# Whether any document holds one of these lexemes: none has a list (common ones do), and no match.
# (Counted: with EXISTS the planner may bet on finding one early and read every row.)
ANY_HOLDS = ("SELECT EXISTS (SELECT 1 FROM search_champion_list WHERE lexemes && %s::text[]) "
             "OR (SELECT count(*) FROM search_doc WHERE tsv @@ %s::tsquery) > 0")


def quoted(lexeme):
    """A lexeme as a tsquery operand."""
    return "'" + lexeme.replace("\\", "\\\\").replace("'", "''") + "'"


def query_of(lexemes):
    """The tsquery text of a list: its lexemes, either one ('walk' | 'walking')."""
    return " | ".join(quoted(x) for x in sorted(lexemes))


def _unquoted(operand):
    return operand[1:-1].replace("''", "'").replace("\\\\", "\\")


def _parts(english_nodes, english, simple_nodes, simple):
    if english_nodes > 1 or simple_nodes > 1:
        return None  # a phrase of several lexemes ('foo-bar'): not one list
    return frozenset(_unquoted(text) for nodes, text in ((english_nodes, english), (simple_nodes, simple)) if nodes)


@lru_cache(maxsize=4096)
def _lexemes_cached(database, word):
    return _parts(*db.execute_sql(LEXEMES, (word,)).fetchone())


def lexemes(word):
    """The lexemes a search word stands for (English and simple), or None when it is several."""
    return _lexemes_cached(db.database, word)


def rank_word(word, excluded, kinds, wanted):
    """The best ``wanted`` (id, ts_rank_cd) for a one-word search, as PostgreSQL ranks them, or None.

    None means: PostgreSQL must rank this one (no list for the word, a word that is
    several lexemes, an excluded word some document holds, the word's other lexeme in
    many documents, or a list too short).
    """
    whole = lexemes(word)
    if not whole:
        return None
    keys = [whole] + ([frozenset([x]) for x in sorted(whole)] if len(whole) > 1 else [])
    scopes = [EVERY] if set(kinds) == set(KINDS) else list(kinds)
    floors, rows = defaultdict(dict), defaultdict(list)
    for query, kind, floor, floor_id, score, doc_id in db.execute_sql(
            HEAD, (wanted, [query_of(k) for k in keys], scopes)):
        floors[query][kind] = (floor, floor_id)
        if doc_id is not None:
            rows[query].append((kind, score, doc_id))
    for key in keys:
        query = query_of(key)
        if len(floors.get(query, ())) < len(scopes):
            continue
        hidden = [lexemes(w) for w in excluded]
        if any(p is None for p in hidden):
            return None
        hidden = frozenset().union(*hidden)
        if hidden and db.execute_sql(ANY_HOLDS, (sorted(hidden), query_of(hidden))).fetchone()[0]:
            return None
        rescored = []
        if whole - key:  # the word's other lexeme: its few documents scored for the whole word
            rescored = db.execute_sql(HOLDERS, (query_of(whole), query_of(whole - key), scopes, EVERY in scopes)
                                      ).fetchmany(RARE + 1)
            if len(rescored) > RARE:
                return None
        return _merge(floors[query], rows[query], wanted, rescored)
    return None


def _merge(floors, found, wanted, rescored=()):
    """The best ``wanted`` of one word's lists (one per app searched), or None when they cannot tell.

    A list that gave ``wanted`` rows: what it did not give comes after its last row.
    One that gave fewer: what it left out comes after its floor (nothing when (-1, -1)).
    ``rescored`` (kind, score, id) replace the lists' rows of the same documents: they hold
    the word's other lexeme too, and score more than the list of one says.
    """
    per_kind = defaultdict(list)
    for kind, score, doc_id in found:
        per_kind[kind].append((score, doc_id))
    bounds = []
    for kind, floor in floors.items():
        if len(per_kind[kind]) >= wanted:
            bounds.append(max(per_kind[kind], key=_order_key))
        elif floor[0] >= 0:
            bounds.append(floor)
    again = {doc_id for _kind, _score, doc_id in rescored}
    ranked = [row for rows in per_kind.values() for row in rows if row[1] not in again]
    ranked = sorted(ranked + [(score, doc_id) for _kind, score, doc_id in rescored], key=_order_key)
    best = []
    for score, doc_id in ranked[:wanted]:
        if not all(_order_key((score, doc_id)) <= _order_key(bound) for bound in bounds):
            return None
        best.append((doc_id, score))
    if len(best) < wanted and bounds:
        return None
    return best


def _order_key(row):
    """The search's order of (score, id): the best score first, then the oldest."""
    return (-row[0], row[1])


# -- making and mending the lists -----------------------------------------------------------

# The words of lexemes in more than %s documents, as lexeme sets ('minimine' stands for 'minimin' | 'minimine').
COMMON = PARTS.format(words="SELECT word FROM ts_stat('SELECT tsv FROM search_doc') WHERE ndoc > %s")
STATE = ("SELECT l.query, l.kind, l.floor, l.built, (SELECT count(*) FROM search_champion c "
         "WHERE c.list_id = l.id) FROM search_champion_list l")
# Every match's score, numbered in ts_rank_cd's order within its app and over every app; the first size + 1.
BEST = ("SELECT kind, score, id FROM (SELECT k.kind, d.id, s.score, row_number() OVER "
        "(PARTITION BY k.kind ORDER BY s.score DESC, d.id) AS n FROM search_doc d, "
        "LATERAL (SELECT ts_rank_cd(d.tsv, %s::tsquery, 32) AS score) s, LATERAL (VALUES (d.kind), ('*')) k(kind) "
        "WHERE d.tsv @@ %s::tsquery) r WHERE n <= %s ORDER BY kind, n")
INSERT = ("INSERT INTO search_champion (list_id, score, doc_id) "
          "SELECT unnest(%s::integer[]), unnest(%s::real[]), unnest(%s::integer[])")


def refresh(min_docs, size, rebuild=False, progress=iter):
    """Make lists for words whose lexemes are in more than ``min_docs`` documents; mend the ones that need it.

    A list is built again when it is missing an app, has lost a quarter of its rows to
    changes, or has grown to twice its size. Each word is built in its own short
    transaction, the words passed through ``progress`` (a progress bar). Returns how
    many words were (re)built.
    """
    common = {p for p in (_parts(*row) for row in db.execute_sql(COMMON, (min_docs,)).fetchall()) if p}
    state = defaultdict(dict)
    for query, kind, floor, built, count in db.execute_sql(STATE).fetchall():
        state[query][kind] = (floor, built, count)
    todo = [key for key in sorted(common, key=sorted) if rebuild or _needs_building(state.get(query_of(key), {}), size)]
    for key in progress(todo):
        with db.atomic():
            build(key, size)
    if todo:  # fresh statistics, or the trigger's plan may score every list for each write (31 ms, not 8)
        db.execute_sql("ANALYZE search_champion_list, search_champion")
    return len(todo)


def _needs_building(kinds, size):
    for kind in SCOPES:
        if kind not in kinds:
            return True
        floor, built, count = kinds[kind]
        if count > 2 * max(built, size) or (floor >= 0 and count < built * 3 // 4):
            return True
    return False


def build(key, size):
    """Build one word's lists (every app's) from the index (in the caller's transaction).

    Writers wait meanwhile (SHARE lock): a document changed while the list is read
    would be neither in what was read nor seen by the trigger, which reads the old lists.
    """
    query = query_of(key)
    db.execute_sql("LOCK TABLE search_doc IN SHARE MODE")
    db.execute_sql("DELETE FROM search_champion WHERE list_id IN (SELECT id FROM search_champion_list "
                   "WHERE query = %s)", (query,))
    db.execute_sql("DELETE FROM search_champion_list WHERE query = %s", (query,))
    by_kind = defaultdict(list)
    for kind, score, doc_id in db.execute_sql(BEST, (query, query, size + 1)):
        by_kind[kind].append((score, doc_id))
    kept = []
    for kind in SCOPES:
        floor = by_kind[kind][size] if len(by_kind[kind]) > size else (-1.0, -1)
        (list_id,) = db.execute_sql(
            "INSERT INTO search_champion_list (query, kind, lexemes, floor, floor_id, built) "
            "VALUES (%s, %s, %s, %s, %s, %s) RETURNING id",
            (query, kind, sorted(key), *floor, min(size, len(by_kind[kind])))).fetchone()
        kept += [(list_id, score, doc_id) for score, doc_id in by_kind[kind][:size]]
    if kept:
        db.execute_sql(INSERT, [list(column) for column in zip(*kept, strict=True)])


def clear():
    """Forget every list (before the whole index is rebuilt: nothing to keep up meanwhile)."""
    db.execute_sql("DELETE FROM search_champion")
    db.execute_sql("DELETE FROM search_champion_list")
