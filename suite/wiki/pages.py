"""The wiki's domain functions: read, save without lost updates, history, revert, rename, delete.

Every change goes through ``_commit``: an optimistic ``UPDATE ... WHERE version =
<expected>`` (zero rows means someone else saved first), then a new revision,
its render, its links and the search index, all in one transaction.
"""
import hashlib
import re
from dataclasses import dataclass
from typing import Optional

from flask import current_app
from peewee import JOIN, IntegrityError

from suite import pagecache, search
from suite.auth.models import User, utcnow
from suite.database import Prepared, one_page
from suite.errors import Conflict, Forbidden, InvalidInput, NotFound, TooLarge
from suite.extensions import db
from suite.requestargs import MAX_NUMBER
from suite.text import strip_control, unix_line_ends
from suite.wiki import links, sections
from suite.wiki.merge import MergeTooCostly, merge3
from suite.wiki.models import Attachment, AttachmentVersion, Page, Revision
from suite.wiki.permissions import require_admin, require_delete, require_edit
from suite.wiki.titles import clean_title, title_columns, title_key

REDIRECT_RE = re.compile(r"^\s*#REDIRECT\s*\[\[([^\[\]|#\n]+)(?:#[^\]]*)?(?:\|[^\]]*)?\]\]", re.I)
MAX_MESSAGE = 200
BUSY = "The page is being changed by others right now; try again in a moment."
MAX_RETRIES = 10  # each lost race means another save won; ten concurrent saves of one page is plenty


class EditConflict(Conflict):
    """Someone else changed the page meanwhile and the changes overlap."""

    def __init__(self, current, yours, base_text, message=None, moved_to=None, merged=None):
        super().__init__(message or f"{current.author_name} changed this page (revision {current.number}) "
                         "while you were editing it, and your changes overlap. Your text is kept below.")
        self.current, self.yours, self.base_text = current, yours, base_text
        self.moved_to = moved_to  # the title the page was renamed to, when the edit is refused for that
        # Both changes merged, each overlap between conflict markers (None when no merge was possible):
        # what to resolve and save on top of ``current``, so their other changes are not undone.
        self.merged = merged


@dataclass
class SaveResult:
    """What a save did: the page, its new revision, and who it was merged with."""

    page: Page
    revision: Revision
    changed: bool = True
    merged_with: Optional[list] = None
    moved_from: Optional[str] = None  # the title edited, when the page was renamed meanwhile


