"""The bookmark services: add, update, delete, list with filters, tags, bulk edits.

Views and the JSON API call these; they raise suite.errors types and never render.

Every write that changes a user's tags, taggings or visibility first waits for that user's
other such writes (``one_writer_per_owner``): the tag-count triggers lock tag rows in the
order rows change, and a bulk edit, a tag rename and an edit of one of the same bookmarks
(another tab, the API) took bookmark and tag rows in different orders on PostgreSQL and
deadlocked, or each checked before the other wrote and hit a unique index (a 500 each time).
Their checks run after the wait, so each sees what the other committed. SQLite's write
transactions already run one at a time. A transaction PostgreSQL still ends for a deadlock
(with the fetcher, which does not wait) runs once more (``run_again_if_lost``).
"""
import re
from dataclasses import dataclass, field

from peewee import SQL, IntegrityError, Value, fn, prefetch

from suite import pagecache, search
from suite.auth.models import utcnow
from suite.bookmarks import files
from suite.bookmarks.models import PENDING, Bookmark, BookmarkTag, Tag
from suite.bookmarks.tags import MAX_TAGS, parse_tags
from suite.bookmarks.urls import domain_of, normalize_url, page_key, saved_url, url_hash
from suite.database import (
    Prepared,
    ids_param,
    in_batches,
    in_ids,
    one_at_a_time,
    one_page,
    run_again_if_lost,
    snapshot,
)
from suite.errors import Conflict, InvalidInput, NotFound
from suite.extensions import db
from suite.requestargs import MAX_NUMBER, MAX_PAGE, whole_number
from suite.text import sort_key, strip_control, unix_line_ends

MAX_TITLE, MAX_DESCRIPTION, MAX_NOTES = 500, 5000, 100_000
SORTS = {"date": "newest first", "old": "oldest first", "title": "title A–Z"}
PER_PAGE_MAX = 200
SEARCH_CAP = 1000  # hits considered when a search is combined with other filters
SEARCH_CHUNK = 100


def render_notes(text):
    """Notes as sanitized HTML, in time linear in their length (see ``suite.bookmarks.notes``)."""
    # on first use: a web worker that shows no notes never loads Markdown (~1.5 MB each)
    from suite.bookmarks.notes import render_notes as render
    return render(text)


def _clean(fields):
    """Trimmed, length-checked text fields without control characters."""
    out = {}
    for name, limit in (("title", MAX_TITLE), ("description", MAX_DESCRIPTION), ("notes", MAX_NOTES)):
        if name in fields and fields[name] is not None:
            value = strip_control(unix_line_ends(fields[name])).strip()
            if len(value) > limit:
                raise InvalidInput(f"The {name} is too long (at most {limit:,} characters).")
            out[name] = value
    if "title" in out:
        out["title_sort"] = sort_key(out["title"])[:MAX_TITLE]
    for name in ("is_private", "unread"):
        if name in fields and fields[name] is not None:
            out[name] = bool(fields[name])
    return out


def search_text(bookmark):
    """The parts of a bookmark the search reads besides its title, URL and tags.

    Notes only while the bookmark is private: nothing else shows them to anyone but the owner, and
    a shared bookmark's entry is searched by everyone (matches, snippets and counts would give them away).
    """
    notes = bookmark.notes if bookmark.is_private else ""
    return bookmark.description, notes, bookmark.page_text


def index_bookmark(bookmark, tags=None):
    """Put the bookmark into the unified search index (call inside the saving transaction)."""
    tags = bookmark.tag_names if tags is None else tags
    body = "\n".join(part for part in search_text(bookmark) if part)
    search.index_item("bookmark", bookmark.id, owner_id=bookmark.owner_id,
                      visibility="private" if bookmark.is_private else "public",
                      title=bookmark.title or bookmark.url, body=body, url=bookmark.url,
                      tags=tags, updated_at=bookmark.updated_at)


