"""What the background tasks do to one bookmark: fetch its page, then give it a picture."""
import datetime
import io
import logging

from flask import current_app
from peewee import Case, fn

from suite import pagecache
from suite.auth.models import utcnow
from suite.bookmarks import thumbnails
from suite.bookmarks.fetch import (
    DEADLINE_FACTOR,
    FetchError,
    FetchRefused,
    FetchTimeout,
    fetch,
    guard_for,
)
from suite.bookmarks.links import BUSY_STATUSES
from suite.bookmarks.metadata import parse_html
from suite.bookmarks.models import DONE, FAILED, PENDING, Bookmark
from suite.bookmarks.screenshot import BrowserClosed, ScreenshotFailed, backend_for
from suite.extensions import db
from suite.text import sort_key, strip_control

IMAGE_TYPES = ("image/",)
REAL_PICTURES = ("screenshot", "og:image")  # taken of the page itself, unlike a drawn card
MAX_FAVICON_BYTES = 256 * 1024
log = logging.getLogger("suite.bookmarks")


def _settings():
    cfg = current_app.config
    return guard_for(cfg), cfg["FETCH_MAX_BYTES"], cfg["FETCH_TIMEOUT"]


def fetch_metadata(bookmark):
    """Fetch the bookmark's page and store what it says; returns the bookmark as stored now, or None.

    The fetch takes seconds, while the owner may edit or delete the bookmark. So only the
    fetched columns are written (title and description only while still empty), nothing at all
    when the bookmark is gone or its URL changed meanwhile (the new URL has its own fetch
    queued: None then), and the search entry is rebuilt from the row as it is now.

    As in the dead-link check, an answer that says "not now" (429, 503, no answer in time) does not
    mark the bookmark broken: the reason is recorded, the broken mark stays as it was, and the
    hourly check asks again.
    """
    guard, max_bytes, timeout = _settings()
    try:
        page = fetch(bookmark.url, guard, max_bytes=max_bytes, timeout=timeout,
                     body_types=("text/html", "application/xhtml+xml"))
    except FetchError as err:
        values = {Bookmark.fetch_status: FAILED, Bookmark.fetch_error: str(err)[:1000], Bookmark.checked_at: utcnow()}
        if not isinstance(err, FetchTimeout):  # no answer in time: maybe just busy
            values[Bookmark.is_broken] = not isinstance(err, FetchRefused)  # a refusal is a rule, not a dead link
        return _store(bookmark, values, reindex=False)
    return _store(bookmark, _page_values(page), reindex=True)


def _unless_set(column, value):
    """An UPDATE value keeping the column's text when it has some (the owner's own title wins)."""
    return fn.COALESCE(fn.NULLIF(column, ""), value)


def _page_values(page):
    """The columns a fetched page fills (favicon downloaded here)."""
    values = {Bookmark.http_status: page.status, Bookmark.fetch_status: DONE, Bookmark.fetch_error: "",
              Bookmark.checked_at: utcnow()}
    if page.status in BUSY_STATUSES:  # "not now", not "gone": the broken mark stays as it was
        values[Bookmark.fetch_error] = f"The page answered HTTP {page.status}: the site is busy; checked again later."
    else:
        values[Bookmark.is_broken] = page.status >= 400
    if page.status >= 400:  # an error page's title ("404 Not Found") and words are not the bookmark's
        values[Bookmark.fetch_error] = values[Bookmark.fetch_error] or f"The page answered HTTP {page.status}."
    elif page.is_html and page.body:
        meta = parse_html(page.text(), page.url)
        title = strip_control(meta.title)[:500]
        values.update({Bookmark.title: _unless_set(Bookmark.title, title),
                       Bookmark.title_sort: Case(None, [(Bookmark.title == "", sort_key(title)[:500])],
                                                    Bookmark.title_sort),
                       Bookmark.description: _unless_set(Bookmark.description, strip_control(meta.description)),
                       Bookmark.image_url: meta.image[:2000], Bookmark.canonical_url: meta.canonical[:2000],
                       Bookmark.page_text: strip_control(meta.text),
                       Bookmark.favicon: fetch_favicon(meta.icons or [meta.favicon]) or ""})
    elif page.content_type.startswith("image/"):
        values[Bookmark.image_url] = page.url[:2000]  # a picture bookmark is its own preview
    elif not page.is_html:
        values[Bookmark.fetch_error] = f"Not a web page ({page.content_type or 'unknown type'}); nothing to read."
    return values


