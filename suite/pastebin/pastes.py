"""The pastebin's domain logic: create, find, read (burn), fork, edit, delete and purge pastes.

Plain functions taking plain arguments and raising ``suite.errors`` types, shared
by the pages, curl and the JSON API.
"""
import datetime
import os
import re
import secrets
import time
from dataclasses import dataclass

from flask import current_app, url_for
from peewee import JOIN, IntegrityError

from suite import pagecache, search
from suite.auth.models import User, utcnow
from suite.database import Prepared, is_postgres
from suite.errors import InvalidInput, NotFound, TooLarge
from suite.extensions import db
from suite.jobs import enqueue_after_commit
from suite.pastebin import highlight
from suite.pastebin.models import TITLE_MAX, VISIBILITIES, Highlight, Paste, PasteFile
from suite.text import unix_line_ends

MAX_FILES = 20
NEWER_SHOWN = 20  # newer versions a paste's page links to
NEWER_COUNTED = 1000  # older ones it counts beyond those ("over 1,000 older")
TOO_MANY_FILES = f"A paste holds at most {MAX_FILES} files."
BURN = "burn"
EXPIRIES = {"never": None, "10m": datetime.timedelta(minutes=10), "1h": datetime.timedelta(hours=1),
            "1d": datetime.timedelta(days=1), "1w": datetime.timedelta(weeks=1),
            "1m": datetime.timedelta(days=30), BURN: datetime.timedelta(weeks=1)}  # unread, gone in a week
NEVER_BURNS = ("A private paste is yours alone, and your own reads never burn it: "
               "make it unlisted to share it for one reading.")
EXPIRY_LABELS = {"never": "Never", "10m": "10 minutes", "1h": "1 hour", "1d": "1 day", "1w": "1 week",
                 "1m": "1 month", BURN: "Burn after reading (or in a week)"}
_EXPIRY_ALIASES = {"": "never", "0": "never", "none": "never", "10min": "10m", "60m": "1h", "24h": "1d",
                   "7d": "1w", "30d": "1m", "burn-after-reading": BURN, "burn_after_reading": BURN}
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


class ParentGone(NotFound):
    """The parent paste does not exist, has expired or was deleted."""

    code = "parent_not_found"


@dataclass
class FileInput:
    """One file as submitted: name, text and language (``auto`` or a lexer name)."""

    name: str
    content: str
    lang: str = highlight.AUTO


def decode_text(raw):
    """Uploaded bytes → text with LF line ends and no BOM; InvalidInput for bytes that are not UTF-8 or hold NUL.

    CRLF (Windows) and a lone CR (classic Mac OS) both become LF, so the line count, the line
    anchors and raw all see the same lines.
    """
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise InvalidInput("The content is not UTF-8 text (binary files cannot be pasted).") from None
    if "\x00" in raw:
        raise InvalidInput("The content holds NUL bytes: binary files cannot be pasted.")
    return unix_line_ends(raw.removeprefix("\ufeff"))


def count_lines(text):
    """Lines as an editor counts them (a final newline ends the last line, it starts none)."""
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def clean_filename(name):
    """A bare file name: no directories, no control characters, at most 255 characters."""
    name = _CONTROL.sub("", (name or "").replace("\\", "/"))
    name = os.path.basename(name.strip()).strip()
    return "" if name in (".", "..") else name[:255]


def parse_expiry(value):
    """The expiry key for a form or curl value (``never``, ``10m`` … ``1m``, ``burn``)."""
    key = (value or "").strip().lower()
    key = _EXPIRY_ALIASES.get(key, key)
    if key not in EXPIRIES:
        raise InvalidInput(f"Unknown expiry {value[:20]!r}: use one of {', '.join(EXPIRIES)}.")
    return key


def clean_title(title):
    """A title as stored: control characters as spaces, trimmed; InvalidInput past TITLE_MAX (never cut)."""
    if len(title or "") > TITLE_MAX:  # the forms' rule, for curl and the API too
        raise InvalidInput(f"The title is {len(title):,} characters long; at most {TITLE_MAX} fit.")
    return _CONTROL.sub(" ", title or "").strip()