def reindex_bookmarks():
    """(count, iterator) putting every bookmark back into the search index, one per step."""
    def run():
        for start in range(0, total, 500):
            chunk = Bookmark.select().order_by(Bookmark.id).offset(start).limit(500)
            for bookmark in _with_tags(chunk):
                yield index_bookmark(bookmark)
    total = Bookmark.select().count()
    return total, run()


def find_duplicate(user, url):
    """The user's bookmark of this (normalized) URL, or None."""
    return Bookmark.get_or_none(Bookmark.owner == user.id, Bookmark.url_hash == url_hash(normalize_url(url)))


@run_again_if_lost
def add_bookmark(user, url, *, title="", description="", notes="", tags="", is_private=True,
                 unread=False, enqueue=True):
    """Save a bookmark at once; returns ``(bookmark, created)`` — an existing one for a known URL.

    Fetching and the thumbnail run later as tasks (queued after the commit).
    """
    url = saved_url(url)
    key = url_hash(page_key(url))
    values = _clean({"title": title, "description": description, "notes": notes,
                     "is_private": is_private, "unread": unread})
    tag_names = parse_tags(tags)
    existing = Bookmark.get_or_none(Bookmark.owner == user.id, Bookmark.url_hash == key)
    if existing is not None:
        return existing, False
    try:
        with db.atomic():
            one_writer_per_owner(user.id)
            bookmark = Bookmark.create(owner=user.id, url=url, url_hash=key, domain=domain_of(url)[:255], **values)
            set_tags(bookmark, tag_names)
            index_bookmark(bookmark, tag_names)
            if enqueue:
                _enqueue_fetch(bookmark.id)
    except IntegrityError:  # the same URL saved twice at the same moment
        return Bookmark.get(Bookmark.owner == user.id, Bookmark.url_hash == key), False
    return bookmark, True


def one_writer_per_owner(owner_id):
    """Inside a transaction: wait until no other write to the owner's bookmarks and tags is open (see above)."""
    one_at_a_time(f"bookmarks of {owner_id}")


def _enqueue_fetch(bookmark_id):
    from suite.bookmarks.tasks import fetch_bookmark_task
    from suite.jobs import enqueue_after_commit
    enqueue_after_commit(fetch_bookmark_task, bookmark_id)


def retry(bookmark):
    """Queue the fetch and thumbnail again (the UI's retry button); whether it was queued.

    Not while the bookmark is still pending: its fetch is queued already (or under way), and each
    click would queue one more. One whose task was lost is picked up by the backlog run.
    """
    settled = (Bookmark.fetch_status != PENDING) & (Bookmark.thumb_status != PENDING)
    with db.atomic():
        if not Bookmark.update(fetch_status=PENDING, thumb_status=PENDING, fetch_error="", thumb_error="").where(
                Bookmark.id == bookmark.id, settled).execute():
            return False
        pagecache.changed("bookmark")
        _enqueue_fetch(bookmark.id)
    return True


def get_bookmark(user, bookmark_id):
    """The user's bookmark by id; someone else's is NotFound."""
    bookmark = Bookmark.get_or_none(Bookmark.id == bookmark_id, Bookmark.owner == user.id)
    if bookmark is None:
        raise NotFound("No such bookmark.")
    return bookmark


# What the fetch learned about the page at the old URL. Cleared with the URL, in the same
# update, since the new URL's fetch may never replace it: a PDF, a picture or an unreachable
# page gives no text, and the old page's words would keep finding the bookmark in search.
# The picture stays on show until the new URL's is made, but no longer counts as the page's own
# (thumb_source): a new URL that cannot be fetched gets a card, not the old page's screenshot.
OLD_PAGE_FORGOTTEN = {"page_text": "", "image_url": "", "canonical_url": "", "favicon": "", "http_status": None,
                      "thumb_source": ""}


