"""The unified search of the suite: one index for bookmarks, pastes and wiki pages.

Apps call ``index_item`` / ``remove_item`` inside the transaction that changes an
item, so the index never drifts; ``query`` runs a search box's text with
visibility enforced in the query itself (others see public items only).
SQLite uses FTS5 with bm25, PostgreSQL its full-text search.
"""
import operator
from dataclasses import dataclass, field
from datetime import datetime
from functools import reduce
from typing import Optional

from flask import has_request_context
from flask_login import current_user
from markupsafe import Markup, escape
from peewee import OperationalError, ProgrammingError

from suite import pagecache
from suite.auth.models import User, utcnow
from suite.database import is_postgres
from suite.extensions import db
from suite.search import champions, champions_pg
from suite.search.backends import START, STOP, Fts5Backend, PostgresBackend
from suite.search.indextext import indexed_text, shown_text
from suite.search.models import KINDS, LIST_COLUMNS, SearchDoc
from suite.search.querytext import ParsedQuery, parse_query
from suite.text import word_characters

VISIBILITIES = ("public", "unlisted", "private")
MAX_BODY = 1_000_000
MAX_RESULTS = 10_000  # how deep a result list goes, as in Elasticsearch's max_result_window


@dataclass
class Hit:
    """One search result."""

    kind: str
    item_id: str
    title: str
    url: str
    snippet: Markup
    title_html: Markup
    score: float
    owner_id: Optional[int]
    visibility: str
    lang: str  # the first of ``langs`` (a paste's first file), "" when none
    tags: list
    updated_at: Optional[datetime]
    expires_at: Optional[datetime] = None
    langs: list = field(default_factory=list)


@dataclass
class SearchPage:
    """One page of results, or an explanation of why there are none."""

    hits: list = field(default_factory=list)
    page: int = 1
    has_next: bool = False
    error: Optional[str] = None
    parsed: Optional[ParsedQuery] = None


def normalize_tags(tags):
    """Lower-case tags of letters, digits and ``-_.+#``, de-duplicated, in order."""
    seen = []
    for tag in tags or ():
        tag = word_characters(str(tag).strip().lower().replace(" ", "-"), keep=".+#-")[:64]
        if tag and tag not in seen:
            seen.append(tag)
    return seen


def padded_words(words):
    """``" a b "`` for de-duplicated, lower-cased words, ``""`` for none (how tags and languages are stored)."""
    seen = []
    for word in words or ():
        word = str(word).strip().lower()
        if word and " " not in word and word not in seen:
            seen.append(word)
    return f" {' '.join(seen)} " if seen else ""


def index_item(kind, item_id, *, owner_id, visibility, title, body, url, tags=(), lang="",
               updated_at=None, expires_at=None):
    """Add or replace the index entry of one item; from ``expires_at`` on, no search shows it.

    ``lang`` is a language or a list of them (a paste's files), each found by ``lang:``.
    """
    if kind not in KINDS or visibility not in VISIBILITIES:
        raise ValueError(f"search: bad kind/visibility {kind!r}/{visibility!r}")
    langs = [lang] if isinstance(lang, str) else list(lang or ())
    values = {"owner_id": owner_id, "visibility": visibility, "title": indexed_text(title),
              "body": indexed_text((body or "")[:MAX_BODY]), "url": url or "",
              "tags": indexed_text(padded_words(normalize_tags(tags))),
              "lang": padded_words(langs), "updated_at": updated_at or utcnow(), "expires_at": expires_at}
    with db.atomic():
        updated = (SearchDoc.update(**values)
                   .where(SearchDoc.kind == kind, SearchDoc.item_id == str(item_id)).execute())
        if not updated:
            SearchDoc.create(kind=kind, item_id=str(item_id), **values)
        if not is_postgres():
            champions.settle()
        pagecache.changed(kind)


def remove_item(kind, item_id):
    """Drop one item from the index (no error when it was not there)."""
    SearchDoc.delete().where(SearchDoc.kind == kind, SearchDoc.item_id == str(item_id)).execute()
    pagecache.changed(kind)


def remove_owner(owner_id):
    """Drop every item of one owner from the index (their account is being deleted)."""
    kinds = [kind for (kind,) in SearchDoc.select(SearchDoc.kind).where(SearchDoc.owner_id == owner_id)
             .distinct().tuples()]
    SearchDoc.delete().where(SearchDoc.owner_id == owner_id).execute()
    for kind in kinds:
        pagecache.changed(kind)


def backend():
    """The search backend of the configured database engine."""
    return PostgresBackend() if is_postgres() else Fts5Backend()


def champion_lists():
    """The champion lists of the configured database engine (``refresh``, ``clear``)."""
    return champions_pg if is_postgres() else champions


def live():
    """Condition: items that have not expired.

    Expiry is no write: an expired paste stays in the index until the purge task
    removes it (if a worker runs), so every listing asks for live items itself.
    """
    return SearchDoc.expires_at.is_null() | (SearchDoc.expires_at > utcnow())


def visible_to(user):
    """Condition: live public items for everyone, everything of one's own that is live."""
    public = SearchDoc.visibility == "public"
    if user is not None and getattr(user, "is_authenticated", False):
        return (public | (SearchDoc.owner_id == user.id)) & live()
    return public & live()


def keep_no_longer_than(hits):
    """A page showing these hits is kept (page cache) no longer than the first of them to expire lives."""
    ends = [hit.expires_at for hit in hits if hit.expires_at is not None]
    if ends and has_request_context():
        pagecache.keep_at_most((min(ends) - utcnow()).total_seconds())