def parse_visibility(value, user):
    """Check a visibility; private needs an owner."""
    value = (value or "public").strip().lower()
    if value not in VISIBILITIES:
        raise InvalidInput(f"Unknown visibility {value[:20]!r}: use public, unlisted or private.")
    if value == "private" and not user.is_authenticated:
        raise InvalidInput("Sign in (or send an API token) to make a private paste.")
    return value


def _apply_expiry(paste, expiry, now):
    """Set the paste's expiry; a burn paste is shared for one reading, which a private one can never get."""
    if expiry == BURN and paste.visibility == "private":
        raise InvalidInput(NEVER_BURNS)
    paste.burn_after_reading = expiry == BURN
    delta = EXPIRIES[expiry]
    paste.expires_at = now + delta if delta else None


def _check_files(files):
    if not files:
        raise InvalidInput("The paste is empty: add some text.")
    if len(files) > MAX_FILES:
        raise InvalidInput(TOO_MANY_FILES)
    for f in files:
        if not f.content.strip():
            label = f"File {f.name!r}" if f.name else "The content"
            raise InvalidInput(f"{label} is empty or only whitespace: add some text.")
    total = sum(len(f.content.encode("utf-8")) for f in files)
    limit = current_app.config["PASTE_MAX_BYTES"]
    if total > limit:
        raise TooLarge(f"The paste is {total:,} bytes; the limit is {limit:,} bytes.")


def create_paste(files, *, user, title="", visibility="public", expires="never", parent=None):
    """Validate and save a paste with its files, index it and store its highlighting.

    ParentGone when ``parent`` (looked up before) has been deleted since.
    """
    files = [FileInput(clean_filename(f.name), decode_text(f.content), f.lang) for f in files]
    _check_files(files)
    visibility = parse_visibility(visibility, user)
    expiry = parse_expiry(expires)
    title = clean_title(title)
    deadline = time.monotonic() + current_app.config["HIGHLIGHT_TIMEOUT"]
    langs = [highlight.normalize_language(f.lang) for f in files]
    langs = [highlight.choose_language(lang, f.name, f.content, deadline)
             for lang, f in zip(langs, files, strict=True)]
    now = utcnow()
    with db.atomic():
        if parent is not None and not _kept_until_commit(parent):
            raise ParentGone()
        paste = Paste(user=user.id if user.is_authenticated else None, title=title, visibility=visibility,
                      parent=parent, created_at=now, updated_at=now)
        _apply_expiry(paste, expiry, now)
        _save_with_slug(paste)
        rows = [PasteFile.create(paste=paste, position=i, name=f.name, lang=lang, content=f.content,
                                 content_hash=highlight.content_hash(f.content),
                                 size=len(f.content.encode("utf-8")), line_count=count_lines(f.content))
                for i, (f, lang) in enumerate(zip(files, langs, strict=True))]
        paste.__dict__["_files"] = rows
        index_paste(paste)
    highlight_paste(paste, deadline)
    return paste


def _kept_until_commit(parent):
    """True when the parent row is still there, which it then stays until the transaction ends.

    Its owner, a reader of a burn paste or the purge may have deleted it since it
    was looked up: the insert failed on the foreign key (and was retried as a slug
    collision), or on SQLite, which gives a new row the id of a deleted newest row,
    the new paste named itself as its parent. SQLite's write transaction keeps every
    other writer out until it ends; PostgreSQL is asked to keep the row (a DELETE of
    it waits for FOR KEY SHARE).
    """
    query = Paste.select(Paste.id).where(Paste.id == parent.id)
    if is_postgres():
        query = query.for_update("FOR KEY SHARE")
    return query.exists()


def _save_with_slug(paste):
    for _ in range(5):
        paste.slug = secrets.token_urlsafe(9)  # 12 URL-safe characters, 72 random bits
        try:
            with db.atomic():
                paste.save(force_insert=True)
            return
        except IntegrityError:
            continue
    raise RuntimeError("could not find a free paste slug")


def highlight_jobs(paste):
    """(content, lexer) pairs a paste needs stored: each file, plus rendered Markdown."""
    jobs = [(f.content, f.lang) for f in paste.files]
    jobs += [(f.content, highlight.RENDERED) for f in paste.files if f.lang == highlight.MARKDOWN]
    return jobs


