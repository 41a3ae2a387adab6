"""Two ways to run one parsed search: SQLite FTS5 (bm25) and PostgreSQL full-text search.

Both take a ParsedQuery plus visibility and filter conditions (peewee expressions
on SearchDoc) and return rows with ``score`` and a raw ``snip`` whose matches are
wrapped in \\x02 … \\x03 markers (escaped and turned into <mark> by the caller).
"""
import json

from peewee import SQL, NodeList, Table, fn

from suite import pagecache
from suite.extensions import db
from suite.search.models import LIST_COLUMNS, SearchDoc
from suite.search.snippets import START, STOP, quick_snippet

FTS_TABLE = Table("search_fts")


def _fts5_string(text):
    return '"' + text.replace('"', '""') + '"'


def _id_list(ids):
    """``IN`` operand for many ids as one JSON parameter (not one placeholder per id)."""
    return SQL("(SELECT value FROM json_each(?))", (json.dumps(ids),))


class Fts5Backend:
    """SQLite FTS5 over the external-content table ``search_fts``."""

    def match_expression(self, parsed):
        """The FTS5 MATCH string: every part quoted, so no input is FTS syntax."""
        parts = [_fts5_string(w) for w in parsed.words]
        parts += [_fts5_string(p) for p in parsed.phrases]
        expr = " AND ".join(parts)
        for word in parsed.excluded:
            expr += " NOT " + _fts5_string(word)
        return expr

    CANDIDATES = 200
    BM25 = "bm25(search_fts, 10.0, 1.0, 4.0, 2.0, 0.0)"  # title, body, tags, url; kind weighs nothing
    MINORITY = 0.5

    def search(self, parsed, where, limit, offset, kinds=None):
        """Ranked rows matching the text and ``where``; snippets only for the rows returned.

        bm25 is ranked inside FTS5 alone first (no join per match): the best
        ``CANDIDATES`` rows, of which the ones ``where`` allows are kept. A search
        of some apps only (``kinds``) asks FTS5 for their matches alone when they are
        a minority of the index, or when the first candidates held too few of them.
        When the candidates run out before the page is full (a reader who may see
        few of the matches), the matches are ranked again with ``where`` joined in.
        Every way gives the same order (bm25, then id), so pages never overlap.
        """
        expression = self.match_expression(parsed)
        need = offset + limit
        tries = [expression]
        if kinds:
            scoped = f"{expression} AND {{kind}} : ({' OR '.join(_fts5_string(k) for k in kinds)})"
            tries = [scoped] if self._minority(kinds) else [expression, scoped]
        for rank_by in tries:
            ranked, complete = self._candidates(rank_by, where, need)
            if complete:
                break
        else:
            match = NodeList((self.fts, SQL("MATCH"), rank_by))
            ranked = list(SearchDoc.select(SearchDoc.id, self.score.alias("score"))
                          .join(FTS_TABLE, on=(FTS_TABLE.c.rowid == SearchDoc.id))
                          .where(match, *where).order_by(self.score, SearchDoc.id).limit(need).tuples())
        return self._with_snippets(ranked[offset:need], expression, [] if parsed.phrases else parsed.words)

    def _candidates(self, expression, where, need):
        """(the best visible (id, score) among FTS5's best matches, whether they are certainly the best)."""
        wanted = max(self.CANDIDATES, 4 * need)
        candidates = db.execute_sql(  # plain SQL: this runs per search, peewee's query building is not free
            f"SELECT rowid, {self.BM25} AS score FROM search_fts "
            "WHERE search_fts MATCH ? ORDER BY score, rowid LIMIT ?", (expression, wanted)).fetchall()
        # NOT INDEXED: look the candidates up by primary key; left alone, the planner
        # prefers the visibility/owner indexes and walks every public row instead.
        allowed = {row[0] for row in db.execute(
            SearchDoc.select(SearchDoc.id).from_(SQL('"search_doc" AS "t1" NOT INDEXED'))
            .where(SearchDoc.id.in_(_id_list([c[0] for c in candidates])), *where))} if candidates else set()
        ranked = [c for c in candidates if c[0] in allowed]
        return ranked, len(candidates) < wanted or len(ranked) >= need

    def _minority(self, kinds):
        """True when the apps searched hold under half of the index (counts kept ten minutes)."""
        counts = pagecache.remember((), ("search-kind-counts",), lambda: dict(db.execute_sql(
            "SELECT kind, count(*) FROM search_doc GROUP BY kind").fetchall()), seconds=600)
        total = sum(counts.values())
        return not total or sum(counts.get(k, 0) for k in kinds) < self.MINORITY * total

    fts = FTS_TABLE.c.search_fts  # the hidden column FTS5's functions take
    score = fn.bm25(fts, 10.0, 1.0, 4.0, 2.0, 0.0)

    ROWS = ("SELECT " + ", ".join(f"d.{c.column_name}" for c in LIST_COLUMNS) +
            ", d.body, highlight(search_fts, 0, ?, ?)"
            " FROM search_doc AS d JOIN search_fts ON search_fts.rowid = d.id"
            " WHERE search_fts MATCH ? AND d.id IN (SELECT value FROM json_each(?))")
    SNIPPETS = ("SELECT rowid, snippet(search_fts, 1, ?, ?, '…', 16) FROM search_fts"
                " WHERE search_fts MATCH ? AND rowid IN (SELECT value FROM json_each(?))")
    NAMES = [c.name for c in LIST_COLUMNS] + ["body", "title_marked"]

    def _with_snippets(self, shown, expression, words):
        """Rows of the shown ids with their snippets, in rank order (plain SQL: per search, like the ranking).

        Snippets are made in Python where that is certain (``quick_snippet``); FTS5
        makes the rest, for those rows only.
        """
        if not shown:
            return []
        cursor = db.execute_sql(self.ROWS, (START, STOP, expression, json.dumps([i for i, _ in shown])))
        rows = {}
        for values in cursor:
            row = dict(zip(self.NAMES, values, strict=True))
            row["snip"] = quick_snippet(row.pop("body"), words)
            rows[row["id"]] = row
        slow = [i for i, row in rows.items() if row["snip"] is None]
        if slow:
            for rowid, snip in db.execute_sql(self.SNIPPETS, (START, STOP, expression, json.dumps(slow))):
                rows[rowid]["snip"] = snip
        to_time = SearchDoc.updated_at.python_value
        return [dict(rows[i], score=score, updated_at=to_time(rows[i]["updated_at"])) for i, score in shown
                if i in rows]


