"""Background tasks of the bookmarks app: fetch and picture, backlog, dead-link check, file sweep, imports."""
import datetime
import time
from collections import defaultdict

from huey import crontab

from suite.auth.models import utcnow
from suite.bookmarks.models import PENDING, Bookmark
from suite.jobs import job, periodic_job

BACKLOG_PER_RUN = 50
BACKLOG_MIN_AGE = 90
BACKLOG_SECONDS = 40  # a run starts no bookmark after this: well within its minute
BACKLOG_LEASE = "bookmarks.backlog"
CHECKS_PER_RUN = 60
CHECKS_PER_HOST = 3
HOST_SPACING_SECONDS = 1.0


@job(retries=1, retry_delay=60)
def fetch_bookmark_task(bookmark_id):
    """Fetch a new or changed bookmark's page, then make its thumbnails."""
    # Imported here: requests and the browser code are ~5 MB that a web worker, which only queues, never needs.
    from suite.bookmarks import crawl
    return crawl.process(bookmark_id)


def process_backlog(limit=BACKLOG_PER_RUN, min_age=BACKLOG_MIN_AGE, budget=BACKLOG_SECONDS):
    """Work through bookmarks still pending (imports queue none one by one); returns how many.

    Bookmarks changed in the last ``min_age`` seconds are left to their own queued task. A picture
    still pending after that means its task died with its worker (SIGKILL mid-screenshot): redo it.
    Claimed bookmarks are not picked, and crawl.process claims each one again before working: one
    that a task or an overlapping run took (or finished) since the query is skipped. No bookmark is
    started after ``budget`` seconds: the rest waits for the next run.
    """
    from suite.bookmarks import crawl
    now = utcnow()
    settled = now - datetime.timedelta(seconds=min_age)
    pending = (Bookmark.fetch_status == PENDING) | (Bookmark.thumb_status == PENDING)
    ids = [b.id for b in Bookmark.select(Bookmark.id).where(pending, crawl.unclaimed(now), Bookmark.updated_at <= settled)
           .order_by(Bookmark.id).limit(limit)]
    deadline, done = time.monotonic() + budget, 0
    for bookmark_id in ids:
        if time.monotonic() >= deadline:
            break
        crawl.process(bookmark_id)
        done += 1
    return done


@periodic_job(crontab(minute="*"))
def backlog_task():
    """Every minute: fetch pending bookmarks (imports) for ``BACKLOG_SECONDS``, and queue stalled imports again.

    One run at a time in the whole suite (a lease): runs queued while one works end at once, so
    they never fill the task threads ahead of the fetch of a bookmark just saved.
    """
    from suite import leases
    from suite.bookmarks import crawl
    from suite.bookmarks.importer import requeue_stalled_imports
    requeue_stalled_imports()
    # held past the budget for the bookmark under way then; lapses by itself if this worker dies
    token = leases.take(BACKLOG_LEASE, BACKLOG_SECONDS + crawl.claim_lease().total_seconds() / 2)
    if token is None:
        return 0
    try:
        return process_backlog()
    finally:
        leases.give_back(BACKLOG_LEASE, token)


def check_links(limit=CHECKS_PER_RUN, per_host=CHECKS_PER_HOST, spacing=HOST_SPACING_SECONDS):
    """Re-check the least recently checked bookmarks: at most ``per_host`` per host, spaced in time."""
    from suite.bookmarks.links import check_one
    candidates = list(Bookmark.select().where(Bookmark.fetch_status != PENDING)
                  .order_by(Bookmark.checked_at.asc(nulls="first"), Bookmark.id).limit(limit * 4))
    per_domain, last_hit, checked = defaultdict(int), {}, 0
    for bookmark in candidates:
        if checked >= limit:
            break
        if per_domain[bookmark.domain] >= per_host:
            continue
        wait = last_hit.get(bookmark.domain, 0) + spacing - time.monotonic()
        if wait > 0:
            time.sleep(wait)
        check_one(bookmark)
        last_hit[bookmark.domain] = time.monotonic()
        per_domain[bookmark.domain] += 1
        checked += 1
    return checked


@periodic_job(crontab(minute="17", hour="*"))
def check_links_task():
    """Hourly: the dead-link check, bounded per run and per host."""
    return check_links()


@periodic_job(crontab(minute="*/15"))
def sweep_files_task():
    """Every quarter hour: delete the picture files no bookmark uses (deleted accounts, replaced pictures)."""
    from suite.bookmarks.files import sweep
    return sweep()


@job()
def import_task(run_id, path=None):
    """Import an uploaded Netscape file in batches (the progress page follows ImportRun)."""
    from suite.bookmarks.importer import run_import
    return run_import(run_id, path)