def highlight_paste(paste, deadline=None):
    """Store the highlighting of every file; what misses the time budget goes to a background task.

    A file that runs out of what is left of ``deadline`` is not stored as too
    slow: the background task tries it again with the full ``HIGHLIGHT_TIMEOUT``.
    """
    from suite.pastebin.tasks import highlight_paste_task
    deferred = False
    for content, lang in highlight_jobs(paste):
        left = None if deadline is None else deadline - time.monotonic()
        if left is not None and left < 0.05:
            deferred = True
            continue
        if highlight.ensure_highlight(content, lang, timeout=left) is None:
            deferred = True
    if deferred:  # outside a transaction at once; a queue out of reach is logged, not a 500
        enqueue_after_commit(highlight_paste_task, paste.id)


def index_paste(paste):
    """Put a paste in the search index (burn pastes only for their owner)."""
    files = paste.files
    visibility = "private" if paste.burn_after_reading else paste.visibility
    search.index_item("paste", paste.id, owner_id=paste.user_id, visibility=visibility,
                      title=paste.display_title, body="\n\n".join(f.content for f in files),
                      url=url_for("pastebin.view", slug=paste.slug), lang=[f.lang for f in files],
                      updated_at=paste.updated_at, expires_at=paste.expires_at)


def reindex_pastes():
    """(count, iterator) putting every live paste back into the search index, one per step."""
    live = Paste.select().where((Paste.expires_at.is_null()) | (Paste.expires_at > utcnow()))
    return live.count(), (index_paste(paste) for paste in live.iterator())


SLUG = re.compile(r"[A-Za-z0-9_-]{1,16}")  # what token_urlsafe makes (older slugs were shorter)
PASTE_AT = Prepared(lambda slug: Paste.select().where(Paste.slug == slug).limit(1))


def visible_paste(slug, user):
    """The paste at ``slug`` if ``user`` may see it now; NotFound otherwise (private, expired, gone)."""
    paste = PASTE_AT.first(slug) if SLUG.fullmatch(slug or "") else None  # a NUL would fail on PostgreSQL
    if paste is None or paste.is_expired():
        raise NotFound("This paste does not exist, has expired or was deleted.")
    if paste.visibility == "private" and not paste.owned_by(user):
        raise NotFound("This paste does not exist, has expired or was deleted.")
    return paste


def readable_without_burning(slug, user):
    """``visible_paste`` for reading a paste that is not shown as read (a new version of it, a diff).

    Someone else's burn paste is NotFound: it is for one reading, which this would
    either skip or spend unseen. Its owner's reads never burn it.
    """
    paste = visible_paste(slug, user)
    if paste.burn_after_reading and not paste.owned_by(user):
        raise NotFound("This paste does not exist, has expired or was deleted.")
    return paste


def fork_parent(slug, user):
    """The paste a new version names as its parent, or None when there is none or it is gone.

    The parent may be deleted or expire while its fork is being written: the
    fork is then saved as a paste of its own rather than refused. The rule is the
    fork page's (``readable_without_burning``): someone else's burn paste is no
    parent either, and stays unread.
    """
    if not slug:
        return None
    try:
        return readable_without_burning(slug, user)
    except NotFound:
        return None


def read_paste(slug, user, burn=True, check=None):
    """``visible_paste`` for showing its content: a burn paste is deleted by its first reader.

    The owner may look at their own burn paste without burning it, and nobody
    burns it with ``burn=False`` (a HEAD request, which shows no content). Deletion
    and reading race safely: only the request that deletes the row serves it.
    ``check(paste)`` may refuse the request (raise) before anything burns, so a
    request that will not be served (say, for a file the paste lacks) loses nothing.
    """
    paste = visible_paste(slug, user)
    if check is not None:
        check(paste)
    if not burn or not paste.burn_after_reading or paste.owned_by(user):
        return paste
    files = paste.files  # loaded before the rows go, with their highlighting
    views = stored_views(paste)
    with db.atomic():
        if Paste.delete().where(Paste.id == paste.id).execute() != 1:
            raise NotFound("This paste does not exist, has expired or was deleted.")
        search.remove_item("paste", paste.id)
        drop_unused_highlights([f.content_hash for f in files])
    paste.burned = True
    paste.__dict__["_files"], paste.__dict__["_views"] = files, views
    return paste