@run_again_if_lost
def update_bookmark(bookmark, *, url=None, tags=None, **fields):
    """Change a bookmark's fields, URL or tags; a URL already saved elsewhere is refused."""
    values = _clean(fields)
    key = None
    if url is not None:
        url = saved_url(url)
        if url != bookmark.url:
            key = url_hash(page_key(url))
            values.update(url=url, url_hash=key, domain=domain_of(url)[:255],
                          fetch_status=PENDING, thumb_status=PENDING, is_broken=False, **OLD_PAGE_FORGOTTEN)
    tag_names = None if tags is None else parse_tags(tags)
    values["updated_at"] = utcnow()
    try:
        with db.atomic():
            one_writer_per_owner(bookmark.owner_id)
            if key is not None:
                _refuse_saved_elsewhere(bookmark, key)
            _save_changes(bookmark, values, tag_names)
    except IntegrityError:  # the URL saved at this moment by a writer that does not wait (an import)
        if key is not None:
            _refuse_saved_elsewhere(bookmark, key)
        raise
    for name, value in values.items():  # once saved: a run again after a deadlock starts from the same copy
        setattr(bookmark, name, value)
    return bookmark


def _refuse_saved_elsewhere(bookmark, key):
    """InvalidInput naming the owner's other bookmark of the URL with this hash, if there is one."""
    other = Bookmark.get_or_none(Bookmark.owner == bookmark.owner_id, Bookmark.url_hash == key,
                                 Bookmark.id != bookmark.id)
    if other is not None:
        raise InvalidInput(f"You already saved {other.url} (bookmark #{other.id}).")


def _save_changes(bookmark, values, tag_names):
    """Write the changed columns and tags, index the bookmark, and fetch a new URL (in a transaction)."""
    # Only the columns changed here: the rest may have been written by the background fetch
    # since this copy was read (a full save would put its picture back to "pending").
    if not Bookmark.update(**values).where(Bookmark.id == bookmark.id).execute():
        raise NotFound("No such bookmark.")  # deleted meanwhile (another tab): not a 500 on its tag links
    if tag_names is not None:
        set_tags(bookmark, tag_names)
    fresh = Bookmark.get_by_id(bookmark.id)
    index_bookmark(fresh, tag_names if tag_names is not None else tags_of(bookmark))
    if "url_hash" in values:
        _enqueue_fetch(bookmark.id)


@run_again_if_lost
def delete_bookmark(bookmark):
    """Delete a bookmark, its index entry and the picture files no other bookmark uses."""
    with db.atomic():
        one_writer_per_owner(bookmark.owner_id)
        _delete_rows([bookmark.id])


def _delete_rows(ids):
    """Delete bookmarks and their index entries (in the caller's transaction); their files after it."""
    # the files named by the rows now: the background task may have given a picture since a copy was read
    names = files.files_of(Bookmark.select(*files.FILE_COLUMNS).where(Bookmark.id.in_(ids or [0])))
    for bookmark_id in ids:
        search.remove_item("bookmark", bookmark_id)
    Bookmark.delete().where(Bookmark.id.in_(ids or [0])).execute()
    # once the rows are gone for good: a rolled-back delete keeps its pictures
    db.after_commit(lambda: files.delete_unused(names))


def tags_of(bookmark):
    """The bookmark's tag names from the database."""
    return sorted(t.name for t in Tag.select(Tag.name).join(BookmarkTag).where(BookmarkTag.bookmark == bookmark.id))


def tag_ids(owner_id, names, cache=None):
    """Ids of the owner's tags by name, creating the missing ones."""
    cache = {} if cache is None else cache
    missing = sorted({n for n in names if n not in cache})  # in one order: two saves creating the same tags
    if missing:
        # INSERT … ON CONFLICT DO NOTHING, then read: safe when another save creates the same tag now
        Tag.insert_many([(owner_id, n) for n in missing], fields=[Tag.owner, Tag.name]).on_conflict_ignore().execute()
        for tag in Tag.select(Tag.id, Tag.name).where(Tag.owner == owner_id, Tag.name.in_(missing)):
            cache[tag.name] = tag.id
    return [cache[n] for n in names]


