"""Champion lists (SQLite): the best documents of each common word, kept as the index changes.

FTS5 ranks a word by scoring every document that holds it (bm25, ~0.7 µs each), so a
common word over 100,000 items costs milliseconds, and more as items are added. For
every word in more than ``SEARCH_LIST_MIN_DOCS`` documents, lists keep the documents
that score best for that word alone (``SEARCH_LIST_SIZE`` of them, per app and over
every app), with what bm25 needs to score them again: the word's weighted count in the
document and the document's length; and the word's document count (its idf). A
one-word search reads the head of a list and scores it the way FTS5 does: the same
formula in the same floating-point steps, so the same numbers, order and ties.

Why the head is enough: a document's score for one word falls when the average
document length (avgdl) falls, and grows by a bounded factor when it grows (most for
the longest document). So the rows not read score at most the last row read times that
factor, and documents a list left out at most its ``floor`` times it. The search reads
until its best rows beat that bound; when they cannot (many documents deleted, say),
FTS5 ranks the word as before.

The lists stay exact as items change: triggers on ``search_doc`` drop a changed or
deleted document's rows, keep its old text (to count it out) and mark it pending;
``settle`` (called by ``index_item`` in the same transaction) counts and scores them,
and a search never reads the lists while anything waits. ``refresh`` (a periodic job,
and after a reindex) makes lists for words that became common and rebuilds the ones
that shrank, grew long or drifted.
"""
import json
import math
import re
import sqlite3
import threading
from collections import defaultdict
from functools import lru_cache

from suite.extensions import db
from suite.search.models import KINDS

EVERY = "*"              # the list of a word over every app (what the unified search reads)
SCOPES = KINDS + (EVERY,)

COLUMNS = ("title", "body", "tags", "url", "kind")  # search_fts's columns, in order
WEIGHTS = (10.0, 1.0, 4.0, 2.0, 0.0)                  # bm25's weight per column; kind weighs nothing
K1, B = 1.2, 0.75                                     # FTS5's bm25 constants
SLACK = 1 + 1e-9                                      # room for rounding in the drift bound
DEEPEST = 4096                                        # rows per app read before handing the word to FTS5
EXCLUDED_MAX = 5000                                   # an excluded word in more documents: FTS5 ranks
REBUILD_DRIFT = 1.02                                  # avgdl moved by 2%: the list is built again
WEIGHT_OF = dict(zip(COLUMNS, WEIGHTS, strict=True))


def impact(freq, length, avgdl):
    """One word's bm25 part for a document, before its idf (FTS5's expression, step for step)."""
    return (freq * (K1 + 1.0)) / (freq + K1 * (1 - B + B * length / avgdl))


def idf(rows, hits):
    """FTS5's idf: never below 1e-6."""
    value = math.log((rows - hits + 0.5) / (hits + 0.5))
    return value if value > 0.0 else 1e-6


def varints(blob):
    """The unsigned varints of an FTS5 record (SQLite's encoding)."""
    out, value, length = [], 0, 0
    for byte in blob or b"":
        length += 1
        if length == 9:
            out.append((value << 8) | byte)
            value, length = 0, 0
        elif byte & 0x80:
            value = (value << 7) | (byte & 0x7F)
        else:
            out.append((value << 7) | byte)
            value, length = 0, 0
    return out


def totals():
    """(documents, average length in tokens) as FTS5 has them (its averages record)."""
    row = db.execute_sql("SELECT block FROM search_fts_data WHERE id = 1").fetchone()
    counts = varints(row[0]) if row else [0]
    rows = counts[0]
    return rows, (float(sum(counts[1:])) / float(rows) if rows else 1.0)


_local = threading.local()
_SPEC = re.compile(r"tokenize\s*=\s*'((?:[^']|'')*)'", re.IGNORECASE)
_specs = {}