def linkable(user):
    """Condition: pastes another paste's page may link to for ``user``.

    The rule of ``visible_paste`` made stricter for links, since a link hands out
    the slug: live, and public without burn after reading (an unlisted slug is its
    owner's to share, a burn paste is destroyed by whoever follows it), or ``user``'s own.
    """
    shown = (Paste.visibility == "public") & ~Paste.burn_after_reading
    if getattr(user, "is_authenticated", False):
        shown = shown | (Paste.user == user.id)
    return live() & shown


def shown_parent(paste, user):
    """The paste ``paste`` is a new version of, if ``user`` may be shown a link to it; else None."""
    if paste.parent_id is None:
        return None
    return Paste.select().where(Paste.id == paste.parent_id, linkable(user)).first()


@dataclass
class NewerVersions:
    """The newer versions a paste's page links to: the newest ones, and how many older ones it leaves out."""

    shown: list
    more: int = 0  # counted up to NEWER_COUNTED
    more_than: bool = False  # there are more than ``more``


def newer_versions(paste, user):
    """Query: the newer versions of ``paste`` that ``user`` may be shown links to, newest first.

    Read in order from the index paste_parent_recent (migration 0030), not sorted.
    """
    return (Paste.select().where(Paste.parent == paste.id, linkable(user))
            .order_by(Paste.created_at.desc(), Paste.id.desc()))


def shown_children(paste, user):
    """The newest NEWER_SHOWN newer versions of ``paste`` that ``user`` may be shown links to, newest first.

    A paste forked thousands of times listed every fork on each view: now the
    rest are only counted, and only up to NEWER_COUNTED.
    """
    query = newer_versions(paste, user)
    shown = list(query.limit(NEWER_SHOWN + 1))
    if len(shown) <= NEWER_SHOWN:
        return NewerVersions(shown)
    more = query.select(Paste.id).offset(NEWER_SHOWN).limit(NEWER_COUNTED + 1).count()
    return NewerVersions(shown[:NEWER_SHOWN], min(more, NEWER_COUNTED), more > NEWER_COUNTED)


def seconds_left(paste):
    """Seconds until ``paste`` expires (0 or less once it has); None when it never does."""
    return None if paste.expires_at is None else (paste.expires_at - utcnow()).total_seconds()


def cache_page(paste):
    """Let anonymous readers share this paste's page until pastes change or it expires."""
    pagecache.cache_this("paste", seconds_left(paste))


def owned_paste(slug, user):
    """The paste at ``slug`` if ``user`` owns it, else NotFound."""
    paste = visible_paste(slug, user)
    if not paste.owned_by(user):
        raise NotFound("This paste does not exist, has expired or was deleted.")
    return paste


def update_paste(paste, *, title, visibility, expires, user):
    """Change an owned paste's title, visibility and expiry (``expires="keep"`` leaves the expiry as it is)."""
    paste.title = clean_title(title)
    paste.visibility = parse_visibility(visibility, user)
    now = utcnow()
    if expires != "keep":
        _apply_expiry(paste, parse_expiry(expires), now)
    elif paste.burn_after_reading and paste.visibility == "private":
        raise InvalidInput(NEVER_BURNS)
    paste.updated_at = now
    with db.atomic():
        paste.save()
        index_paste(paste)
    return paste


def delete_paste(paste):
    """Delete a paste, its files, its index entry and highlights no other paste uses."""
    hashes = [f.content_hash for f in paste.files]
    with db.atomic():
        search.remove_item("paste", paste.id)
        paste.delete_instance()
        drop_unused_highlights(hashes)


def drop_unused_highlights(hashes=None):
    """Delete stored highlights of text no paste holds any more (all such, or among ``hashes``).

    A burned or deleted paste's text must not outlive it in the highlight cache.
    """
    used = PasteFile.select(PasteFile.content_hash)
    query = Highlight.delete().where(Highlight.content_hash.not_in(used))
    if hashes is not None:
        if not hashes:
            return 0
        query = query.where(Highlight.content_hash.in_(list(hashes)))
    return query.execute()


