"""Importing many bookmarks at once: batches inside transactions, thumbnails left to the backlog task."""
import os

from flask import current_app

from suite.auth.models import User, utcnow
from suite.bookmarks import netscape
from suite.bookmarks.bookmarks import index_bookmark, one_writer_per_owner, tag_ids
from suite.bookmarks.models import Bookmark, BookmarkTag, ImportRun
from suite.bookmarks.urls import domain_of, page_key, saved_url, url_hash
from suite.errors import InvalidInput, SuiteError
from suite.extensions import db
from suite.imports import (
    DONE,
    FAILED,
    MAX_STALLS,
    PENDING,
    RUNNING,
    TakenOver,
    imports_dir,
    remove_upload,
    requeue_stalled,
)
from suite.text import sort_key, strip_control, unix_line_ends

BATCH = 500


def import_entries(user, entries, *, private_default=True, on_batch=None):
    """Save entries (skipping invalid URLs and ones already saved); returns (created, duplicates, invalid).

    Each batch is one transaction; ``on_batch(processed, created, duplicates)`` is called inside it,
    so what it records commits with the batch (an exception there undoes the batch).
    New bookmarks stay ``pending``: the backlog task fetches them and makes their
    thumbnails, so an import never waits for the network.
    """
    created = duplicates = invalid = 0
    seen = set()
    for start in range(0, len(entries), BATCH):
        batch = entries[start:start + BATCH]
        rows = []
        for entry in batch:
            try:
                url = saved_url(entry.url)
            except InvalidInput:
                invalid += 1
                continue
            key = url_hash(page_key(url))
            if key in seen:
                duplicates += 1
                continue
            seen.add(key)
            rows.append((entry, url, key))
        with db.atomic():
            # A batch waits for the owner's other writes (another import, a tag rename or merge, an edit),
            # as they wait for it: on PostgreSQL a merge committed between the batch's reading a tag and
            # linking it failed the batch on the foreign key.
            one_writer_per_owner(user.id)
            existing = {b.url_hash for b in Bookmark.select(Bookmark.url_hash).where(
                Bookmark.owner == user.id, Bookmark.url_hash.in_([k for _e, _u, k in rows] or [""]))}
            fresh = [(e, u, k) for e, u, k in rows if k not in existing]
            saved = _save_batch(user, fresh, private_default)
            created += saved
            duplicates += len(rows) - saved
            if on_batch:
                on_batch(min(start + BATCH, len(entries)), created, duplicates)
    return created, duplicates, invalid


def _save_batch(user, rows, private_default):
    """Insert one batch with a few statements: bookmarks, tag links, then index each; how many were new.

    A link saved meanwhile (the API, another import of the same file) is skipped by the insert
    itself (ON CONFLICT DO NOTHING), and only the rows inserted get tags and search entries.
    """
    if not rows:
        return 0
    now = utcnow()
    bookmarks = {key: Bookmark(owner=user.id, url=url, url_hash=key, domain=domain_of(url)[:255],
                               title=strip_control(entry.title or "")[:500],
                               title_sort=sort_key(strip_control(entry.title or "")[:500])[:500],
                               description=strip_control(entry.description or "")[:5000],
                               notes=unix_line_ends(strip_control(entry.notes or "")),
                               is_private=private_default if entry.private is None else entry.private,
                               unread=entry.unread, created_at=entry.added or now, updated_at=now)
                 for entry, url, key in rows}
    inserted = (Bookmark.insert_many([b.__data__ for b in bookmarks.values()]).on_conflict_ignore()
                .returning(Bookmark.id, Bookmark.url_hash).tuples().execute())
    ids = dict((key, bookmark_id) for bookmark_id, key in inserted)
    new = [(bookmarks[key], netscape_tags(entry.tags)) for entry, _url, key in rows if key in ids]
    links, tag_cache = [], {}  # read again for each batch: a tag may be renamed or merged away between batches
    for bookmark, names in new:
        bookmark.id = ids[bookmark.url_hash]
        links += [(bookmark.id, t) for t in tag_ids(user.id, names, tag_cache)]
    if links:  # in tag id order: the count triggers lock tag rows in this order, as set_tags does
        links.sort(key=lambda link: (link[1], link[0]))
        BookmarkTag.insert_many(links, fields=[BookmarkTag.bookmark, BookmarkTag.tag]).execute()
    for bookmark, names in new:
        index_bookmark(bookmark, names)
    return len(new)