def _tokenize_spec():
    """search_fts's ``tokenize`` option (read once per database file)."""
    spec = _specs.get(db.database)
    if spec is None:
        sql = db.execute_sql("SELECT sql FROM sqlite_master WHERE name = 'search_fts'").fetchone()[0]
        match = _SPEC.search(sql)
        spec = _specs[db.database] = match.group(1) if match else "unicode61"
    return spec


def _tokenizer(tokenize=None):
    """A private in-memory FTS5 table with search_fts's tokenizer (per thread)."""
    tokenize = tokenize or _tokenize_spec()
    conn = getattr(_local, "conn", None)
    if conn is None or _local.tokenize != tokenize:
        conn = sqlite3.connect(":memory:")
        quoted = tokenize.replace("'", "''")
        conn.execute(f"CREATE VIRTUAL TABLE tok USING fts5({', '.join(COLUMNS)}, tokenize='{quoted}')")
        conn.execute("CREATE VIRTUAL TABLE tokv USING fts5vocab(tok, 'instance')")
        _local.conn, _local.tokenize = conn, tokenize
    return conn


def weighted_terms(values):
    """({term: weighted count}, tokens) of one document's column values, tokenized as search_fts does."""
    conn = _tokenizer()
    with conn:
        conn.execute("INSERT INTO tok(rowid, title, body, tags, url, kind) VALUES (1, ?, ?, ?, ?, ?)", values)
        found = conn.execute("SELECT term, col FROM tokv").fetchall()
        conn.execute("DELETE FROM tok")
    return weighted_counts(found), len(found)


def weighted_counts(instances):
    """{key: bm25's weighted count} of (key, column) instances (a word's documents, a document's words)."""
    counts = defaultdict(float)
    for key, col in instances:
        counts[key] += WEIGHT_OF[col]
    return counts


def term_of(word):
    """The one index term a search word stands for, or None (none, or a phrase of several)."""
    return _term_of(_tokenize_spec(), word)


@lru_cache(maxsize=4096)
def _term_of(tokenize, word):
    conn = _tokenizer(tokenize)
    with conn:
        conn.execute("INSERT INTO tok(rowid, body) VALUES (1, ?)", (word,))
        terms = [t for (t,) in conn.execute("SELECT term FROM tokv")]
        conn.execute("DELETE FROM tok")
    return terms[0] if len(terms) == 1 else None


# -- keeping the lists exact as documents change --------------------------------------------

PENDING = ("SELECT p.doc_id, d.kind, d.title, d.body, d.tags, d.url, s.sz FROM search_champion_pending p "
           "JOIN search_doc d ON d.id = p.doc_id JOIN search_fts_docsize s ON s.id = p.doc_id")
LISTS_OF = ("SELECT term, kind, avgdl, floor FROM search_champion_list "
            "WHERE kind IN (?, '*') AND term IN (SELECT value FROM json_each(?))")
LONGEST = ("UPDATE search_champion_list SET max_length = ? "
           "WHERE kind IN (?, '*') AND max_length < ? AND term IN (SELECT value FROM json_each(?))")
INSERT = "INSERT OR REPLACE INTO search_champion (term, kind, impact, doc_id, freq, length) VALUES (?, ?, ?, ?, ?, ?)"


COUNT = ("UPDATE search_champion_word SET docs = docs + ? "
         "WHERE term IN (SELECT value FROM json_each(?))")
DELETE = ("DELETE FROM search_champion WHERE term = ? AND kind = ? AND impact = ? AND freq = ? AND length = ? "
          "AND doc_id = ?")


