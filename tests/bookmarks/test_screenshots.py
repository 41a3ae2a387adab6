"""Real Chromium screenshots of pages served on 127.0.0.1 (allowed for these tests only)."""
import os

import pytest
from PIL import Image

from suite.bookmarks import thumbnails
from suite.bookmarks.fetch import FetchRefused, Guard
from suite.bookmarks.screenshot import (
    ChromiumCli,
    NoScreenshots,
    ScreenshotFailed,
    backend_for,
    find_browser,
)
from tests.bookmarks.conftest import add, only_bookmark

CHROMIUM = "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Chromium at /usr/bin/chromium")
ALLOW_LOCAL = Guard.from_setting("127.0.0.1")


@pytest.fixture
def shot_app(make_app):
    """Screenshots through Playwright driving the system Chromium."""
    return make_app(SCREENSHOT_BACKEND="playwright", FETCH_ALLOW_HOSTS="127.0.0.1", CHROMIUM_PATH=CHROMIUM,
                    SCREENSHOT_TIMEOUT=6.0, FETCH_TIMEOUT=2.0)


@pytest.fixture
def shot_client(shot_app):
    from suite.auth.accounts import create_user
    with shot_app.app_context():
        user = create_user("alice", "correct horse battery")
    client = shot_app.test_client()
    from tests.conftest import sign_in
    sign_in(client, user)
    return client


def test_screenshot_thumbnail_exists_has_size_and_is_not_blank(shot_client, shot_app, site):
    add(shot_client, f"{site.url}/article")
    b = only_bookmark(shot_app)
    assert (b.thumb_status, b.thumb_source) == ("done", "screenshot")
    for name, size in ((b.thumb_small, thumbnails.SMALL), (b.thumb_large, thumbnails.LARGE)):
        with Image.open(os.path.join(shot_app.config["MEDIA_PATH"], "thumbs", name)) as image:
            assert image.format == "WEBP" and image.size == size
            assert not thumbnails.is_blank(image)
            r, g, b_ = image.convert("RGB").getpixel((size[0] - 5, 5))  # the page's #fdf6e3 background
            assert r > 230 and g > 225 and 200 < b_ < 235


def test_browser_requests_to_private_addresses_are_blocked(shot_app, site):
    site.spy.hits.clear()
    with shot_app.app_context():
        png = backend_for(shot_app.config).capture(f"{site.url}/leaky", ALLOW_LOCAL, 6.0)
    assert png.startswith(b"\x89PNG")
    assert site.spy.hits == []  # the 127.0.0.2 image, iframe, fetch and WebSocket never reached it


def test_browser_refuses_a_private_page_outright(shot_app):
    with shot_app.app_context(), pytest.raises(FetchRefused):
        backend_for(shot_app.config).capture("http://169.254.169.254/latest/meta-data/", Guard(), 5.0)


def test_page_that_never_finishes_loading_fails_in_time(shot_app, site):
    with shot_app.app_context(), pytest.raises(ScreenshotFailed, match="did not finish loading"):
        backend_for(shot_app.config).capture(f"{site.url}/hang", ALLOW_LOCAL, 1.5)


def test_page_whose_picture_never_finishes_still_gets_a_screenshot(shot_client, shot_app, site):
    """The page is readable at once, but one picture never finishes, so the load event never comes:
    after waiting for it as long as the timeout allows, the page is photographed as it is."""
    add(shot_client, f"{site.url}/slow-picture")
    b = only_bookmark(shot_app)
    assert (b.thumb_status, b.thumb_source) == ("done", "screenshot"), b.thumb_error
    with Image.open(os.path.join(shot_app.config["MEDIA_PATH"], "thumbs", b.thumb_large)) as image:
        r, g, b_ = image.convert("RGB").getpixel((image.size[0] - 5, image.size[1] - 5))  # the page's #fdf6e3
        assert r > 230 and g > 225 and 200 < b_ < 235


def test_chromium_command_line_photographs_a_page_whose_picture_never_finishes(site):
    image = thumbnails.load_image(ChromiumCli(CHROMIUM).capture(f"{site.url}/slow-picture", ALLOW_LOCAL, 3.0),
                                  max_bytes=64 << 20)
    assert image.getpixel((1200, 700)) == (0xFD, 0xF6, 0xE3)


def test_browser_is_kept_warm_between_screenshots(shot_app, site):
    with shot_app.app_context():
        backend = backend_for(shot_app.config)
        backend.capture(f"{site.url}/plain", ALLOW_LOCAL, 6.0)
        thread = backend._thread
        backend.capture(f"{site.url}/article", ALLOW_LOCAL, 6.0)
        assert backend._thread is thread and thread.is_alive()


def test_chromium_command_line_backend_checks_its_output(site):
    cli = ChromiumCli(CHROMIUM)
    image = thumbnails.load_image(cli.capture(f"{site.url}/article", ALLOW_LOCAL, 10.0), max_bytes=64 << 20)
    assert image.size == (1280, 800) and not thumbnails.is_blank(image)
    with pytest.raises(ScreenshotFailed, match="did not load"):
        cli.capture("http://127.0.0.1:9/", ALLOW_LOCAL, 5.0)  # exits 0 but writes no file