def content_hash(text):
    """SHA-256 of a page source."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def clean_content(text):
    """Normalized page source (LF line ends, one final newline), refused when empty or too large."""
    text = unix_line_ends(text or "").rstrip() + "\n"
    if "\x00" in text:  # PostgreSQL cannot store it; only binary files hold it
        raise InvalidInput("The page holds a NUL character (binary data?); remove it and save again.")
    if not text.strip():
        raise InvalidInput("A page cannot be empty. To remove a page, use Delete.")
    limit = current_app.config["WIKI_MAX_PAGE_BYTES"]
    size = len(text.encode("utf-8"))
    if size > limit:
        raise TooLarge(f"The page is {size // 1024} KiB; the limit is {limit // 1024} KiB. "
                       "Your text is still in the form.")
    return text


def clean_message(message):
    """An edit summary: one line of printable text, at most 200 characters."""
    message = " ".join(strip_control(message or "").split())
    if len(message) > MAX_MESSAGE:
        raise InvalidInput(f"The edit summary can have at most {MAX_MESSAGE} characters.")
    return message


def summary(text):
    """A generated edit summary (it quotes titles) cut to what the message column holds."""
    return text if len(text) <= MAX_MESSAGE else text[:MAX_MESSAGE - 1] + "…"


def find_page(title):
    """The page row for ``title`` (any case, deleted too), or None."""
    return Page.get_or_none(Page.key == title_key(title))


def titles_of(keys):
    """``{key: title}`` of the pages with these keys (a redirect stores its target's key, not its title)."""
    keys = sorted({k for k in keys if k})
    if not keys:
        return {}
    return dict(Page.select(Page.key, Page.title).where(Page.key.in_(keys)).tuples())


CURRENT_REVISION = Prepared(lambda key: Revision.select(Revision, Page, User).join(Page).switch(Revision)
                            .join(User, JOIN.LEFT_OUTER)
                            .where((Page.key == key) & (Revision.number == Page.version)).limit(1))


def get_page(title, *, deleted=False):
    """``(page, current revision)`` in one query; NotFound for missing (or deleted) pages."""
    revision = CURRENT_REVISION.first(title_key(title))
    if revision is None:
        raise NotFound(f"There is no page called “{title}” yet.")
    if revision.page.deleted and not deleted:
        raise NotFound(f"The page “{revision.page.title}” was deleted.")
    return revision.page, revision


def page_at(title, number=None):
    """``(page, revision)``: revision ``number`` of a page, or its current one when ``number`` is None.

    A deleted page's revisions stay readable (its history links to them); its current state is a
    NotFound, as is a revision it does not have.
    """
    page, current = get_page(title, deleted=True)
    if number is None:
        if page.deleted:
            raise NotFound(f"The page “{page.title}” was deleted.")
        return page, current
    return page, current if number == current.number else get_revision(page, number)


def get_revision(page, number):
    """Revision ``number`` of ``page``, or NotFound."""
    revision = (Revision.select(Revision, User).join(User, JOIN.LEFT_OUTER)
                .where((Revision.page == page.id) & (Revision.number == number)).first())
    if revision is None:
        raise NotFound(f"“{page.title}” has no revision {number}.")
    return revision


def redirect_target(content):
    """The title a ``#REDIRECT [[Title]]`` page points to, or None."""
    match = REDIRECT_RE.match(content)
    return clean_title(match.group(1)) if match else None


def redirect_key(content):
    """Key of the page ``content`` redirects to, or None (no loop check: for imports)."""
    try:
        target = redirect_target(content)
    except InvalidInput:
        return None
    return title_key(target) if target else None


def _check_redirect(key, target):
    """Refuse redirects to the page itself and chains that come back to it (A → B → A)."""
    if target is None:
        return None
    seen, hop, chain = {key}, title_key(target), [target]
    if hop == key:
        raise InvalidInput("A page cannot redirect to itself.")
    for _ in range(20):
        row = Page.get_or_none(Page.key == hop)
        if row is None or row.redirect_to is None or row.deleted:
            return title_key(target)
        chain.append(row.redirect_to)
        if row.redirect_to in seen:
            raise InvalidInput("That redirect would make a loop: " + " → ".join(chain) + ".")
        seen.add(hop)
        hop = row.redirect_to
    raise InvalidInput("That redirect chain is too long.")


def _commit(page, content, user, message, kind, *, deleted=False, title=None, rendered=None, minor=False):
    """Write revision ``page.version + 1`` if nobody else did first; None when we lost the race.

    ``minor``: a minor edit, as its author said (never the page's first revision)."""
    now, number = utcnow(), page.version + 1
    was_live = page.version > 0 and not page.deleted
    redirect = None if deleted else _check_redirect(page.key if title is None else title_key(title),
                                                    redirect_target(content))
    changes = {"version": number, "updated_at": now, "deleted": deleted, "redirect_to": redirect}
    if title is not None:
        changes.update(title_columns(title))
    rows = (Page.update(changes).where((Page.id == page.id) & (Page.version == page.version)).execute())
    if rows == 0:
        return None
    old_key = page.key
    for name, value in changes.items():
        setattr(page, name, value)
    revision = Revision.create(page=page, number=number, kind=kind, author=getattr(user, "id", None),
                               message=message, content=content, content_hash=content_hash(content),
                               created_at=now, minor=bool(minor) and was_live)
    publish(page, revision, was_live=was_live, old_key=old_key, rendered=rendered)
    return revision


def index_page(page, revision):
    """Put a page's current text into the unified search index."""
    search.index_item("wiki", page.id, owner_id=None, visibility="public", title=page.title,
                      body=revision.content, url=links.page_path(page.title), updated_at=revision.created_at)


def reindex_pages():
    """(count, iterator) putting every live page back into the search index, one per step."""
    # only what the index reads: not the cached renders, and no column a later migration adds
    # (``manage.py migrate`` re-indexes when it creates the index, maybe at an older ``--target``)
    live = (Page.select(Page.id, Page.title, Revision.content, Revision.created_at)
            .join(Revision, on=((Revision.page == Page.id) & (Revision.number == Page.version)))
            .where(Page.deleted == False, Page.redirect_to.is_null()))  # noqa: E712
    return live.count(), (index_page(page, page.revision) for page in live.iterator())


def publish(page, revision, *, was_live, old_key, rendered=None):
    """After a write: render and cache, links, search index, and red/blue links elsewhere.

    ``rendered``: the new text rendered before the write transaction began (a render may take
    seconds and must not hold the write lock). It is kept unless a page it links to appeared or
    went meanwhile; then the page is rendered again on its next view.
    """
    if rendered is None:
        rendered = links.render_revision(page.title, revision)
    elif links.links_changed(rendered):
        revision.html = revision.toc = None  # left for the next view to render
    else:
        links.keep_render(revision, rendered)
    links.store_links(page, [] if page.deleted else rendered.links)
    if page.deleted or page.redirect_to:
        search.remove_item("wiki", page.id)
    else:
        index_page(page, revision)
    if was_live == page.deleted or old_key != page.key:
        links.invalidate_links_to(old_key)
        links.invalidate_links_to(page.key)


def _new_page_row(title, user):
    """An empty page row (version 0) for a first save; None when another save created it first."""
    try:
        with db.atomic():
            return Page.create(**title_columns(title), created_by=getattr(user, "id", None))
    except IntegrityError:
        return None


def _merge_stale(page, title, content, base_number):
    """Content to save for an edit based on an older revision: merged, or EditConflict.

    Runs outside any transaction: a big merge must not hold the database's write lock.
    """
    version = page.version if page else 0
    if base_number < 0 or base_number > version:
        raise InvalidInput(f"Revision {base_number} of “{page.title if page else title}” does not exist.")
    if base_number == version:
        return content, None
    current = get_revision(page, page.version)
    base = get_revision(page, base_number) if base_number else None
    # Based on a deletion, the editor started anew from an empty page (a delete revision keeps the old text)
    base_text = "" if base is None or base.kind == "delete" else base.content
    if page.deleted:
        raise EditConflict(current, content, base_text, f"{current.author_name} deleted this page while you "
                           "were editing it. Your text is kept below; save again to bring the page back.")
    if current.content == content:
        return content, None
    try:
        # one merge: without overlaps it is the merged text; with some, the editor's text to resolve
        merged = merge3(base_text, content, current.content,
                        markers=("your text", f"revision {current.number} by {current.author_name}"))
    except MergeTooCostly:
        raise EditConflict(current, content, base_text, f"{current.author_name} changed this page (revision "
                           f"{current.number}) while you were editing it, and the two versions are too large "
                           "and too alike to merge automatically. Your text is kept below.") from None
    if merged.conflicts:
        raise EditConflict(current, content, base_text, merged=merged.text, message=(
            f"{current.author_name} changed this page (revision {current.number}) while you were editing it, "
            f"and your changes overlap in {merged.conflicts} place{'s' if merged.conflicts > 1 else ''}. The "
            "editor below holds both edits merged; where they overlap, both versions stand between "
            "<<<<<<< and >>>>>>> lines: keep what should stay, remove the markers, then save."))
    authors = (User.select(User.username).join(Revision, on=(Revision.author == User.id))
               .where((Revision.page == page.id) & (Revision.number > base_number)).distinct())
    return merged.text, sorted({u.username for u in authors}) or ["someone"]


def _unchanged(page, text):
    """The current revision when ``text`` is what the live page already says, else None."""
    if page is None or not page.version or page.deleted:
        return None
    current = get_revision(page, page.version)
    return current if current.content == text else None


CONFLICT_MARKERS_RE = re.compile(r"^<<<<<<< your text\n(?:.*\n)*?>>>>>>> revision \d+ by .*$", re.M)


def _check_resolved(content, page):
    """Refuse text still holding the conflict markers of the conflict screen (unless the page already does)."""
    if CONFLICT_MARKERS_RE.search(content) and not (
            page and page.version and CONFLICT_MARKERS_RE.search(get_revision(page, page.version).content)):
        raise InvalidInput("Your text still holds conflict markers (<<<<<<< your text … >>>>>>> revision …): "
                           "keep what should stay at each marked place and remove the marker lines, then save.")


def _edited_page(title, content, base_number, page_id, base_hash):
    """The page an edit of ``title`` made on revision ``base_number`` of page ``page_id`` belongs to.

    Revision numbers count per page, so a base only means something with its page: when
    the page was renamed meanwhile, the title holds the redirect the rename left, whose
    revision 1 is not the editor's revision 1. With ``page_id`` (the edit form always sends it)
    the edit goes to that page wherever it moved; gone, EditConflict. Without it (older API
    clients), a base on a page a rename left behind is refused (EditConflict): it cannot be
    told apart from a base on the page that moved away. ``base_hash`` (the base revision's
    SHA-256; the form sends it) must match too: SQLite may give a removed page's id to a new one.
    Returns ``(page, moved_from)``.
    """
    page, moved_from = _page_of_base(title, content, base_number, page_id, base_hash)
    if base_hash and page is not None and 0 < base_number <= page.version \
            and get_revision(page, base_number).content_hash != base_hash:
        raise EditConflict(get_revision(page, page.version), content, None,
                           f"The page you were editing is gone from “{title}” (renamed or removed), and "
                           f"“{page.title}” is another page. Your text is kept below; nothing was saved.")
    return page, moved_from


def _page_of_base(title, content, base_number, page_id, base_hash=None):
    page = find_page(title)
    if not base_number:
        return page, None
    if page_id is not None:
        if page is not None and page.id == page_id:
            return page, None
        # an id past the database's integers is no page's (SQLite would fail on it: a 500)
        moved = Page.get_or_none(Page.id == page_id) if 0 < page_id <= MAX_NUMBER else None
        if moved is not None:
            return moved, title
        if page is None or not page.version:
            raise InvalidInput(f"The page you were editing at “{title}” no longer exists.")
        raise EditConflict(get_revision(page, page.version), content, None,
                           f"The page you were editing no longer exists, and “{page.title}” is now another "
                           "page. Your text is kept below; nothing was saved.")
    if page is not None and page.version and _left_by_rename(page) \
            and not _base_is_here(page, base_number, base_hash):
        target = find_page(page.redirect_to) if page.redirect_to else None
        where = f" to “{target.title}”" if target else ""
        raise EditConflict(get_revision(page, page.version), content, None,
                           f"The page “{page.title}” was renamed{where}, so revision {base_number} may "
                           "belong to the page that moved. Nothing was saved; edit the page at its new "
                           "title (or send page_id, the id of the page you read).",
                           moved_to=target.title if target else None)
    return page, None


def _base_is_here(page, base_number, base_hash):
    """Whether the base the editor names (number and SHA-256) is a revision of this very page."""
    return bool(base_hash) and base_number <= page.version \
        and get_revision(page, base_number).content_hash == base_hash


def _left_by_rename(page):
    """Whether ``page`` began as the redirect a rename left at the old title."""
    return (Revision.select().where((Revision.page == page.id) & (Revision.number == 1)
                                    & (Revision.kind == "rename")).exists())


def with_section(title, base_number, number, text, *, page_id=None, base_hash=None):
    """The whole text of the page once section ``number`` of revision ``base_number`` (the one the editor
    opened) reads ``text``: a section's edit is then saved, and merged, as an edit of the whole page.

    The page is the one the editor opened (``page_id``, ``base_hash``), found as ``save_page`` finds it:
    renamed meanwhile, it is at its new title, never the page a title now holds.
    """
    gone = InvalidInput("The page this section was taken from was renamed or removed meanwhile, and its "
                        "revision is not there. Your text is kept below: open the page again and edit the "
                        "section there.")
    try:
        page, _ = _edited_page(title, text, base_number, page_id, base_hash)
        base = get_revision(page, base_number) if page and base_number > 0 else None
    except (EditConflict, NotFound):
        raise gone from None
    if base is None:
        raise gone
    return sections.replace_section(base.content, number, text)


def save_page(title, content, base_revision, user, message="", *, kind="edit", page_id=None, base_hash=None,
              minor=False):
    """Save an edit made on revision ``base_revision`` (0 for a new page) of page ``page_id``.

    Never overwrites others. Read and merge first, outside a transaction; then write only if the
    page is still at the version merged against (``_commit``'s check). When someone saved
    meanwhile, read and merge again. ``page_id`` (the page the editor started from) sends the
    edit to that page even when it was renamed meanwhile; ``base_hash``, the base revision's SHA-256,
    makes sure the base is that page's; see ``_edited_page``.
    """
    title, content, message = clean_title(title), clean_content(content), clean_message(message)
    base_number = int(base_revision or 0)
    for _ in range(MAX_RETRIES):
        page, moved_from = _edited_page(title, content, base_number, page_id, base_hash)
        require_edit(user, page)
        _check_resolved(content, page)
        text, merged_with = _merge_stale(page, title, content, base_number)
        if (current := _unchanged(page, text)) is not None:  # a merge may come out as the current text too
            return SaveResult(page, current, changed=False, moved_from=moved_from)
        shown_title = page.title if page else title
        rendered = links.render_source(shown_title, text, existing=(shown_title,))  # outside the write lock
        with db.atomic():
            page = page or _new_page_row(title, user)
            revision = page and _commit(page, text, user, message, kind, rendered=rendered, minor=minor)
        if revision is not None:
            return SaveResult(page, revision, merged_with=merged_with, moved_from=moved_from)
    raise Conflict(BUSY)


class StaleRevert(Conflict):
    """The page changed since the reverter looked at it: reverting now would undo that change too."""

    def __init__(self, page, old, current):
        super().__init__(f"“{page.title}” changed since you opened it (now revision {current.number}, by "
                         f"{current.author_name}), so nothing was reverted and that change is kept. Below is "
                         f"the text of revision {old.number}: save it only if it should replace the page.")
        self.page, self.old, self.current = page, old, current


def revert_page(title, number, base_revision, user):
    """A new revision with the content of revision ``number``, made from ``base_revision``.

    ``base_revision`` is the current revision the user saw; when the page has moved on
    since (or it is unknown), StaleRevert: reverting would silently undo the newer change.
    """
    page, current = get_page(title)
    require_edit(user, page)
    old = get_revision(page, int(number))
    if base_revision != current.number:
        raise StaleRevert(page, old, current)
    return save_page(page.title, old.content, current.number, user, f"Reverted to revision {old.number}",
                     kind="revert", page_id=page.id)


def page_count(user=None):
    """Home page figure: how many live pages the wiki has."""
    n = (Page.select().where((Page.deleted == False) & Page.redirect_to.is_null()  # noqa: E712
                             & (Page.version > 0)).count())
    return f"{n} page{'s' if n != 1 else ''}"


def all_pages(page_number=1, per_page=100):
    """Live pages ordered by title (redirects included, marked by ``redirect_to``); one more
    row than ``per_page`` when there is a next page (``one_page``); ``minor=False`` leaves minor edits out."""
    return one_page(Page.select().where((Page.deleted == False) & (Page.version > 0))  # noqa: E712
                    .order_by(Page.sort_key, Page.key), page_number, per_page)


def history(page, page_number=1, per_page=50):
    """Revisions of ``page``, newest first, with their authors; one more row than ``per_page``
    when there is a next page (``one_page``)."""
    return one_page(Revision.select(Revision.id, Revision.number, Revision.kind, Revision.author,
                                    Revision.created_at, Revision.message, Revision.content_hash, Revision.minor,
                                    User)
                    .join(User, JOIN.LEFT_OUTER).where(Revision.page == page.id)
                    .order_by(Revision.number.desc()), page_number, per_page)


def recent_changes(page_number=1, per_page=50, where=None, minor=True):
    """The latest revisions of the whole wiki (or those ``where`` picks), with page and author; one more
    row than ``per_page`` when there is a next page (``one_page``)."""
    query = (Revision.select(Revision.id, Revision.number, Revision.kind, Revision.author,
                             Revision.created_at, Revision.message, Revision.minor, Revision.page, Page, User)
             .join(Page).switch(Revision).join(User, JOIN.LEFT_OUTER))
    if where is not None:
        query = query.where(where)
    if not minor:  # hidden, as MediaWiki's "hide minor edits"
        query = query.where(Revision.minor == False)  # noqa: E712
    return one_page(query.order_by(Revision.created_at.desc(), Revision.id.desc()), page_number, per_page)


def _change_state(title, user, kind, message, *, deleted, check):
    """Delete or restore: a new revision with the same text and the page's new state."""
    for _ in range(MAX_RETRIES):
        with db.atomic():
            page, current = get_page(title, deleted=True)
            check(page)
            revision = _commit(page, current.content, user, message, kind, deleted=deleted)
            if revision is not None:
                return page
    raise Conflict(BUSY)


def delete_page(title, user, message=""):
    """Mark a page deleted (a revision too, so it can be restored); its links turn red."""
    def check(page):
        if page.deleted:
            raise NotFound(f"The page “{page.title}” is already deleted.")
        require_delete(user, page)
    return _change_state(title, user, "delete", clean_message(message) or "Deleted", deleted=True,
                         check=check)


def restore_page(title, user):
    """Bring a deleted page back with its last text."""
    def check(page):
        if not page.deleted:
            raise InvalidInput(f"The page “{page.title}” is not deleted.")
        require_delete(user, page)
    return _change_state(title, user, "restore", "Restored", deleted=False, check=check)


def set_protected(title, user, protected):
    """Admins protect a page so only admins may edit it (or lift that)."""
    require_admin(user)
    with db.atomic():
        page, _ = get_page(title)
        Page.update(protected=bool(protected)).where(Page.id == page.id).execute()
        pagecache.changed("wiki")  # the page shows its "protected" badge: pages kept for readers go
    return page


def rename_page(title, new_title, user, *, rewrite=False, message="", subpages=False):
    """Move a page to ``new_title``, leave a redirect, and optionally fix links pointing at it.

    ``subpages``: its subpages move with it (``A/B`` to ``New/B``), each leaving a redirect, as
    MediaWiki's "Move subpages"; all of them or none (a taken title, a protected subpage, a title
    grown too long: nothing moves, and the answer says which).

    The new title is checked, then taken; on PostgreSQL another rename or a new page may take
    it in between (its row is not seen until it commits), and the unique key refuses the
    write. The rename is then tried again: it sees that page now and says so, the same
    Conflict as when the other came first.
    """
    new_title, message = clean_title(new_title), clean_message(message)
    for _ in range(3):
        try:
            with db.atomic():
                return _rename(title, new_title, user, rewrite, message, subpages)
        except IntegrityError:
            continue
    raise Conflict(BUSY)


def _rename(title, new_title, user, rewrite, message, subpages):
    page, current = get_page(title)
    require_edit(user, page)
    if new_title == page.title:
        raise InvalidInput("The new title is the same as the old one.")
    below = _subpage_moves(page, new_title, user) if subpages else []
    changed = _move(page, current, new_title, user, rewrite, message)
    for sub, sub_title in below:
        sub, sub_current = get_page(sub.title)
        changed += _move(sub, sub_current, sub_title, user, rewrite, message)
    return page, list(dict.fromkeys(changed))


def _move(page, current, new_title, user, rewrite, message):
    """Move one page, leave a redirect and (``rewrite``) fix the links to it; the titles of pages changed."""
    old_title, old_key, new_key = page.title, page.key, title_key(new_title)
    if new_key != old_key:
        _clear_target(new_title, page)
    revision = _commit(page, current.content, user,
                       message or summary(f"Renamed from {old_title} to {new_title}"), "rename", title=new_title)
    if revision is None:
        raise Conflict(f"“{old_title}” changed while you were renaming it; try again.")
    if new_key == old_key:
        return []
    redirect = Page.create(**title_columns(old_title), created_by=getattr(user, "id", None))
    _commit(redirect, f"#REDIRECT [[{new_title}]]\n", user, summary(f"Renamed to {new_title}"), "rename")
    return _rewrite_links_to(old_key, old_title, new_title, user, skip=redirect.id) if rewrite else []


MAX_SUBPAGES_MOVED = 100  # as MediaWiki, which moves at most 100 subpages with a page


def subpages(page, limit=MAX_SUBPAGES_MOVED + 1):
    """Live subpages of ``page`` at any depth (``A/B``, ``A/B/C`` under ``A``), redirects left out, A–Z."""
    prefix = page.key + "/"
    rows = (Page.select().where(Page.key.startswith(prefix) & (Page.deleted == False)  # noqa: E712
                                & Page.redirect_to.is_null())
            .order_by(Page.key).limit(limit))
    return [row for row in rows if row.key.startswith(prefix)]  # LIKE ignores case; keys are case-folded already


def _subpage_moves(page, new_title, user):
    """``[(subpage, its new title)]`` for moving ``page`` to ``new_title`` with its subpages, or the reason
    none can move: too many, a protected one, a new title too long."""
    below = subpages(page)
    if len(below) > MAX_SUBPAGES_MOVED:
        raise InvalidInput(f"“{page.title}” has more than {MAX_SUBPAGES_MOVED} subpages; move them in parts "
                           "(a subpage with its own subpages first), or move the page alone.")
    if title_key(new_title).startswith(page.key + "/"):
        raise InvalidInput("A page cannot move below itself together with its subpages; move it alone.")
    depth = page.title.count("/") + 1
    moves = []
    for sub in below:
        if sub.protected and not getattr(user, "is_admin", False):
            raise Forbidden(f"The subpage “{sub.title}” is protected: only administrators may move it. "
                            "Move the page alone, or ask an administrator.")
        rest = "/".join(sub.title.split("/")[depth:])
        try:
            moves.append((sub, clean_title(f"{new_title}/{rest}")))
        except InvalidInput as err:
            raise InvalidInput(f"The subpage “{sub.title}” cannot move to “{new_title}/{rest}”: {err.message}") \
                from None
    return moves


def _clear_target(new_title, page):
    """Refuse a taken title, except a redirect back to ``page`` that never held anything else (moving it
    back; a later rename's link update may have pointed it on, A → B → C, so it has several revisions)."""
    existing = find_page(new_title)
    if existing is None:
        return
    if existing.redirect_to == page.key and not existing.deleted and _only_ever_redirected(existing):
        _adopt_attachments(existing, page)
        search.remove_item("wiki", existing.id)
        existing.delete_instance()
        return
    state = " (deleted; restore it or choose another title)" if existing.deleted else ""
    raise Conflict(f"A page called “{existing.title}” already exists{state}.")


def _only_ever_redirected(page):
    return all(redirect_key(text) for (text,) in Revision.select(Revision.content)
               .where(Revision.page == page.id).tuples())


def _adopt_attachments(redirect, page):
    """Give ``page`` the files attached at ``redirect``, the title it is moving back to (and their earlier
    versions).

    Files belong to the title they were uploaded at, as in DokuWiki, whose media
    live where they were put: whoever attached them there reads them at
    ``<title>/attachments/<name>`` and finds them there after the move back. A file
    name both have is refused (Conflict) rather than one file silently replacing the other.
    """
    own = Attachment.select(Attachment.name).where(Attachment.page == page.id)
    clash = sorted(a.name for a in Attachment.select(Attachment.name)
                   .where((Attachment.page == redirect.id) & Attachment.name.in_(own)))
    if clash:
        raise Conflict(f"“{redirect.title}” has files that “{page.title}” also has ({', '.join(clash)}); "
                       "delete or replace them at one of the two titles, then rename again.")
    Attachment.update(page=page.id).where(Attachment.page == redirect.id).execute()
    AttachmentVersion.update(page=page.id).where(AttachmentVersion.page == redirect.id).execute()


def _rewrite_links_to(old_key, old_title, new_title, user, skip):
    """Point every ``[[old]]`` link at ``new_title``; returns the titles of the pages changed."""
    changed = []
    for source in links.pages_linking_to(old_key):
        if source.id == skip or (source.protected and not user.is_admin):
            continue
        current = get_revision(source, source.version)
        text = links.rewrite_links(current.content, old_key, new_title, source.title)
        if text != current.content and _commit(source, text, user,  # mechanical: a minor edit
                                               summary(f"Link updated: {old_title} → {new_title}"), "edit",
                                               minor=True):
            changed.append(source.title)
    return changed