def _kinds(parsed, kinds):
    """The apps searched: those named in the text (in:wiki) among those the caller allows."""
    return [k for k in (parsed.kinds or kinds or KINDS) if k in (kinds or KINDS)]


def _conditions(parsed, user, kinds, owner_id, tags):
    where = [visible_to(user)]
    where.append(SearchDoc.kind.in_(_kinds(parsed, kinds) or ["-none-"]))
    if owner_id is not None:
        where.append(SearchDoc.owner_id == owner_id)
    for tag in normalize_tags(list(tags or ()) + parsed.tags):
        where.append(SearchDoc.tags.contains(indexed_text(f" {tag} ")))
    if parsed.langs:  # any of them, each a whole word of " python markdown "
        where.append(reduce(operator.or_, [SearchDoc.lang.contains(f" {lang} ") for lang in parsed.langs]))
    if parsed.users:
        ids = [u.id for u in User.select(User.id).where(User.name_key.in_([n.lower() for n in parsed.users]))]
        where.append(SearchDoc.owner_id.in_(ids or [-1]))
    return where


def marked(text):
    """Escape a backend's snippet and turn its match markers into <mark>."""
    return Markup(str(escape(shown_text(text))).replace(START, "<mark>").replace(STOP, "</mark>"))


def _hit(row):
    return Hit(kind=row["kind"], item_id=row["item_id"], title=shown_text(row["title"]), url=row["url"],
               snippet=marked(row.get("snip")), title_html=marked(row.get("title_marked") or row["title"]),
               score=float(row.get("score") or 0), owner_id=row["owner_id"], visibility=row["visibility"],
               lang=(row["lang"].split() or [""])[0], langs=row["lang"].split(), tags=shown_text(row["tags"]).split(), updated_at=row["updated_at"],
               expires_at=row["expires_at"])


def query(text, *, user=None, kinds=None, owner_id=None, tags=(), page=1, per_page=20):
    """Run a search; never raises for odd input, returns a SearchPage with ``error`` instead."""
    parsed = parse_query(text)
    page = max(1, int(page or 1))
    result = SearchPage(page=page, parsed=parsed)
    if (page - 1) * per_page >= MAX_RESULTS:  # deeper pages would rank that many rows to skip them
        result.error = f"Results stop at {MAX_RESULTS:,}: add a word or a filter to narrow the search."
        return result
    if parsed.unknown_kinds:
        result.error = f"Unknown place to search: in:{parsed.unknown_kinds[0]} (use in:wiki, in:paste or in:bookmarks)."
        return result
    if not parsed.has_terms:
        if parsed.excluded or parsed.has_filters or (text or "").strip():
            return _browse(result, parsed, user, kinds, owner_id, tags, page, per_page)
        return result
    where = _conditions(parsed, user, kinds, owner_id, tags)
    try:
        searched = _kinds(parsed, kinds)
        rows = list(backend().search(parsed, where, per_page + 1, (page - 1) * per_page,
                                     kinds=searched if set(searched) != set(KINDS) else None))
    except (OperationalError, ProgrammingError):
        result.error = "That search could not be understood; try plain words."
        return result
    result.hits = [_hit(r) for r in rows[:per_page]]
    result.has_next = len(rows) > per_page and page * per_page < MAX_RESULTS
    return result


def cache_page(results, kinds):
    """Let the page cache keep this results page until items of the searched apps change.

    Anonymous readers share it; a signed-in person's is kept for their session only
    (it lists their own private items). A ``user:`` filter also depends on accounts.
    """
    personal = bool(getattr(current_user, "is_authenticated", False))
    for kind in kinds:
        pagecache.cache_this(kind, personal=personal)
    if results is not None and results.parsed is not None and results.parsed.users:
        pagecache.depends_on("user")
    if results is not None:
        keep_no_longer_than(results.hits)


def _browse(result, parsed, user, kinds, owner_id, tags, page, per_page):
    """Filters without words: newest matching items first."""
    if not parsed.has_filters and not tags:
        result.error = ("Add a word to search for (a search cannot only exclude words)." if parsed.excluded else
                        "Nothing to search for: search for words or numbers (symbols and emoji are not searched).")
        return result
    where = _conditions(parsed, user, kinds, owner_id, tags)
    rows = list(SearchDoc.select(*LIST_COLUMNS).where(*where).order_by(SearchDoc.updated_at.desc(), SearchDoc.id.desc())
                .limit(per_page + 1).offset((page - 1) * per_page).dicts())
    result.hits = [_hit(r) for r in rows[:per_page]]
    result.has_next = len(rows) > per_page and page * per_page < MAX_RESULTS
    return result


def recent(*, viewer=None, owner_ids=None, kinds=None, limit=10, public_only=False):
    """Newest items across the apps that ``viewer`` may see (optionally of some owners only)."""
    where = [visible_to(None if public_only else viewer)]
    if owner_ids is not None:
        where.append(SearchDoc.owner_id.in_(list(owner_ids) or [-1]))
    if kinds:
        where.append(SearchDoc.kind.in_(list(kinds)))
    rows = (SearchDoc.select(*LIST_COLUMNS).where(*where)
            .order_by(SearchDoc.updated_at.desc(), SearchDoc.id.desc()).limit(limit).dicts())
    hits = [_hit(r) for r in rows]
    keep_no_longer_than(hits)  # the dashboards that list them are kept in the page cache
    return hits