def set_tags(bookmark, names):
    """Replace the bookmark's tags with ``names`` (the links it keeps are left alone)."""
    ids = sorted(tag_ids(bookmark.owner_id, names))  # in id order: the count triggers lock tag rows in this order
    BookmarkTag.delete().where(BookmarkTag.bookmark == bookmark.id, BookmarkTag.tag.not_in(ids)).execute()
    if ids:  # a link made meanwhile by a writer that does not wait (an import) is no error
        BookmarkTag.insert_many([(bookmark.id, t) for t in ids],
                                fields=[BookmarkTag.bookmark, BookmarkTag.tag]).on_conflict_ignore().execute()


@dataclass
class Filters:
    """What the list shows: every field is a query parameter, so every view is a link."""

    q: str = ""
    tags: list = field(default_factory=list)
    unread: bool = False
    visibility: str = ""  # "", "private", "public"
    domain: str = ""
    broken: bool = False
    sort: str = "date"
    page: int = 1
    per_page: int = 30

    @property
    def unfiltered(self):
        """True when every bookmark of the owner is listed (only the sort and the page chosen)."""
        return not (self.q or self.tags or self.unread or self.visibility or self.domain or self.broken)

    @classmethod
    def from_args(cls, args):
        """Read the filters from request arguments (bad values fall back to defaults)."""
        page = min(max(1, whole_number("page", 1, args)), MAX_PAGE)  # a page past the database's integers is a 500
        per_page = min(max(1, whole_number("per_page", 30, args)), PER_PAGE_MAX)
        tags = search.normalize_tags(t for value in args.getlist("tag") for t in re.split(r"[,\s]+", value))
        return cls(q=args.get("q", "").strip()[:500], tags=tags, unread=args.get("unread") in ("1", "on", "true"),
                   visibility=args.get("visibility", "") if args.get("visibility") in ("private", "public") else "",
                   domain=args.get("domain", "").strip().lower()[:255], broken=args.get("broken") in ("1", "on", "true"),
                   sort=args.get("sort", "date") if args.get("sort") in SORTS else "date", page=page,
                   per_page=per_page)


@dataclass
class Listing:
    """One page of bookmarks, with search snippets when a search ran."""

    bookmarks: list
    page: int
    has_next: bool
    snippets: dict = field(default_factory=dict)
    error: str = ""


# What a list shows (the page and the API): everything but the fetched page text and other
# columns only the detail page, the fetcher or the exporter read. ``notes`` only for the API.
LIST_COLUMNS = (Bookmark.id, Bookmark.owner, Bookmark.url, Bookmark.domain, Bookmark.title, Bookmark.description,
                Bookmark.is_private, Bookmark.unread, Bookmark.created_at, Bookmark.updated_at,
                Bookmark.fetch_status, Bookmark.fetch_error, Bookmark.http_status, Bookmark.thumb_status,
                Bookmark.thumb_source, Bookmark.thumb_small, Bookmark.thumb_large, Bookmark.thumb_error,
                Bookmark.is_broken, Bookmark.check_error)


def _base_query(user, f, columns=()):
    query = Bookmark.select(*columns).where(Bookmark.owner == user.id)
    if f.unread:
        query = query.where(Bookmark.unread == True)  # noqa: E712
    if f.visibility:
        query = query.where(Bookmark.is_private == (f.visibility == "private"))
    if f.domain:
        query = query.where(Bookmark.domain == (f.domain[4:] if f.domain.startswith("www.") else f.domain))
    if f.broken:
        query = query.where(Bookmark.is_broken == True)  # noqa: E712
    if f.tags:
        found = dict(Tag.select(Tag.name, Tag.id).where(Tag.owner == user.id, Tag.name.in_(f.tags)).tuples())
        if len(found) < len(f.tags):  # an unknown tag matches nothing: no need to look at any bookmark
            return query.where(SQL("1 = 0"))
        for tag_id in found.values():
            query = query.where(Bookmark.id.in_(BookmarkTag.select(BookmarkTag.bookmark).where(BookmarkTag.tag == tag_id)))
    return query