def test_chromium_command_line_keeps_private_subresources_out(site):
    site.spy.hits.clear()
    ChromiumCli(CHROMIUM).capture(f"{site.url}/leaky", ALLOW_LOCAL, 10.0)
    assert site.spy.hits == []


def test_backend_choice():
    assert isinstance(backend_for({"SCREENSHOT_BACKEND": "none"}), NoScreenshots)
    assert isinstance(backend_for({"SCREENSHOT_BACKEND": "chromium", "CHROMIUM_PATH": CHROMIUM}), ChromiumCli)
    assert isinstance(backend_for({"SCREENSHOT_BACKEND": "auto", "CHROMIUM_PATH": "/nonexistent"}), NoScreenshots)
    assert find_browser("") is not None and find_browser("/nonexistent") is None


def test_page_document_comes_through_the_pinned_fetcher(shot_app, site, monkeypatch):
    """Chromium cannot resolve rebind.test; only our checked, pinned fetch can serve the page."""
    import socket
    real = socket.getaddrinfo
    monkeypatch.setattr(socket, "getaddrinfo", lambda host, *a, **k: real(
        "127.0.0.1" if host == "rebind.test" else host, *a, **k))
    with shot_app.app_context():
        png = backend_for(shot_app.config).capture(f"http://rebind.test:{site.port}/article",
                                                   Guard.from_setting("127.0.0.1"), 6.0)
    image = thumbnails.load_image(png, max_bytes=64 << 20)
    assert image.getpixel((1200, 700)) == (0xFD, 0xF6, 0xE3)  # the page's own background


def test_browser_follows_checked_redirects_only(shot_app, site):
    with shot_app.app_context():
        backend = backend_for(shot_app.config)
        image = thumbnails.load_image(backend.capture(f"{site.url}/hop/2", ALLOW_LOCAL, 6.0), max_bytes=64 << 20)
        assert image.getpixel((1200, 700)) == (0xFD, 0xF6, 0xE3)
        with pytest.raises(ScreenshotFailed):
            backend.capture(f"{site.url}/redirect-local", ALLOW_LOCAL, 6.0)  # to 127.0.0.2: blocked


def test_subresources_redirected_to_private_addresses_are_blocked(shot_app, site):
    """Our route handler sees only the first URL of a redirect chain (the allowed host); our fetcher
    follows the chain for the browser, so the hops to 127.0.0.2 are refused."""
    site.spy.hits.clear()
    with shot_app.app_context():
        png = backend_for(shot_app.config).capture(f"{site.url}/sneaky", ALLOW_LOCAL, 6.0)
    assert png.startswith(b"\x89PNG")
    assert site.spy.hits == []  # the allowed host's redirects to 127.0.0.2 were not followed


def _browser_processes():
    """The pids of the Chromium browsers this test process started (through Playwright's driver)."""
    children = {}
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmdline = f.read()
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append((int(entry), cmdline))
    found, todo = [], [os.getpid()]
    while todo:
        for pid, cmdline in children.get(todo.pop(), []):
            todo.append(pid)
            if b"--remote-debugging-pipe" in cmdline and b"--type=" not in cmdline:
                found.append(pid)
    return found


@pytest.fixture
def stopping_site():
    """A page whose picture, when the browser asks for it, has the browser closed (as Ctrl-C or SIGTERM would)."""
    import signal
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            if self.path == "/picture.png" and not self.server.stopped:
                self.server.stopped = True
                for pid in _browser_processes():
                    os.kill(pid, signal.SIGTERM)
            body = (b"<title>Stopping</title><body style='background:#fdf6e3'><h1>Stopping</h1>"
                    b"<img src='/picture.png'></body>") if self.path == "/page" else b""
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads, server.stopped = True, False
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield server
    server.shutdown()


def test_screenshot_whose_browser_is_closed_by_a_shutdown_stays_pending_and_is_retried(shot_client, shot_app,
                                                                                       stopping_site):
    """Ctrl-C or SIGTERM during a screenshot closes the browser: that is no failure of the page. The picture stays
    pending, no error is recorded, the claim is given back, and the next run (a new browser) makes the screenshot."""
    from suite.bookmarks import crawl
    add(shot_client, f"http://127.0.0.1:{stopping_site.server_port}/page")
    b = only_bookmark(shot_app)
    assert stopping_site.stopped, "the browser never asked for the picture"
    assert (b.fetch_status, b.thumb_status, b.thumb_error, b.thumb_small) == ("done", "pending", "", "")
    assert b.claimed_at is None
    with shot_app.app_context():
        assert crawl.process(b.id) == "screenshot"
    assert (only_bookmark(shot_app).thumb_status, only_bookmark(shot_app).thumb_source) == ("done", "screenshot")
