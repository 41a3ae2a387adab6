"""Importing many bookmarks at once: batches inside transactions, thumbnails left to the backlog task."""
import datetime
import os

from flask import current_app

from suite.auth.models import User, utcnow
from suite.bookmarks import netscape
from suite.bookmarks.bookmarks import index_bookmark, tag_ids
from suite.bookmarks.models import DONE, FAILED, PENDING, Bookmark, BookmarkTag, ImportRun
from suite.bookmarks.urls import domain_of, page_key, saved_url, url_hash
from suite.errors import InvalidInput, SuiteError
from suite.extensions import db
from suite.text import strip_control

BATCH = 500


def import_entries(user, entries, *, private_default=True, on_batch=None):
    """Save entries (skipping invalid URLs and ones already saved); returns (created, duplicates, invalid).

    Each batch is one transaction; ``on_batch(processed)`` is called after each.
    New bookmarks stay ``pending``: the backlog task fetches them and makes their
    thumbnails, so an import never waits for the network.
    """
    created = duplicates = invalid = 0
    tag_cache, seen = {}, set()
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
            existing = {b.url_hash for b in Bookmark.select(Bookmark.url_hash).where(
                Bookmark.owner == user.id, Bookmark.url_hash.in_([k for _e, _u, k in rows] or [""]))}
            fresh = [(e, u, k) for e, u, k in rows if k not in existing]
            duplicates += len(rows) - len(fresh)
            _save_batch(user, fresh, private_default, tag_cache)
            created += len(fresh)
        if on_batch:
            on_batch(min(start + BATCH, len(entries)))
    return created, duplicates, invalid


def _save_batch(user, rows, private_default, tag_cache):
    """Insert one batch with a few statements: bookmarks, their ids, tag links; then index each."""
    if not rows:
        return
    now = utcnow()
    bookmarks = [Bookmark(owner=user.id, url=url, url_hash=key, domain=domain_of(url)[:255],
                          title=strip_control(entry.title or "")[:500],
                          description=strip_control(entry.description or "")[:5000],
                          is_private=private_default if entry.private is None else entry.private,
                          unread=entry.unread, created_at=entry.added or now, updated_at=now)
                 for entry, url, key in rows]
    Bookmark.insert_many([b.__data__ for b in bookmarks]).execute()
    ids = dict(Bookmark.select(Bookmark.url_hash, Bookmark.id).where(
        Bookmark.owner == user.id, Bookmark.url_hash.in_([b.url_hash for b in bookmarks])).tuples())
    tags = [netscape_tags(entry.tags) for entry, _url, _key in rows]
    links = []
    for bookmark, names in zip(bookmarks, tags, strict=True):
        bookmark.id = ids[bookmark.url_hash]
        links += [(bookmark.id, t) for t in tag_ids(user.id, names, tag_cache)]
    if links:
        BookmarkTag.insert_many(links, fields=[BookmarkTag.bookmark, BookmarkTag.tag]).execute()
    for bookmark, names in zip(bookmarks, tags, strict=True):
        index_bookmark(bookmark, names)


def netscape_tags(raw):
    """Tags of an entry, normalized like typed tags (invalid ones dropped, at most 50)."""
    from suite import search
    return search.normalize_tags(t.lstrip("#") for t in raw)[:50]


def imports_dir():
    """Where uploaded files wait for the import task."""
    path = os.path.join(current_app.instance_path, "imports")
    os.makedirs(path, exist_ok=True)
    return path


def run_file(run_id):
    """Where the uploaded file of an import waits for its task."""
    return os.path.join(imports_dir(), f"{run_id}.html")


#: An import still pending this long after its upload was not queued (the queue was out of reach).
STALLED_AFTER = datetime.timedelta(minutes=10)


def start_import(user, filename, data):
    """Check an uploaded file, keep it, and queue its import; returns the ImportRun."""
    from suite.bookmarks.tasks import import_task
    from suite.jobs import enqueue_after_commit
    entries = netscape.parse(data)
    if not entries:
        raise InvalidInput("This bookmark file holds no bookmarks.")
    with db.atomic():
        run = ImportRun.create(owner=user.id, filename=(filename or "")[:255], total=len(entries))
        with open(run_file(run.id), "wb") as f:
            f.write(data)
        enqueue_after_commit(import_task, run.id)
    return run


def requeue_stalled_imports():
    """Queue again the imports still pending ``STALLED_AFTER`` after their upload; how many.

    Queueing happens after the upload's commit, and a queue out of reach then (Redis down) is
    only logged: without this the import would wait for good. A run queued twice is imported
    once (``run_import`` claims it).
    """
    from suite.bookmarks.tasks import import_task
    stalled = list(ImportRun.select(ImportRun.id).where(ImportRun.status == PENDING,
                                                        ImportRun.created_at < utcnow() - STALLED_AFTER))
    for run in stalled:
        if os.path.exists(run_file(run.id)):
            import_task(run.id)
        else:
            ImportRun.update(status=FAILED, message="The uploaded file is gone; upload it again.").where(
                ImportRun.id == run.id, ImportRun.status == PENDING).execute()
    return len(stalled)


def run_import(run_id, path=None):
    """The import task: parse the kept file and import it, recording progress on the run.

    ``path``: the file of an upload queued before files were named by their run.
    """
    path = path or run_file(run_id)
    run = ImportRun.get_or_none(ImportRun.id == run_id)
    if run is None:  # its account was deleted while the file waited: nobody will import it
        _remove(path)
        return None
    if not ImportRun.update(status="running").where(ImportRun.id == run_id, ImportRun.status == PENDING).execute():
        return None  # queued twice (see requeue_stalled_imports): the other task has it
    try:
        with open(path, "rb") as f:
            entries = netscape.parse(f.read())
        user = User.get_by_id(run.owner_id)
        created, duplicates, invalid = import_entries(
            user, entries, on_batch=lambda n: ImportRun.update(processed=n).where(ImportRun.id == run_id).execute())
        message = f"{created:,} imported, {duplicates:,} already saved, {invalid:,} skipped (not http/https)."
        ImportRun.update(status=DONE, processed=len(entries), created=created, duplicates=duplicates,
                         message=message).where(ImportRun.id == run_id).execute()
    except (SuiteError, OSError) as err:
        ImportRun.update(status=FAILED, message=getattr(err, "message", str(err))).where(
            ImportRun.id == run_id).execute()
    except Exception:
        current_app.logger.exception("bookmarks: import %s failed", run_id)
        ImportRun.update(status=FAILED, message="The import stopped because of an error on our side; "
                         "the batches before it were saved.").where(ImportRun.id == run_id).execute()
    finally:
        _remove(path)
    return run_id


def _remove(path):
    """Delete an uploaded file once it is no longer needed (it holds someone's bookmarks)."""
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
