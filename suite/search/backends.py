"""Two ways to run one parsed search: SQLite FTS5 (bm25) and PostgreSQL full-text search.

Both take a ParsedQuery plus visibility and filter conditions (peewee expressions
on SearchDoc) and return rows with ``score`` and a raw ``snip`` whose matches are
wrapped in \\x02 … \\x03 markers (escaped and turned into <mark> by the caller).

Both search the same way (``RankedBackend``): the words are ranked alone, with no
join per match, and that ranking is kept (``rankings``) for every reader who sends
the same words; then the ones ``where`` allows are kept.
"""
import json
from typing import NamedTuple

from flask import current_app
from peewee import SQL, Function, NodeList, Table, fn

from suite import pagecache
from suite.database import ids_param, in_ids
from suite.extensions import db
from suite.search import champions, champions_pg, ranking_pg
from suite.search.indextext import HAS_CJK, PG_FOLD, PG_STEMMED, SEPARATOR
from suite.search.models import KINDS, LIST_COLUMNS, SearchDoc
from suite.search.querytext import OR
from suite.search.rankings import Rankings
from suite.search.snippets import START, STOP, cjk_marked, quick_highlight, quick_snippet, unfolded

FTS_TABLE = Table("search_fts")


def _fts5_string(text):
    return '"' + text.replace('"', '""') + '"'


def _folded(text):
    """PostgreSQL: ``text`` with accented Latin letters folded (migration 0022)."""
    return Function(PG_FOLD, (text,))


def _one_word(parsed):
    """True when the search is one word (less excluded ones): champion lists may rank it."""
    return len(parsed.words) == 1 and not parsed.phrases and not parsed.either


class OneWord(NamedTuple):
    """A search for one word (less some excluded ones): champion lists may rank it."""

    expression: str   # the same search as an FTS5 MATCH string
    term: str         # the word as the index holds it
    excluded: tuple   # the excluded words as FTS5 strings
    kinds: tuple      # the apps searched


class PgWords(NamedTuple):
    """A PostgreSQL search: its websearch text and apps; champion lists may rank one word."""

    text: str         # the websearch_to_tsquery text
    kinds: tuple      # the apps searched (None: every app)
    word: str         # the one word searched, or None (several, or a phrase)
    excluded: tuple   # the excluded words


class RankedBackend:
    """The search both engines share; they supply ``tries``, ``rank``, ``allowed``, ``joined``, ``fetch`` and ``marked``."""

    CANDIDATES = 200

    def search(self, parsed, where, limit, offset, kinds=None):
        """Ranked rows matching the text and ``where``; snippets only for the rows returned.

        The words are ranked alone first: the best ``CANDIDATES`` matches, of which
        the ones ``where`` allows are kept. An engine may try more than one ranking
        (``tries``: the searched apps alone, say). When the candidates run out before
        the page is full (a reader who may see few of the matches), the matches are
        ranked again with ``where`` joined in. Every way gives the same order (the
        score, then the id), so pages never overlap.
        """
        need = offset + limit
        for key in self.tries(parsed, kinds):
            ranked, complete = self._candidates(key, where, need)
            if complete:
                break
        else:
            ranked = self.joined(key, where, need)
        return self.rows(ranked[offset:need], parsed)

    def _candidates(self, key, where, need):
        """(the best visible (id, score) among the best matches, whether they are certainly the best).

        What the reader may see is looked up a slice of candidates at a time, best first, until the
        page is full: most readers see most matches, so a first page looks up ~50 ids, not 200.
        """
        wanted = max(self.CANDIDATES, 4 * need)
        candidates = self._ranking(key, wanted)
        ranked, start, step = [], 0, 2 * need + 8
        while start < len(candidates) and len(ranked) < need:
            chunk = candidates[start:start + step]
            allowed = self.allowed([c[0] for c in chunk], where)
            ranked += [c for c in chunk if c[0] in allowed]
            start, step = start + step, step * 2
        return ranked, len(candidates) < wanted or len(ranked) >= need

    def _ranking(self, key, wanted):
        """The engine's best ``wanted`` (id, score) for ``key``, the same for every reader.

        Kept in this process until the index changes (``rankings``): the same words
        again skip the part of a search whose cost grows with the number of matches.
        """
        cache = rankings()
        generations = pagecache.generations()
        pinned = tuple(generations.get(kind, 0) for kind in KINDS)
        found = cache.get((key, wanted), pinned)
        if found is not None:
            return found
        ranked = [tuple(row) for row in self.rank(key, wanted)]
        cache.put((key, wanted), pinned, ranked)
        return ranked

    def rows(self, shown, parsed):
        """The shown rows (``fetch``) with titles and snippets marked, in rank order.

        Python marks the words where that is certain (``quick_snippet``,
        ``quick_highlight``); the engine marks the rest (``marked``), for those rows only.
        """
        if not shown:
            return []
        words = [] if parsed.has_phrases else parsed.all_words
        rows = {}
        for row in self.fetch([i for i, _ in shown]):
            row["snip"] = quick_snippet(row.pop("body"), words)
            row["title_marked"] = quick_highlight(row["title"], words)
            rows[row["id"]] = row
        slow = [i for i, row in rows.items() if row["snip"] is None or row["title_marked"] is None]
        if slow:
            for rowid, snip, title in self.marked(slow, parsed):
                row = rows[rowid]
                row["snip"] = snip if row["snip"] is None else row["snip"]
                row["title_marked"] = title if row["title_marked"] is None else row["title_marked"]
        return [dict(rows[i], score=score) for i, score in shown if i in rows]