class PostgresBackend:
    """PostgreSQL ``websearch_to_tsquery`` over a stored, GIN-indexed tsvector."""

    OPTIONS = f"StartSel={START}, StopSel={STOP}, MaxWords=30, MinWords=12, MaxFragments=2"

    def websearch_text(self, parsed):
        """Rebuild a websearch string from the parsed parts (never a syntax error)."""
        parts = [w.replace('"', " ") for w in parsed.words]
        parts += ['"%s"' % p.replace('"', " ") for p in parsed.phrases]
        parts += ["-" + w.replace('"', " ") for w in parsed.excluded]
        return " ".join(parts)

    def search(self, parsed, where, limit, offset, kinds=None):
        """Ranked rows matching the text and ``where`` (which holds the kinds); snippets only for the page shown."""
        text = self.websearch_text(parsed)
        english = fn.websearch_to_tsquery(SQL("'english'"), text)
        tsq = NodeList((english, SQL("||"), fn.websearch_to_tsquery(SQL("'simple'"), text)), glue=" ", parens=True)
        ranked = (SearchDoc
                  .select(SearchDoc.id, fn.ts_rank_cd(SQL("tsv"), tsq, 32).alias("score"))
                  .where(NodeList((SQL("tsv @@"), tsq)), *where)
                  .order_by(SQL("score").desc(), SearchDoc.id.desc())
                  .limit(limit).offset(offset)
                  .alias("ranked"))
        snip = fn.ts_headline(SQL("'english'"), fn.left(SearchDoc.body, 20000), english, self.OPTIONS)
        title = fn.ts_headline(SQL("'english'"), SearchDoc.title, english,
                               f"StartSel={START}, StopSel={STOP}, HighlightAll=true")
        return (SearchDoc
                .select(SearchDoc, ranked.c.score.alias("score"), snip.alias("snip"), title.alias("title_marked"))
                .join(ranked, on=(SearchDoc.id == ranked.c.id))
                .order_by(ranked.c.score.desc(), SearchDoc.id.desc())
                .dicts())