def _store(bookmark, values, reindex):
    """Write ``values`` if the bookmark still exists with the URL fetched; the fresh row, or None."""
    from suite.bookmarks.bookmarks import index_bookmark
    with db.atomic():
        same = (Bookmark.id == bookmark.id) & (Bookmark.url == bookmark.url)
        if not Bookmark.update(values).where(same).execute():
            return None  # deleted (no search entry to bring back) or moved to another URL
        fresh = Bookmark.get_or_none(Bookmark.id == bookmark.id)
        if fresh is not None and reindex:
            index_bookmark(fresh)
    return fresh


def fetch_image(url, max_bytes=thumbnails.MAX_IMAGE_BYTES):
    """Download an image under the guard and return it verified by Pillow (or ImageRefused/FetchError)."""
    guard, _cap, timeout = _settings()
    got = fetch(url, guard, max_bytes=max_bytes + 1, timeout=timeout, body_types=IMAGE_TYPES)
    if got.status >= 400 or not got.content_type.startswith("image/"):
        raise thumbnails.ImageRefused(f"not an image (HTTP {got.status}, {got.content_type or 'no type'})")
    if got.truncated:
        raise thumbnails.ImageRefused("the image is larger than the cap")
    return thumbnails.load_image(got.body)


def fetch_favicon(candidates):
    """Download the site's icon ourselves (never via a third-party service); returns a file name."""
    for url in candidates[:3]:
        try:
            image = fetch_image(url, MAX_FAVICON_BYTES)
        except (FetchError, thumbnails.ImageRefused):
            continue
        image.thumbnail((64, 64))
        out = io.BytesIO()
        image.save(out, "WEBP", quality=90)
        return thumbnails.save_file(current_app.config["MEDIA_PATH"], out.getvalue(), "-f.webp")
    return None


def make_picture(bookmark):
    """Give the bookmark a picture: screenshot, else og:image, else a drawn card. Returns the source.

    When neither real picture can be made now (the site is down, the network out) but the bookmark
    has one from before, that one is kept ("kept"): a bulk re-run during an outage must not turn
    every screenshot into a card.
    """
    media = current_app.config["MEDIA_PATH"]
    errors = []
    image, source = None, ""
    if bookmark.fetch_status == DONE and (bookmark.http_status or 0) < 400:
        try:
            image = _screenshot(bookmark.url)
            source = "screenshot"
        except (ScreenshotFailed, FetchError, thumbnails.ImageRefused) as err:
            errors.append(f"screenshot: {err}")
    if image is None and bookmark.image_url:
        try:
            image, source = fetch_image(bookmark.image_url), "og:image"
        except (FetchError, thumbnails.ImageRefused) as err:
            errors.append(f"og:image: {err}")
    if image is None and has_real_picture(bookmark):
        return keep_picture(bookmark, errors)
    if image is None:
        from suite.bookmarks.urls import display_domain
        image, source = thumbnails.draw_card(display_domain(bookmark.url), bookmark.title or bookmark.url), "card"
    small, large = thumbnails.make_thumbnails(media, image, screenshot=(source == "screenshot"))
    Bookmark.update(thumb_small=small, thumb_large=large, thumb_source=source, thumb_status=DONE,
                    thumb_error="; ".join(errors)[:1000]).where(  # not over the picture of a new URL
        Bookmark.id == bookmark.id, Bookmark.url == bookmark.url).execute()
    pagecache.changed("bookmark")  # the lists showing it as pending go
    return source


def has_real_picture(bookmark):
    """True when the bookmark shows a screenshot or page image (of its current URL: a new URL clears the source)."""
    return bool(bookmark.thumb_small) and bookmark.thumb_source in REAL_PICTURES


