"""The dead-link check of one bookmark."""
from flask import current_app

from suite import pagecache
from suite.auth.models import utcnow
from suite.bookmarks.fetch import FetchError, fetch, guard_for
from suite.bookmarks.models import Bookmark


def check_one(bookmark):
    """Request the bookmark's URL (headers only) and mark it broken on an error or HTTP ≥ 400."""
    cfg = current_app.config
    try:
        got = fetch(bookmark.url, guard_for(cfg), max_bytes=1, timeout=cfg["FETCH_TIMEOUT"], body_types=())
        broken, status, error = got.status >= 400, got.status, ""
        if broken:
            error = f"HTTP {got.status}"
    except FetchError as err:
        broken, status, error = True, None, str(err)[:1000]
    Bookmark.update(is_broken=broken, http_status=status if status is not None else Bookmark.http_status,
                    checked_at=utcnow(), check_error=error).where(Bookmark.id == bookmark.id).execute()
    pagecache.changed("bookmark")
    return not broken
