"""What the background tasks do to one bookmark: fetch its page, then give it a picture."""
import io
import logging

from flask import current_app

from suite import pagecache
from suite.auth.models import utcnow
from suite.bookmarks import thumbnails
from suite.bookmarks.fetch import FetchError, FetchRefused, fetch, guard_for
from suite.bookmarks.metadata import parse_html
from suite.bookmarks.models import DONE, FAILED, Bookmark
from suite.bookmarks.screenshot import ScreenshotFailed, backend_for
from suite.extensions import db

IMAGE_TYPES = ("image/",)
MAX_FAVICON_BYTES = 256 * 1024
log = logging.getLogger("suite.bookmarks")


def _settings():
    cfg = current_app.config
    return guard_for(cfg), cfg["FETCH_MAX_BYTES"], cfg["FETCH_TIMEOUT"]


def fetch_metadata(bookmark):
    """Fetch the bookmark's page and store title, description, images and text; returns success."""
    from suite.bookmarks.bookmarks import index_bookmark
    guard, max_bytes, timeout = _settings()
    try:
        page = fetch(bookmark.url, guard, max_bytes=max_bytes, timeout=timeout,
                     body_types=("text/html", "application/xhtml+xml"))
    except FetchError as err:
        bookmark.fetch_status, bookmark.fetch_error = FAILED, str(err)[:1000]
        bookmark.is_broken = not isinstance(err, FetchRefused)  # refused is a rule, not a dead link
        bookmark.checked_at = utcnow()
        bookmark.save(only=[Bookmark.fetch_status, Bookmark.fetch_error, Bookmark.is_broken, Bookmark.checked_at])
        return False
    bookmark.http_status = page.status
    bookmark.fetch_status, bookmark.fetch_error = DONE, ""
    if page.status >= 400:
        bookmark.fetch_error = f"The page answered HTTP {page.status}."
    if page.is_html and page.body:
        meta = parse_html(page.text(), page.url)
        bookmark.title = bookmark.title or meta.title[:500]
        bookmark.description = bookmark.description or meta.description
        bookmark.image_url = meta.image[:2000]
        bookmark.canonical_url = meta.canonical[:2000]
        bookmark.page_text = meta.text
        bookmark.favicon = fetch_favicon(meta.icons or [meta.favicon]) or ""
    elif page.content_type.startswith("image/"):
        bookmark.image_url = page.url[:2000]  # a picture bookmark is its own preview
    elif not page.is_html:
        bookmark.fetch_error = f"Not a web page ({page.content_type or 'unknown type'}); nothing to read."
    bookmark.checked_at = utcnow()
    bookmark.is_broken = page.status >= 400
    with db.atomic():
        bookmark.save()
        index_bookmark(bookmark)
    return True


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
    """Give the bookmark a picture: screenshot, else og:image, else a drawn card. Returns the source."""
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
    if image is None:
        from suite.bookmarks.urls import display_domain
        image, source = thumbnails.draw_card(display_domain(bookmark.url), bookmark.title or bookmark.url), "card"
    small, large = thumbnails.make_thumbnails(media, image, screenshot=(source == "screenshot"))
    Bookmark.update(thumb_small=small, thumb_large=large, thumb_source=source, thumb_status=DONE,
                    thumb_error="; ".join(errors)[:1000]).where(Bookmark.id == bookmark.id).execute()
    pagecache.changed("bookmark")  # the lists showing it as pending go
    return source


def _screenshot(url):
    cfg = current_app.config
    png = backend_for(cfg).capture(url, guard_for(cfg), cfg["SCREENSHOT_TIMEOUT"])
    image = thumbnails.load_image(png, max_bytes=64 * 1024 * 1024)
    if thumbnails.is_blank(image):
        raise ScreenshotFailed("the page rendered blank")
    return image


def process(bookmark_id):
    """The whole background work of one bookmark: metadata, then the picture (never left pending)."""
    bookmark = Bookmark.get_or_none(Bookmark.id == bookmark_id)
    if bookmark is None:
        return None
    try:
        fetch_metadata(bookmark)
        return make_picture(bookmark)
    except Exception:  # a bug or an odd page must not leave the bookmark "pending" forever
        log.exception("bookmarks: processing bookmark %s failed", bookmark_id)
        message = "Something went wrong on our side while fetching; it has been logged. Try again later."
        Bookmark.update(fetch_status=FAILED, thumb_status=FAILED, thumb_error=message).where(
            (Bookmark.id == bookmark_id) & (Bookmark.thumb_status != DONE)).execute()
        pagecache.changed("bookmark")
        return None