def _with_tags(bookmarks_query):
    links = BookmarkTag.select(BookmarkTag, Tag).join(Tag)
    return prefetch(bookmarks_query, links)


TAG_NAMES_OF = Prepared(lambda ids: BookmarkTag.select(BookmarkTag.bookmark, Tag.name).join(Tag)
                        .where(BookmarkTag.bookmark.in_(in_ids(ids))).tuples())


def attach_tag_names(bookmarks):
    """Give each bookmark its ``tag_names`` with one query of (bookmark id, name) pairs."""
    names = {b.id: [] for b in bookmarks}
    if names:
        for bookmark_id, name in TAG_NAMES_OF.rows(ids_param(names)):
            names[bookmark_id].append(name)
    for b in bookmarks:
        b.tag_names = names[b.id]
    return bookmarks


EXPORT_BATCH = 500


def each_bookmark(owner_id):
    """Every bookmark of one owner, oldest first, with ``tag_names``: read ``EXPORT_BATCH`` at a time.

    An export streams from this: 100,000 bookmarks read at once (every column, tags
    prefetched) took 13 s before the first byte and left the worker at 900 MB (1.3 GB
    at its peak); a batch at a time, the first byte comes at once and memory stays flat.
    Each batch starts after the last one's (created_at, id), along the owner's index.
    The crawled page text (search reads it, an export does not) is not read.
    """
    columns = [f for f in Bookmark._meta.sorted_fields if f is not Bookmark.page_text]
    query = Bookmark.select(*columns).where(Bookmark.owner == owner_id)
    with snapshot():  # every batch from the same view of the database
        for rows in in_batches(query, (Bookmark.created_at, Bookmark.id), EXPORT_BATCH):
            yield from attach_tag_names(rows)


def list_bookmarks(user, f, notes=False):
    """One page of the user's bookmarks matching the filters (searching when ``q`` is set).

    The bookmarks hold the list columns (``LIST_COLUMNS``, plus ``notes`` when asked) and their tag names.
    """
    columns = LIST_COLUMNS + ((Bookmark.notes,) if notes else ())
    if f.q:
        return _search(user, f, columns)
    if f.unfiltered:
        rows = list(PAGES[f.sort, notes].rows(user.id, f.per_page + 1, (f.page - 1) * f.per_page))
    else:
        rows = list(one_page(_base_query(user, f, columns).order_by(*ORDERS[f.sort]), f.page, f.per_page))
    return Listing(attach_tag_names(rows[:f.per_page]), f.page, len(rows) > f.per_page)


ORDERS = {"date": (Bookmark.created_at.desc(), Bookmark.id.desc()),
          "old": (Bookmark.created_at, Bookmark.id),
          "title": (Bookmark.title_sort, Bookmark.id)}


def _page_of_all(order, columns):
    return Prepared(lambda owner, limit, offset: Bookmark.select(*columns).where(Bookmark.owner == owner)
                    .order_by(*order).limit(limit).offset(offset))


#: A page of someone's bookmarks with no filter (the list most views show), per sort and with/without notes.
PAGES = {(sort, notes): _page_of_all(order, LIST_COLUMNS + ((Bookmark.notes,) if notes else ()))
         for sort, order in ORDERS.items() for notes in (False, True)}