def purge_expired(now=None):
    """Delete every expired paste (and its index entry); returns how many went."""
    now = now or utcnow()
    ids = [p.id for p in Paste.select(Paste.id).where(Paste.expires_at <= now)]
    with db.atomic():
        for paste_id in ids:
            search.remove_item("paste", paste_id)
        if ids:
            Paste.delete().where(Paste.id.in_(ids)).execute()
        drop_unused_highlights()
        Highlight.delete().where(Highlight.version != highlight.VERSION).execute()
    return len(ids)


def live():
    """Condition: not expired."""
    return Paste.expires_at.is_null() | (Paste.expires_at > utcnow())


#: What a list shows of each file: everything but the text (a list of 30 pastes could otherwise read megabytes).
FILE_SUMMARY = [f for f in PasteFile._meta.sorted_fields if f is not PasteFile.content]


def with_files(rows, content=False):
    """Load the files of many pastes in one query (instead of one query per paste), with their text if asked."""
    by_id = {paste.id: paste for paste in rows}
    for paste in rows:
        paste.__dict__["_files"] = []
    columns = PasteFile._meta.sorted_fields if content else FILE_SUMMARY
    for f in (PasteFile.select(*columns).where(PasteFile.paste.in_(list(by_id) or [-1]))
              .order_by(PasteFile.position)):
        by_id[f.paste_id].__dict__["_files"].append(f)
    return rows


def recent_public(page=1, per_page=30, content=False):
    """Public, live, non-burn pastes with their owners, newest first (one extra row tells if there is a next page)."""
    query = (Paste.select(Paste, User).join(User, JOIN.LEFT_OUTER)
             .where(Paste.visibility == "public", ~Paste.burn_after_reading, live()))
    return with_files(list(query.order_by(Paste.created_at.desc(), Paste.id.desc()).limit(per_page + 1)
                           .offset((page - 1) * per_page)), content)


def user_pastes(user, lang="", page=1, per_page=30):
    """A user's live pastes, newest first, optionally only those with a file in ``lang``."""
    query = Paste.select(Paste, User).join(User).where(Paste.user == user.id, live())  # owner in the same row
    if lang:
        query = query.where(Paste.id.in_(PasteFile.select(PasteFile.paste).where(PasteFile.lang == lang)))
    return with_files(list(query.order_by(Paste.created_at.desc(), Paste.id.desc()).limit(per_page + 1)
                           .offset((page - 1) * per_page)))


def pastes_by_ids(ids, user):
    """Live pastes among ``ids`` owned by ``user``, keyed by id (for search hits)."""
    ids = [int(i) for i in ids if str(i).isdigit()]
    rows = Paste.select().where(Paste.id.in_(ids or [-1]), Paste.user == user.id, live())
    return {p.id: p for p in rows}


def user_languages(user):
    """The languages of a user's pastes, for the filter."""
    rows = (PasteFile.select(PasteFile.lang).join(Paste)
            .where(Paste.user == user.id).distinct().order_by(PasteFile.lang))
    return [r.lang for r in rows]


@dataclass
class FileView:
    """What a page shows for one file: stored HTML, a notice, rendered Markdown if any."""

    file: PasteFile
    position: int
    html: str
    notice: str = ""
    rendered: str = ""
    pending: bool = False


def stored_views(paste):
    """FileViews of a paste from stored highlights (plain text while one is missing). Never highlights."""
    if "_views" in paste.__dict__:  # a burned paste: read before its highlights were dropped
        return paste.__dict__["_views"]
    out = []
    for i, f in enumerate(paste.files):
        stored = highlight.stored_highlight(f.content, f.lang)
        view = FileView(f, i, stored.html if stored else highlight.plain_html(f.content),
                        stored.notice if stored else "Highlighting is being prepared; reload in a moment.",
                        pending=stored is None)
        if f.lang == highlight.MARKDOWN:
            rendered = highlight.stored_highlight(f.content, highlight.RENDERED)
            view.rendered = rendered.html if rendered else ""
            view.pending = view.pending or rendered is None
        out.append(view)
    return out


def user_paste_count(user):
    """How many live pastes ``user`` has (0 for anonymous visitors)."""
    if not getattr(user, "is_authenticated", False):
        return 0
    return Paste.select().where(Paste.user == user.id, live()).count()