class Fts5Backend(RankedBackend):
    """SQLite FTS5 over the external-content table ``search_fts``."""

    def match_expression(self, parsed):
        """The FTS5 MATCH string: every part quoted, so no input is FTS syntax."""
        parts = [_fts5_string(w) for w in parsed.words]
        parts += [_fts5_string(p) for p in parsed.phrases]
        parts += ["(" + " OR ".join(_fts5_string(t.text) for t in group) + ")" for group in parsed.either]
        expr = " AND ".join(parts)
        for word in parsed.excluded:
            expr += " NOT " + _fts5_string(word)
        return expr

    BM25 = f"bm25(search_fts, {', '.join(map(str, champions.WEIGHTS))})"  # title, body, tags, url, kind
    MINORITY = 0.5

    def tries(self, parsed, kinds):
        """What to rank by: one word goes to the champion lists (``OneWord``); otherwise MATCH
        expressions, where a search of some apps only asks FTS5 for their matches alone when
        they are a minority of the index, else all matches first, then theirs."""
        expression = self.match_expression(parsed)
        scoped = expression
        if kinds:
            scoped = f"{expression} AND {{kind}} : ({' OR '.join(_fts5_string(k) for k in kinds)})"
        term = champions.term_of(parsed.words[0]) if _one_word(parsed) else None
        if term is not None:
            return [OneWord(scoped, term, tuple(_fts5_string(w) for w in parsed.excluded), tuple(kinds or KINDS))]
        if not kinds:
            return [expression]
        return [scoped] if self._minority(kinds) else [expression, scoped]

    def rank(self, key, wanted):
        """The best ``wanted`` matches: from the champion lists when they can prove them, else
        bm25 over every match (plain SQL: this runs per search, peewee's query building is not free)."""
        if isinstance(key, OneWord):
            ranked = champions.rank_word(key.term, key.excluded, key.kinds, wanted)
            if ranked is not None:
                return ranked
            key = key.expression
        return db.execute_sql(f"SELECT rowid, {self.BM25} AS score FROM search_fts "
                              "WHERE search_fts MATCH ? ORDER BY score, rowid LIMIT ?", (key, wanted))

    def allowed(self, ids, where):
        """The ids among ``ids`` that ``where`` allows.

        NOT INDEXED: look the candidates up by primary key; left alone, the planner
        prefers the visibility/owner indexes and walks every public row instead.
        """
        return {row[0] for row in db.execute(
            SearchDoc.select(SearchDoc.id).from_(SQL('"search_doc" AS "t1" NOT INDEXED'))
            .where(SearchDoc.id.in_(in_ids(ids_param(ids))), *where))}

    def joined(self, key, where, need):
        """Every match ranked with ``where`` joined in (a reader who may see few of them)."""
        match = NodeList((self.fts, SQL("MATCH"), key.expression if isinstance(key, OneWord) else key))
        return list(SearchDoc.select(SearchDoc.id, self.score.alias("score"))
                    .join(FTS_TABLE, on=(FTS_TABLE.c.rowid == SearchDoc.id))
                    .where(match, *where).order_by(self.score, SearchDoc.id).limit(need).tuples())

    def _minority(self, kinds):
        """True when the apps searched hold under half of the index (counts kept ten minutes)."""
        counts = pagecache.remember((), ("search-kind-counts",), lambda: dict(db.execute_sql(
            "SELECT kind, count(*) FROM search_doc GROUP BY kind").fetchall()), seconds=600)
        total = sum(counts.values())
        return not total or sum(counts.get(k, 0) for k in kinds) < self.MINORITY * total

    fts = FTS_TABLE.c.search_fts  # the hidden column FTS5's functions take
    score = fn.bm25(fts, *champions.WEIGHTS)

    ROWS = ("SELECT " + ", ".join(f"d.{c.column_name}" for c in LIST_COLUMNS) +
            ", d.body FROM search_doc AS d WHERE d.id IN (SELECT value FROM json_each(?))")
    # Only for the rows Python could not mark: each id is looked up in FTS5 (rowid = ?, a seek).
    MARKED = ("SELECT rowid, snippet(search_fts, 1, ?, ?, '…', 16), highlight(search_fts, 0, ?, ?)"
              " FROM search_fts WHERE search_fts MATCH ? AND rowid IN (SELECT value FROM json_each(?))")
    NAMES = [c.name for c in LIST_COLUMNS] + ["body"]
    TIMES = ("updated_at", "expires_at")  # plain SQL hands SQLite's text back: made datetimes as peewee would

    def fetch(self, ids):
        """The rows of ``ids`` with their bodies (plain SQL: per search, like the ranking)."""
        to_time = SearchDoc.updated_at.python_value
        for values in db.execute_sql(self.ROWS, (json.dumps(ids),)):
            row = dict(zip(self.NAMES, values, strict=True))
            for name in self.TIMES:
                row[name] = to_time(row[name])
            yield row

    def marked(self, ids, parsed):
        """(id, snippet, title) as FTS5 marks them."""
        return db.execute_sql(self.MARKED, (START, STOP, START, STOP, self.match_expression(parsed), json.dumps(ids)))