def keep_picture(bookmark, errors):
    """Leave the bookmark's picture as it is; only say why no new one was made."""
    errors = [*errors, f"no new picture could be made, the {bookmark.thumb_source} from before is kept"]
    Bookmark.update(thumb_status=DONE, thumb_error="; ".join(errors)[:1000]).where(
        Bookmark.id == bookmark.id, Bookmark.url == bookmark.url).execute()
    pagecache.changed("bookmark")
    return "kept"


def _screenshot(url):
    cfg = current_app.config
    png = backend_for(cfg).capture(url, guard_for(cfg), cfg["SCREENSHOT_TIMEOUT"])
    image = thumbnails.load_image(png, max_bytes=64 * 1024 * 1024)
    if thumbnails.is_blank(image):
        raise ScreenshotFailed("the page rendered blank")
    return image


def claim_lease():
    """How long a claim holds before another worker may take the bookmark over (its worker died):
    twice the longest one bookmark's work may take (the page, og:image and three icons, each
    under the fetch deadline, then the screenshot with the browser's own margin)."""
    cfg = current_app.config
    longest = 5 * DEADLINE_FACTOR * cfg["FETCH_TIMEOUT"] + cfg["SCREENSHOT_TIMEOUT"] + 30
    return datetime.timedelta(seconds=2 * longest)


def unclaimed(now):
    """The condition of a bookmark no worker holds (none claimed it, or its claim outlived the lease)."""
    return Bookmark.claimed_at.is_null() | (Bookmark.claimed_at < now - claim_lease())


def claim(bookmark_id, *, pending_only=True):
    """Take the bookmark's work for this worker: the claim's time, or None when another worker holds it.

    One UPDATE decides, so of two workers (a queued task and the backlog, two overlapping backlog
    runs) only one sees the row change. With ``pending_only``, a bookmark no longer pending (another
    worker did it meanwhile) is not claimed either.
    """
    now = utcnow()
    conditions = [Bookmark.id == bookmark_id, unclaimed(now)]
    if pending_only:
        conditions.append((Bookmark.fetch_status == PENDING) | (Bookmark.thumb_status == PENDING))
    return now if Bookmark.update(claimed_at=now).where(*conditions).execute() else None


def release(bookmark_id, claimed_at):
    """Give the claim back (only ours: after the lease, another worker may hold a newer one)."""
    Bookmark.update(claimed_at=None).where(Bookmark.id == bookmark_id, Bookmark.claimed_at == claimed_at).execute()


def process(bookmark_id, *, pending_only=True):
    """The background work of one bookmark, unless another worker is doing it (None then); see claim()."""
    claimed_at = claim(bookmark_id, pending_only=pending_only)
    if claimed_at is None:
        return None
    try:
        return _process(bookmark_id)
    finally:
        release(bookmark_id, claimed_at)


def _process(bookmark_id):
    """Metadata, then the picture (never left pending, but for a browser closed under it).

    Nothing is done for a bookmark deleted, or whose URL changed, while its page was fetched.
    When the screenshot's browser is closed (Ctrl-C or SIGTERM as the process stops), the picture
    stays pending with no error: process() releases the claim and the backlog takes it up again.
    """
    bookmark = Bookmark.get_or_none(Bookmark.id == bookmark_id)
    if bookmark is None:
        return None
    try:
        bookmark = fetch_metadata(bookmark)
        return None if bookmark is None else make_picture(bookmark)
    except BrowserClosed as err:
        log.warning("bookmarks: picture of bookmark %s left pending: %s", bookmark_id, err)
        return None
    except Exception:  # a bug or an odd page must not leave the bookmark "pending" forever
        log.exception("bookmarks: processing bookmark %s failed", bookmark_id)
        message = "Something went wrong on our side while fetching; it has been logged. Try again later."
        Bookmark.update(fetch_status=FAILED, thumb_status=FAILED, thumb_error=message).where(
            (Bookmark.id == bookmark_id) & (Bookmark.thumb_status != DONE)).execute()
        pagecache.changed("bookmark")
        return None
