"""The dead-link check of one bookmark."""
from flask import current_app

from suite import pagecache
from suite.auth.models import utcnow
from suite.bookmarks.fetch import FetchError, FetchRefused, fetch, guard_for
from suite.bookmarks.models import Bookmark


def check_one(bookmark):
    """Request the bookmark's URL (headers only) and mark it broken on an error or HTTP ≥ 400.

    A URL the fetcher refuses (a private address) is a rule, not a dead link: its broken
    mark stays as it was, as when the page was first fetched. Returns whether it answered well.
    """
    cfg = current_app.config
    values, answered = {Bookmark.checked_at: utcnow()}, False
    try:
        got = fetch(bookmark.url, guard_for(cfg), max_bytes=1, timeout=cfg["FETCH_TIMEOUT"], body_types=())
        values.update({Bookmark.is_broken: got.status >= 400, Bookmark.http_status: got.status,
                       Bookmark.check_error: f"HTTP {got.status}" if got.status >= 400 else ""})
        answered = got.status < 400
    except FetchRefused as err:
        values[Bookmark.check_error] = str(err)[:1000]
    except FetchError as err:
        values.update({Bookmark.is_broken: True, Bookmark.check_error: str(err)[:1000]})
    Bookmark.update(values).where(Bookmark.id == bookmark.id, Bookmark.url == bookmark.url).execute()
    pagecache.changed("bookmark")
    return answered