def settle():
    """Count changed documents out of and into the words' document counts, drop their old
    rows and score the pending ones against the lists of their app (in the caller's transaction).

    An old row is found by its whole key: its impact is computed again from the old text,
    at the avgdl its list was built at, exactly as it was when stored.
    """
    gone = db.execute_sql("SELECT id, doc_id, title, body, tags, url, kind FROM search_champion_gone").fetchall()
    for _id, doc_id, *values in gone:
        freqs, length = weighted_terms(values)
        terms = _listed(freqs)
        if terms is None:
            continue
        db.execute_sql(COUNT, (-1, terms))
        db.cursor().executemany(DELETE, [
            (term, scope, impact(freqs[term], length, avgdl), freqs[term], length, doc_id)
            for term, scope, avgdl, _floor in db.execute_sql(LISTS_OF, (values[-1], terms))])
    if gone:
        db.execute_sql("DELETE FROM search_champion_gone WHERE id <= ?", (gone[-1][0],))
    pending = db.execute_sql(PENDING).fetchall()
    for doc_id, kind, title, body, tags, url, size in pending:
        freqs, _tokens = weighted_terms((title, body, tags, url, kind))
        length, terms = sum(varints(size)), _listed(freqs)
        if terms is None:
            continue
        db.execute_sql(COUNT, (1, terms))
        db.execute_sql(LONGEST, (length, kind, length, terms))
        rows = []
        for term, scope, avgdl, floor in db.execute_sql(LISTS_OF, (kind, terms)):
            score = impact(freqs[term], length, avgdl)
            if score > floor:
                rows.append((term, scope, score, doc_id, freqs[term], length))
        if rows:
            db.cursor().executemany(INSERT, rows)
    if pending:
        db.execute_sql("DELETE FROM search_champion_pending WHERE doc_id IN (SELECT value FROM json_each(?))",
                       (json.dumps([p[0] for p in pending]),))


def _listed(freqs):
    """The document's words that have lists, as a JSON array (None when none has)."""
    listed = [t for (t,) in db.execute_sql("SELECT term FROM search_champion_word WHERE term IN "
                                           "(SELECT value FROM json_each(?))", (json.dumps(list(freqs)),))]
    return json.dumps(listed) if listed else None


def has_pending():
    """True while a changed document has not been counted and scored against the lists yet."""
    return db.execute_sql("SELECT EXISTS (SELECT 1 FROM search_champion_pending) "
                          "OR EXISTS (SELECT 1 FROM search_champion_gone)").fetchone()[0] == 1


# -- a one-word search ----------------------------------------------------------------------

# A list's order: best first, then documents that score alike (same count, same length) together.
HEAD = ("SELECT impact, doc_id, freq, length FROM search_champion WHERE term = ? AND kind = ? "
        "ORDER BY impact DESC, freq, length, doc_id LIMIT ?")
SAME_IMPACT_AFTER = ("SELECT impact FROM search_champion WHERE term = ? AND kind = ? AND impact = ? "
                     "AND (freq, length) > (?, ?) LIMIT 1")
BELOW = ("SELECT impact FROM search_champion WHERE term = ? AND kind = ? AND impact < ? "
         "ORDER BY impact DESC LIMIT 1")


def rank_word(term, excluded, kinds, wanted):
    """The best ``wanted`` (id, bm25 score) for one index term, as FTS5 ranks them, or None.

    ``excluded`` are the FTS5 strings of words the search excludes. None means: FTS5 must
    rank this one (no lists for the word, changes waiting, or the lists cannot prove their head).
    Everything is read from one snapshot (a read transaction), as FTS5 reads in one statement.
    """
    with db.atomic("DEFERRED"):
        return _rank_word(term, excluded, kinds, wanted)