def rankings():
    """This app's ``Rankings`` (made on first use from SEARCH_CACHE_ENTRIES / SEARCH_CACHE_SECONDS)."""
    cache = current_app.extensions.get("suite.rankings")
    if cache is None:
        cfg = current_app.config
        cache = current_app.extensions.setdefault(
            "suite.rankings", Rankings(cfg["SEARCH_CACHE_ENTRIES"], cfg["SEARCH_CACHE_SECONDS"]))
    return cache


class PostgresBackend(RankedBackend):
    """PostgreSQL ``websearch_to_tsquery`` over a stored, GIN-indexed tsvector."""

    OPTIONS = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, MaxFragments=2"

    def websearch_text(self, parsed):
        """A websearch string of the searched parts, excluded words apart (never a syntax error)."""
        parts = [self._term(w, False) for w in parsed.words]
        parts += [self._term(p, True) for p in parsed.phrases]
        parts += [" or ".join(self._term(*term) for term in group) for group in parsed.either]
        return " ".join(parts)

    def excluded_text(self, excluded):
        """A websearch string matching any of the excluded words."""
        return " or ".join(self._term(w, " " in w) for w in excluded)

    @staticmethod
    def _term(text, phrase):
        text = text.replace('"', " ")
        return f'"{text}"' if phrase or text.lower() == OR else text  # a word "or" is no operator here

    @staticmethod
    def _words(words):
        return [w.replace('"', " ") for w in words]

    @staticmethod
    def _websearch(config, text):
        return fn.websearch_to_tsquery(SQL(f"'{config}'"), _folded(text))

    def tsquery(self, text, excluded=""):
        """(English tsquery, English-or-simple tsquery less the excluded words): stemmed matches and exact
        words both count; an item holding an excluded word in either form is left out.

        When both are the same (words the stemmer leaves alone), the English one alone: the
        same matches and scores, and half ts_rank_cd's work (a two-word search over 6,458
        matches at 100k items: 75 ms → 45 ms). PostgreSQL folds the choice into a constant.
        """
        english = self._websearch(PG_STEMMED, text)
        simple = self._websearch("simple", text)
        either = NodeList((SQL("CASE WHEN"), english, SQL("="), simple, SQL("THEN"), english, SQL("ELSE"),
                           english, SQL("||"), simple, SQL("END")), glue=" ", parens=True)
        if excluded:  # outside the OR: the simple form of "snakes" is not what an English body holds
            unwanted = NodeList((self._websearch(PG_STEMMED, excluded), SQL("||"),
                                 self._websearch("simple", excluded)), parens=True)
            either = NodeList((either, SQL("&& !!"), unwanted), parens=True)
        return english, either

    def tries(self, parsed, kinds):
        """One ranking: the websearch text, over the searched apps only (``kind`` is a plain column here);
        one word may go to the champion lists."""
        word = self._words(parsed.words)[0] if _one_word(parsed) else None
        return [PgWords(self.websearch_text(parsed), tuple(kinds) if kinds else None, word,
                        tuple(self._words(parsed.excluded)))]

    def _ranked(self, key, where=()):
        _english, tsq = self.tsquery(key.text, self.excluded_text(key.excluded))
        scoped = [SearchDoc.kind.in_(key.kinds)] if key.kinds else []
        short = ranking_pg.shorter(key.text)
        ranked_by = tsq
        if short is not None:
            ranked_by = SQL("%s::tsquery", (short.english,))
            if short.simple_own:
                ranked_by = NodeList((SQL("CASE WHEN tsv @@ %s::tsquery THEN", (short.simple_own,)), tsq,
                                      SQL("ELSE"), ranked_by, SQL("END")), parens=True)
        return (SearchDoc.select(SearchDoc.id, fn.ts_rank_cd(SQL("tsv"), ranked_by, 32).alias("score"))
                .where(NodeList((SQL("tsv @@"), tsq)), *scoped, *where)
                .order_by(SQL("score").desc(), SearchDoc.id))  # equals: the oldest first, as FTS5

    def rank(self, key, wanted):
        """ts_rank_cd's best ``wanted`` matches: from the champion lists when they can tell, else over every match."""
        if key.word is not None:
            ranked = champions_pg.rank_word(key.word, key.excluded, key.kinds or KINDS, wanted)
            if ranked is not None:
                return ranked
        return self._ranked(key).limit(wanted).tuples()

    def allowed(self, ids, where):
        """The ids among ``ids`` that ``where`` allows (one array parameter, not one per id)."""
        return {i for (i,) in SearchDoc.select(SearchDoc.id).where(SQL("id = ANY(%s)", (ids,)), *where).tuples()}

    def joined(self, key, where, need):
        """Every match ranked with ``where`` in the same query (a reader who may see few of them)."""
        return list(self._ranked(key, where).limit(need).tuples())

    def fetch(self, ids):
        """The rows of ``ids`` with their bodies."""
        return SearchDoc.select(*LIST_COLUMNS, SearchDoc.body).where(SQL("id = ANY(%s)", (ids,))).dicts()

    HEADLINE = 20000  # characters of the body a snippet is made from

    def marked(self, ids, parsed):
        """(id, snippet, title) as ts_headline marks them in the accent-folded text, accents put back."""
        english, _either = self.tsquery(self.websearch_text(parsed))
        body, title = fn.left(SearchDoc.body, self.HEADLINE), SearchDoc.title
        config = SQL(f"'{PG_STEMMED}'")
        rows = SearchDoc.select(
            SearchDoc.id, fn.ts_headline(config, _folded(body), english, self.OPTIONS),
            fn.ts_headline(config, _folded(title), english, f"StartSel={START}, StopSel={STOP}, HighlightAll=true"),
            body, fn.nullif(_folded(body), body), title, fn.nullif(_folded(title), title),
        ).where(SQL("id = ANY(%s)", (ids,))).tuples()
        phrases = [SEPARATOR.join(p.split()) for p in parsed.all_phrases if HAS_CJK.search(p)]
        for doc_id, snip, title_marked, *texts in rows:
            yield (doc_id, cjk_marked(unfolded(snip, *texts[:2]), phrases),
                   cjk_marked(unfolded(title_marked, *texts[2:]), phrases))