def netscape_tags(raw):
    """Tags of an entry, normalized like typed tags (invalid ones dropped, at most 50)."""
    from suite import search
    return search.normalize_tags(t.lstrip("#") for t in raw)[:50]


def run_file(run_id):
    """Where the uploaded file of an import waits for its task."""
    return os.path.join(imports_dir(), f"{run_id}.html")


def start_import(user, filename, data):
    """Check an uploaded file, keep it, and queue its import; returns the ImportRun."""
    from suite.bookmarks.tasks import import_task
    from suite.jobs import enqueue_after_commit
    links = netscape.check(data)  # the task parses: a 13 MB file held the upload 6-12 s, then was parsed again
    with db.atomic():
        run = ImportRun.create(owner=user.id, filename=(filename or "")[:255], total=links)
        with open(run_file(run.id), "wb") as f:
            f.write(data)
        enqueue_after_commit(import_task, run.id)
    return run


def requeue_stalled_imports():
    """Queue again the imports whose task was lost or whose worker died (suite.imports); how many.

    Queueing happens after the upload's commit, and a queue out of reach then (Redis down) is
    only logged: without this the import would wait for good. A run queued twice is imported
    once (``run_import`` claims it).
    """
    from suite.bookmarks.tasks import import_task
    return requeue_stalled(
        ImportRun, run_file, import_task, gone="The uploaded file is gone; upload it again.",
        stopped=lambda run: (f"The import stopped {MAX_STALLS} times without finishing (its worker was stopped); "
                             f"{run.created:,} bookmarks were imported. Upload the file again for the rest: "
                             "the links already saved are skipped."),
        # running since before migration 0024, which kept no counts: it starts over
        start_over=dict(processed=0, created=0, duplicates=0))


def run_import(run_id, path=None):
    """The import task: parse the kept file and import it, recording progress on the run.

    A run taken up again after its worker died resumes after the last batch it saved.
    ``path``: the file of an upload queued before files were named by their run.
    """
    path = path or run_file(run_id)
    beat = [utcnow()]  # our progressed_at: the run is ours while it still holds this
    claimed = ImportRun.update(status=RUNNING, progressed_at=beat[0]).where(
        ImportRun.id == run_id, ImportRun.status == PENDING).execute()
    run = ImportRun.get_or_none(ImportRun.id == run_id)
    if run is None:  # its account was deleted while the file waited: nobody will import it
        remove_upload(path)
        return None
    if not claimed:
        return None  # queued twice (see requeue_stalled_imports): the other task has it
    done = run.processed

    def ours():
        return (ImportRun.id == run_id) & (ImportRun.progressed_at == beat[0])

    def progress(processed, created, duplicates):
        now = utcnow()
        if not ImportRun.update(processed=done + processed, created=run.created + created,
                                duplicates=run.duplicates + duplicates, progressed_at=now).where(ours()).execute():
            raise TakenOver()  # undoes this batch: the task that has the run now saves it
        beat[0] = now

    finish = {}
    try:
        with open(path, "rb") as f:
            entries = netscape.parse(f.read())
        if len(entries) != run.total:  # the upload counted links by a regular expression
            ImportRun.update(total=len(entries)).where(ImportRun.id == run_id).execute()
        user = User.get_by_id(run.owner_id)
        import_entries(user, entries[done:], on_batch=progress)
        created, duplicates = ImportRun.select(ImportRun.created, ImportRun.duplicates).where(
            ImportRun.id == run_id).tuples().get()
        invalid = len(entries) - created - duplicates
        message = f"{created:,} imported, {duplicates:,} already saved, {invalid:,} skipped (not http/https)."
        finish = dict(status=DONE, processed=len(entries), message=message)
    except TakenOver:
        pass
    except (SuiteError, OSError) as err:
        finish = dict(status=FAILED, message=getattr(err, "message", str(err)))
    except Exception:
        current_app.logger.exception("bookmarks: import %s failed", run_id)
        finish = dict(status=FAILED, message="The import stopped because of an error on our side; "
                      "the batches before it were saved.")
    if finish and not ImportRun.update(**finish).where(ours()).execute() and _live(run_id):
        finish = {}  # taken over after its last batch
    if finish:
        remove_upload(path)  # not when another task has the run: it reads the file
    return run_id


def _live(run_id):
    return ImportRun.select().where(ImportRun.id == run_id, ImportRun.status.in_([PENDING, RUNNING])).exists()