def _rank_word(term, excluded, kinds, wanted):
    scopes = [EVERY] if set(kinds) == set(KINDS) else list(kinds)
    lists = db.execute_sql("SELECT kind, avgdl, floor, max_length FROM search_champion_list WHERE term = ? "
                           "AND kind IN (SELECT value FROM json_each(?))", (term, json.dumps(scopes))).fetchall()
    if len(lists) < len(scopes) or has_pending():
        return None
    hidden = set()
    for other in excluded:
        ids = db.execute_sql("SELECT rowid FROM search_fts WHERE search_fts MATCH ? LIMIT ?",
                             (other, EXCLUDED_MAX + 1)).fetchall()
        if len(ids) > EXCLUDED_MAX:
            return None
        hidden.update(i for (i,) in ids)
    rows, avgdl = totals()
    hits = db.execute_sql("SELECT docs FROM search_champion_word WHERE term = ?", (term,)).fetchone()
    if hits is None:
        return None
    weight = idf(rows, hits[0])

    def score(value):
        return -1.0 * (0.0 + weight * value)  # FTS5's sum over the query's phrases, negated

    depth = wanted + 16
    while True:
        found, limits, more = [], [], False
        for kind, built_at, floor, max_length in lists:
            read, group, rest = _head(term, kind, depth, avgdl, most_gain(avgdl, built_at, max_length), floor)
            found += [(score(g), doc_id) for g, doc_id in read if doc_id not in hidden]
            limits.append(((score(group[0]), group[1]) if group else None, rest))
            more = more or group is not None
        found.sort()
        best = []
        for row in found[:wanted]:
            if not all(_before(row, limit, score) for limit in limits):
                break
            best.append((row[1], row[0]))
        if len(best) >= wanted or not any(limit != (None, None) for limit in limits):
            return best[:wanted]
        if not more or depth >= DEEPEST:
            return None
        depth = min(depth * 4, DEEPEST)


def _before(row, limit, score):
    """Whether (score, id) ``row`` comes before everything of a list not read (FTS5's order: score, then id).

    ``limit`` is (the last row's group: its score now and id, or None; the most
    anything else unread can score before idf, or None).
    """
    group, rest = limit
    if group is not None and row > group:  # same count and length: the same score; then by id
        return False
    return rest is None or row[0] < score(rest)


def most_gain(avgdl, built_at, max_length):
    """How much a score for one word can have grown since its list was built at ``built_at``.

    With e = k1·b/avgdl, a document's score moves by (f + c + e₀·D) / (f + c + e·D): at
    most 1 when avgdl did not grow, else most for the longest document (``max_length``
    of the list's app) with the least weight (f = 1). Identical when avgdl is unchanged.
    """
    if avgdl == built_at:
        return 1.0
    then, now, c = K1 * B / built_at, K1 * B / avgdl, K1 * (1 - B)
    least = min(w for w in WEIGHTS if w > 0)
    return (1.0 + max(0.0, then - now) * max_length / (least + c + now * max_length)) * SLACK


def _head(term, kind, depth, avgdl, gain, floor):
    """(the first ``depth`` rows of a list as (score now before idf, id), the last row's if more
    follow, the most anything else unread can score before idf or None).

    The rest of the list is the last row's group (same count and length, so the same
    score, larger ids), then rows of a lower or equal impact, then the documents the list
    left out (at most ``floor``). Their scores now: at most impact × ``gain``.
    """
    rows = db.execute_sql(HEAD, (term, kind, depth)).fetchall()
    read = [(impact(freq, length, avgdl), doc_id) for _i, doc_id, freq, length in rows]
    if len(rows) < depth:  # all read: only what the list left out
        return read, None, (floor * gain if floor >= 0 else None)
    last_impact, _id, freq, length = rows[-1]
    nxt = (db.execute_sql(SAME_IMPACT_AFTER, (term, kind, last_impact, freq, length)).fetchone()
           or db.execute_sql(BELOW, (term, kind, last_impact)).fetchone())
    rest = nxt[0] if nxt else (floor if floor >= 0 else None)
    return read, read[-1], (rest * gain if rest is not None else None)


# -- making and mending the lists -----------------------------------------------------------

def refresh(min_docs, size, rebuild=False, progress=iter):
    """Make lists for words in more than ``min_docs`` documents, and mend the ones that need it.

    A list is built again when it is missing an app, has lost a quarter of its rows to
    changes, has grown to twice its size, or was built at an avgdl 2% away from
    today's. Each word is built in its own short write transaction, the words passed
    through ``progress`` (a progress bar). Returns how many words were (re)built.
    """
    with db.atomic():
        settle()
    _vocabulary()
    common = db.execute_sql("SELECT term FROM temp.search_champion_vocab WHERE doc > ?", (min_docs,)).fetchall()
    state = defaultdict(dict)
    for term, kind, avgdl, floor, built, count in db.execute_sql(
            "SELECT l.term, l.kind, l.avgdl, l.floor, l.built, (SELECT count(*) FROM search_champion c "
            "WHERE c.term = l.term AND c.kind = l.kind) FROM search_champion_list l"):
        state[term][kind] = (avgdl, floor, built, count)
    _rows, avgdl = totals()
    todo = [term for (term,) in common if rebuild or _needs_building(state.get(term, {}), avgdl, size)]
    for term in progress(todo):
        with db.atomic():
            build(term, size)
    return len(todo)


