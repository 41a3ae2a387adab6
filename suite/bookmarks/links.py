"""The dead-link check of one bookmark."""
from flask import current_app

from suite import pagecache
from suite.auth.models import utcnow
from suite.bookmarks.fetch import FetchError, FetchRefused, FetchTimeout, fetch, guard_for
from suite.bookmarks.models import Bookmark

# Answers that say "not now" rather than "gone": the check cannot tell, so a broken mark stays as it was.
BUSY_STATUSES = (429, 503)


def check_one(bookmark):
    """Request the bookmark's URL (headers only) and mark it broken on an error or HTTP ≥ 400.

    A URL the fetcher refuses (a private address) is a rule, not a dead link: its broken
    mark stays as it was, as when the page was first fetched. So does it when the answer is
    unknown: 429 Too Many Requests, 503 Service Unavailable or no answer in time say the site is
    busy, not that the page is gone; the reason is recorded. Returns whether it answered well.
    """
    cfg = current_app.config
    values, answered = {Bookmark.checked_at: utcnow()}, False
    try:
        got = fetch(bookmark.url, guard_for(cfg), max_bytes=1, timeout=cfg["FETCH_TIMEOUT"], body_types=())
        values.update({Bookmark.http_status: got.status,
                       Bookmark.check_error: f"HTTP {got.status}" if got.status >= 400 else ""})
        if got.status in BUSY_STATUSES:
            values[Bookmark.check_error] = f"HTTP {got.status}: the site is busy; checked again later"
        else:
            values[Bookmark.is_broken] = got.status >= 400
        answered = got.status < 400
    except (FetchRefused, FetchTimeout) as err:
        values[Bookmark.check_error] = str(err)[:1000]
    except FetchError as err:
        values.update({Bookmark.is_broken: True, Bookmark.check_error: str(err)[:1000]})
    Bookmark.update(values).where(Bookmark.id == bookmark.id, Bookmark.url == bookmark.url).execute()
    pagecache.changed("bookmark")
    return answered