def _search(user, f, columns=()):
    """Ranked search; other filters are applied to chunks of hits until the page is full."""
    plain = not (f.unread or f.visibility or f.domain or f.broken)
    chunk = f.per_page if plain else SEARCH_CHUNK
    first_chunk = f.page if plain else 1
    wanted = f.per_page + 1 if plain else f.page * f.per_page + 1
    found, snippets, error = [], {}, ""
    for number in range(first_chunk, first_chunk + SEARCH_CAP // chunk):
        result = search.query(f.q, user=user, kinds=("bookmark",), owner_id=user.id, tags=f.tags,
                              page=number, per_page=chunk)
        error = result.error or ""
        ids = [int(h.item_id) for h in result.hits]
        rows = {b.id: b for b in _base_query(user, f, columns).where(Bookmark.id.in_(ids or [0]))}
        found += [rows[i] for i in ids if i in rows]
        snippets.update((int(h.item_id), h.snippet) for h in result.hits)
        if plain:
            return Listing(attach_tag_names(found), f.page, result.has_next, snippets, error)
        if len(found) >= wanted or not result.has_next:
            break
    start = (f.page - 1) * f.per_page
    page = attach_tag_names(found[start:start + f.per_page])
    return Listing(page, f.page, len(found) > start + f.per_page, snippets, error)


def tag_counts(user, public_only=False):
    """The user's tags with how many bookmarks (public ones when ``public_only``) carry each, most used first.

    Reads the counts the triggers keep on each tag: the cost follows the number of tags, not of bookmarks.
    """
    count = Tag.public_count if public_only else Tag.bookmark_count
    query = Tag.select(Tag.name, count).where(Tag.owner == user.id, count > 0).order_by(count.desc(), Tag.name)
    return list(query.tuples())


@dataclass
class TagCloud:
    """The tags a sidebar shows: the most used, A–Z, and how many others there are."""

    names: list
    more: int = 0


def tags_in_use(user, limit=200):
    """The user's ``limit`` most used tags (among those some bookmark carries), A–Z.

    Taken A–Z, a sidebar cut at 200 showed only the first letters after an import of a
    few thousand tags, and never the tags used most."""
    used = (Tag.owner == user.id) & (Tag.bookmark_count > 0)
    names = [name for (name,) in Tag.select(Tag.name).where(used)
             .order_by(Tag.bookmark_count.desc(), Tag.name).limit(limit + 1).tuples()]
    if len(names) <= limit:
        return TagCloud(sorted(names))
    return TagCloud(sorted(names[:limit]), Tag.select().where(used).count() - limit)


@run_again_if_lost
def rename_tag(user, old, new):
    """Rename a tag; renaming onto an existing tag merges the two. Returns bookmarks touched."""
    old_names, new_names = parse_tags(old), parse_tags(new)
    if len(old_names) != 1 or len(new_names) != 1:
        raise InvalidInput("Give one tag to rename and one new name.")
    (old_name,), (new_name,) = old_names, new_names
    try:
        with db.atomic():
            one_writer_per_owner(user.id)
            source = Tag.get_or_none(Tag.owner == user.id, Tag.name == old_name)
            if source is None:
                raise NotFound(f"You have no tag {old_name!r}.")
            if new_name == old_name:
                return 0
            ids = [r.bookmark_id for r in BookmarkTag.select(BookmarkTag.bookmark).where(BookmarkTag.tag == source.id)]
            target = Tag.get_or_none(Tag.owner == user.id, Tag.name == new_name)
            if target is None:  # the name only: the counts on the row are the triggers' to keep
                Tag.update(name=new_name).where(Tag.id == source.id).execute()
            else:
                _merge_tag(source.id, target.id)
            _reindex(ids)
    except IntegrityError:  # the new name made at this moment by a writer that does not wait (an import)
        raise Conflict(f"The tag {new_name!r} was created at the same moment; please try again.") from None
    return len(ids)


def _merge_tag(source_id, target_id):
    """Give the target tag to every bookmark carrying the source tag, then delete the source tag."""
    moved = BookmarkTag.select(BookmarkTag.bookmark, Value(target_id)).where(BookmarkTag.tag == source_id)
    BookmarkTag.insert_from(moved, [BookmarkTag.bookmark, BookmarkTag.tag]).on_conflict_ignore().execute()
    BookmarkTag.delete().where(BookmarkTag.tag == source_id).execute()
    Tag.delete().where(Tag.id == source_id).execute()


def _reindex(ids):
    for bookmark in _with_tags(Bookmark.select().where(Bookmark.id.in_(ids or [0]))):
        index_bookmark(bookmark)


ALL_IDS = range(1, MAX_NUMBER + 1)
BULK_ACTIONS = ("add_tags", "remove_tags", "make_private", "make_public", "mark_read", "mark_unread", "delete")


@run_again_if_lost
def bulk_edit(user, ids, action, tags=""):
    """Apply one action to several of the user's bookmarks; returns how many changed."""
    if action not in BULK_ACTIONS:
        raise InvalidInput("Choose what to do with the selected bookmarks.")
    try:
        ids = sorted({n for n in map(int, ids) if n in ALL_IDS})  # one past the database's integers is none
    except (TypeError, ValueError):
        raise InvalidInput("The selection is malformed.") from None
    if not ids:
        raise InvalidInput("Select at least one bookmark.")
    names = parse_tags(tags) if action in ("add_tags", "remove_tags") else []
    if action in ("add_tags", "remove_tags") and not names:
        raise InvalidInput("Enter the tags to add or remove.")
    with db.atomic():
        one_writer_per_owner(user.id)
        own = [b.id for b in Bookmark.select(Bookmark.id).where(Bookmark.owner == user.id, Bookmark.id.in_(ids))
               .order_by(Bookmark.id)]
        if action == "delete":
            _delete_rows(own)
            return len(own)
        if action == "add_tags":
            _check_room_for(own, names)
            for tag_id in sorted(tag_ids(user.id, names)):  # id order, as in set_tags
                have = {r.bookmark_id for r in BookmarkTag.select(BookmarkTag.bookmark)
                        .where(BookmarkTag.tag == tag_id, BookmarkTag.bookmark.in_(own or [0]))}
                rows = [(b, tag_id) for b in own if b not in have]
                if rows:
                    BookmarkTag.insert_many(rows, fields=[BookmarkTag.bookmark, BookmarkTag.tag]).on_conflict_ignore().execute()
        elif action == "remove_tags":
            tags_q = Tag.select(Tag.id).where(Tag.owner == user.id, Tag.name.in_(names))
            BookmarkTag.delete().where(BookmarkTag.bookmark.in_(own or [0]), BookmarkTag.tag.in_(tags_q)).execute()
        else:
            field_name, value = {"make_private": ("is_private", True), "make_public": ("is_private", False),
                                 "mark_read": ("unread", False), "mark_unread": ("unread", True)}[action]
            Bookmark.update({getattr(Bookmark, field_name): value, Bookmark.updated_at: utcnow()}).where(
                Bookmark.id.in_(own or [0])).execute()
        _reindex(own)
    return len(own)


def _check_room_for(bookmark_ids, names):
    """InvalidInput when adding ``names`` would give one of the bookmarks more than MAX_TAGS tags."""
    others = (BookmarkTag.select(fn.COUNT(BookmarkTag.id)).join(Tag)
              .where(BookmarkTag.bookmark.in_(bookmark_ids or [0]), Tag.name.not_in(names))
              .group_by(BookmarkTag.bookmark).order_by(fn.COUNT(BookmarkTag.id).desc()).limit(1).scalar())
    if (others or 0) + len(names) > MAX_TAGS:
        raise InvalidInput(f"At most {MAX_TAGS} tags per bookmark: a selected bookmark has "
                           f"{others} other tags, so {len(names)} more would be too many.")


def count_text(user):
    """Short text for the home page."""
    n = Bookmark.select().where(Bookmark.owner == user.id).count()
    return f"{n:,} bookmark{'s' if n != 1 else ''}"