def clear():
    """Forget every list (before the whole index is rebuilt: nothing to keep up meanwhile)."""
    for table in ("search_champion", "search_champion_list", "search_champion_word", "search_champion_pending",
                  "search_champion_gone"):
        db.execute_sql(f"DELETE FROM {table}")


def _needs_building(kinds, avgdl, size):
    for kind in SCOPES:
        if kind not in kinds:
            return True
        built_at, floor, built, count = kinds[kind]
        drift = max(avgdl / built_at, built_at / avgdl)
        if drift > REBUILD_DRIFT or count > 2 * max(built, size) or (floor >= 0 and count < built * 3 // 4):
            return True
    return False


def _vocabulary():
    db.execute_sql("CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_champion_vocab "
                   "USING fts5vocab(main, search_fts, 'row')")
    db.execute_sql("CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_champion_instances "
                   "USING fts5vocab(main, search_fts, 'instance')")


DOCS = ("SELECT d.id, d.kind, s.sz FROM search_doc d JOIN search_fts_docsize s ON s.id = d.id "
        "WHERE d.id IN (SELECT value FROM json_each(?))")


def _cut(ranked, size):
    """Where a list ends: never inside a run of equal scores, so what it leaves out scores strictly less.

    Before the run that ``size`` falls in, unless that keeps under half of ``size``; then after it.
    """
    if len(ranked) <= size:
        return len(ranked)
    cut = size
    while cut > 0 and ranked[cut][0] == ranked[cut - 1][0]:
        cut -= 1
    if cut < size // 2:
        cut = size
        while cut < len(ranked) and ranked[cut][0] == ranked[cut - 1][0]:
            cut += 1
    return cut


def build(term, size):
    """Build one word's lists (every app's) from the index, at today's avgdl (in the caller's transaction)."""
    settle()  # what waits would otherwise be counted twice, or counted out of a count that never had it
    _vocabulary()
    freqs = weighted_counts(db.execute_sql("SELECT doc, col FROM temp.search_champion_instances WHERE term = ?",
                                           (term,)))
    _rows, avgdl = totals()
    by_kind = defaultdict(list)
    for doc_id, kind, doc_size in db.execute_sql(DOCS, (json.dumps(list(freqs)),)):
        length = sum(varints(doc_size))
        by_kind[kind].append((impact(freqs[doc_id], length, avgdl), doc_id, freqs[doc_id], length))
    by_kind[EVERY] = [row for kind in KINDS for row in by_kind[kind]]
    db.execute_sql("DELETE FROM search_champion WHERE term = ?", (term,))
    db.execute_sql("DELETE FROM search_champion_list WHERE term = ?", (term,))
    db.execute_sql("INSERT OR REPLACE INTO search_champion_word (term, docs) VALUES (?, ?)", (term, len(freqs)))
    for kind in SCOPES:
        ranked = sorted(by_kind.get(kind, ()), key=lambda r: (-r[0], r[2], r[3], r[1]))
        cut = _cut(ranked, size)
        floor = ranked[cut][0] if len(ranked) > cut else -1.0
        db.cursor().executemany(INSERT, [(term, kind, *r) for r in ranked[:cut]])
        db.execute_sql("INSERT INTO search_champion_list (term, kind, avgdl, floor, max_length, built) "
                       "VALUES (?, ?, ?, ?, ?, ?)", (term, kind, avgdl, floor, max((r[3] for r in ranked), default=0), cut))
