"""Screenshot backends: Playwright driving a system Chromium, the Chromium command line, or none.

Each is a small class with ``capture(url, guard, timeout) -> PNG bytes``. The
browser is held to the fetcher's SSRF rule: under Playwright every request the
page, its frames or its workers make is fetched by our guarded fetcher (each
redirect hop checked) and handed to the browser; the command line sends
everything except the page's own (checked, pinned) host to a dead proxy.
"""
import atexit
import os
import queue
import re
import shutil
import subprocess
import tempfile
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from urllib.parse import urlsplit

from suite.bookmarks.fetch import FetchError, fetch

VIEWPORT = {"width": 1280, "height": 800}
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome")
BROWSER_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--hide-scrollbars",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--mute-audio",
                # WebRTC's STUN/TURN/ICE traffic passes no route handler and no proxy: UDP only through a
                # proxy (there is none), so no ICE from the command line either; Playwright also removes the API.
                "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
                "--webrtc-ip-handling-policy=disable_non_proxied_udp"]
# Run in every frame before the page's scripts: without RTCPeerConnection a page starts no WebRTC connection.
NO_WEBRTC = """for (const name of ["RTCPeerConnection", "webkitRTCPeerConnection"]) {
  try { delete window[name]; } catch (e) {}
  if (name in window) { Object.defineProperty(window, name, {value: undefined, configurable: false}); }
}"""
ANY_URL = re.compile(".*")
DOCUMENT_MAX_BYTES = 5 * 1024 * 1024
PASSED_HEADERS = {"content-type", "location", "content-language", "content-security-policy", "refresh",
                  "x-frame-options"}
DEAD_PROXY = "http://127.0.0.1:9"  # the discard port: nothing listens, so proxied requests fail
# Subresources are fetched by our guarded fetcher on this many threads per screenshot.
SUBRESOURCE_THREADS = 6
# Request headers of the browser passed on to our fetch of a subresource.
FORWARDED_HEADERS = ("user-agent", "accept", "accept-language", "referer", "origin", "range")
# Answer headers not handed back to the browser: hop-by-hop, already undone by our fetch (encoding,
# length of a capped body), redirects (we followed them) and cookies (the fetcher sends none).
DROPPED_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-encoding", "content-length",
                   "location", "refresh", "set-cookie", "set-cookie2", "alt-svc", "strict-transport-security"}


class ScreenshotFailed(Exception):
    """No screenshot could be taken; the message says why."""


class BrowserClosed(Exception):
    """The browser went away under a screenshot (Ctrl-C or SIGTERM reached it as the process stops).

    Not a ScreenshotFailed: the page is not to blame, so nothing is recorded and the work is left
    to be done again (the next capture starts a new browser).
    """


def find_browser(configured=""):
    """The browser binary: the setting, then chromium / chromium-browser / google-chrome on PATH."""
    if configured:
        return configured if os.path.exists(configured) else None
    for name in BROWSER_NAMES:
        path = shutil.which(name)
        if path:
            return path
    return None


class NoScreenshots:
    """Screenshots are switched off (or no browser is installed): fallbacks only."""

    name = "none"

    def capture(self, url, guard, timeout):
        """Always fails: the caller falls back to the og:image or a card."""
        raise ScreenshotFailed("screenshots are off (SUITE_SCREENSHOT_BACKEND=none or no browser found)")


class ChromiumCli:
    """``chromium --headless --screenshot``: one browser process per picture."""

    name = "chromium"

    def __init__(self, path):
        self.path = path

    def capture(self, url, guard, timeout):
        """Run the browser and read its file (it exits 0 even when the page failed: check).

        Older Chromium wrote no file for a page that failed to load; Chromium 150 photographs its
        own error page instead. So the browser also prints the page's DOM (``--dump-dom``, same
        run), and Chromium's error page (``id="main-frame-error"``) counts as a failure.
        """
        addresses = guard.check_url(url)
        parts = urlsplit(url)
        host, ip = parts.hostname, addresses[0][1]
        pinned = f"[{ip}]" if ":" in ip else ip
        with tempfile.TemporaryDirectory(prefix="suite-shot-") as tmp:
            out = os.path.join(tmp, "shot.png")
            cmd = [self.path, "--headless=new", *BROWSER_ARGS, f"--user-data-dir={tmp}/profile",
                   f"--window-size={VIEWPORT['width']},{VIEWPORT['height']}", f"--screenshot={out}", "--dump-dom",
                   f"--timeout={int(timeout * 1000)}", f"--host-resolver-rules=MAP {host} {pinned}",
                   f"--proxy-server={DEAD_PROXY}", f"--proxy-bypass-list=<-loopback>;{host}", url]
            try:
                proc = subprocess.run(cmd, capture_output=True, timeout=timeout + 15, check=False)
            except subprocess.TimeoutExpired:
                raise ScreenshotFailed(f"the browser did not finish within {timeout + 15:g} s") from None
            except OSError as err:
                raise ScreenshotFailed(f"the browser could not start ({err})") from None
            if not os.path.exists(out) or os.path.getsize(out) == 0 or ERROR_PAGE in proc.stdout:
                reason = _load_failure(proc.stderr.decode("utf-8", "replace"), proc.stdout)
                raise ScreenshotFailed(f"the page did not load in the browser ({reason})")
            with open(out, "rb") as f:
                return f.read()


ERROR_PAGE = b'id="main-frame-error"'
NET_ERROR_RE = re.compile(rb"\b(ERR_[A-Z_]+)\b")


def _load_failure(stderr, dom=b""):
    for line in stderr.splitlines():
        if "Page load failed" in line or "net::ERR" in line:
            return line.rsplit("]", 1)[-1].strip()
    code = NET_ERROR_RE.search(dom) if ERROR_PAGE in dom else None
    return code.group(1).decode() if code else "no picture written"


class PlaywrightBrowser:
    """Playwright with one warm Chromium owned by a worker thread (Playwright's sync API is per thread).

    Tasks from any thread hand their URL to this thread and wait for the PNG.
    """

    name = "playwright"

    def __init__(self, path):
        self.path = path
        self._jobs = queue.Queue()
        self._thread = None
        self._lock = threading.Lock()

    def capture(self, url, guard, timeout):
        """Load the page in a fresh context of the warm browser and screenshot the viewport."""
        guard.check_url(url)
        self._start()
        done = Future()
        self._jobs.put((url, guard, timeout, done))
        try:
            return done.result(timeout=timeout + 30)
        except TimeoutError:
            raise ScreenshotFailed("the browser did not answer in time") from None

    def _start(self):
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="suite-screenshots", daemon=True)
                self._thread.start()

    def close(self):
        """Stop the browser thread (at exit)."""
        if self._thread is not None and self._thread.is_alive():
            self._jobs.put(None)
            self._thread.join(10)

    def _run(self):
        try:
            from playwright.sync_api import sync_playwright
            pw = sync_playwright().start()
            browser = pw.chromium.launch(executable_path=self.path, args=BROWSER_ARGS, headless=True)
        except Exception as err:  # no browser, no driver: every job fails with the reason
            self._drain(ScreenshotFailed(f"the browser could not start ({err})"))
            return
        try:
            while True:
                job = self._jobs.get()
                if job is None:
                    break
                url, guard, timeout, done = job
                if not browser.is_connected():  # it went away after the last job: a new one for this job
                    try:
                        browser = pw.chromium.launch(executable_path=self.path, args=BROWSER_ARGS, headless=True)
                    except Exception as err:
                        done.set_exception(ScreenshotFailed(f"the browser could not start ({err})"))
                        continue
                try:
                    done.set_result(_shoot(browser, url, guard, timeout))
                except Exception as err:
                    done.set_exception(_job_error(err, browser))
        finally:
            _settle(browser.close)
            pw.stop()

    def _drain(self, error):
        while True:
            try:
                job = self._jobs.get(timeout=0.5)
            except queue.Empty:
                return
            if job is not None:
                job[3].set_exception(error)


def _job_error(err, browser):
    """What a failed screenshot tells its caller: BrowserClosed when the browser is gone, else ScreenshotFailed."""
    from playwright.sync_api import Error as PlaywrightError
    if isinstance(err, BrowserClosed) or not browser.is_connected() or (
            isinstance(err, PlaywrightError) and "has been closed" in str(err)):
        return BrowserClosed(f"the browser was closed during the screenshot ({str(err).splitlines()[0][:200]})")
    return err if isinstance(err, ScreenshotFailed) else ScreenshotFailed(str(err)[:300])


def _shoot(browser, url, guard, timeout):
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    context = browser.new_context(viewport=VIEWPORT, service_workers="block", accept_downloads=False)
    ends = time.monotonic() + timeout
    subresources = _Subresources(guard, timeout, ends)
    try:
        context.add_init_script(NO_WEBRTC)
        context.route("**/*", lambda route: _guard_route(route, guard, timeout, subresources))
        context.route_web_socket(ANY_URL, lambda socket: _guard_socket(socket, guard))
        page = context.new_page()
        loaded = []
        page.on("load", lambda _page: loaded.append(True))
        try:
            page.goto(url, wait_until="commit", timeout=timeout * 1000)
        except PlaywrightTimeout:
            raise ScreenshotFailed(f"the page did not finish loading within {timeout:g} s") from None
        except PlaywrightError as err:
            if not browser.is_connected() or "has been closed" in str(err):
                raise
            raise ScreenshotFailed(f"the page did not load ({str(err).splitlines()[0][:200]})") from None
        # The page is there; wait for its pictures and fonts (the load event) while time is left,
        # but a picture that never finishes must not cost the whole screenshot: take it either way.
        # The browser's subresources arrive from our fetcher's threads; they are handed over here.
        wait_until = max(ends, time.monotonic() + 1.0)
        while not loaded and time.monotonic() < wait_until:
            subresources.deliver()
            page.wait_for_timeout(25)
        settled = time.monotonic() + 0.15  # let web fonts and late layout settle
        while time.monotonic() < settled:
            subresources.deliver()
            page.wait_for_timeout(25)
        subresources.close()  # what has not arrived by now is left out of the picture
        return page.screenshot(type="png", timeout=timeout * 1000)
    finally:
        subresources.close()
        _settle(context.close)


class _Subresources:
    """The page's pictures, scripts, styles, fonts and its workers' requests, fetched by our guarded fetcher.

    ``route.continue_()`` would let the browser follow a redirect unseen (Playwright's route handler
    sees only the first URL of a chain, and a fulfilled 3xx is followed unseen too): a dedicated
    worker read a private address that way (security review). So every request is fetched here,
    every redirect hop checked, and the final answer fulfilled. The fetches run on a few threads
    (the browser's thread must stay free); ``deliver`` hands finished ones to the browser from its
    own thread, since Playwright's sync API may only be called there.
    """

    def __init__(self, guard, timeout, ends):
        self.guard, self.timeout, self.ends = guard, timeout, ends
        self.pool = ThreadPoolExecutor(SUBRESOURCE_THREADS, thread_name_prefix="suite-shot-fetch")
        self.waiting = []  # (route, future) not yet handed to the browser
        self.closed = False

    def add(self, route):
        """Start fetching ``route``'s request (a GET); ``deliver`` fulfills or aborts it later."""
        if self.closed:
            _settle(route.abort, "blockedbyclient")
            return
        request = route.request
        headers = {k: v for k, v in request.headers.items() if k.lower() in FORWARDED_HEADERS}
        left = max(0.5, self.ends - time.monotonic())
        self.waiting.append((route, self.pool.submit(
            fetch, request.url, self.guard, max_bytes=DOCUMENT_MAX_BYTES, timeout=min(self.timeout, left),
            deadline=left, headers=headers)))

    def deliver(self):
        """Hand every finished fetch to the browser (refused or failed ones as blocked)."""
        still = []
        for route, future in self.waiting:
            if not future.done():
                still.append((route, future))
                continue
            try:
                got = future.result()
            except Exception:  # noqa: BLE001 - FetchError or anything else: the browser sees a failed request
                _settle(route.abort, "blockedbyclient")
                continue
            kept = {k: v for k, v in got.headers.items() if k.lower() not in DROPPED_HEADERS}
            _settle(route.fulfill, status=got.status, headers=kept, body=got.body)
        self.waiting = still

    def close(self):
        """Abort what is still on its way; later requests are aborted at once."""
        if self.closed:
            return
        self.closed = True
        for route, future in self.waiting:
            future.cancel()
            _settle(route.abort, "blockedbyclient")
        self.waiting = []
        self.pool.shutdown(wait=False, cancel_futures=True)


def _settle(action, *args, **kwargs):
    """Fulfill or abort a route, or close a context or browser, that may be gone meanwhile (Ctrl-C
    closed it): then nothing is left to do."""
    from playwright.sync_api import Error as PlaywrightError
    try:
        action(*args, **kwargs)
    except PlaywrightError:
        pass


def _guard_route(route, guard, timeout, subresources):
    """Let a browser request reach only what the SSRF rule allows, every redirect hop included.

    Documents (the page and its frames) are fetched by our pinned fetcher without following
    redirects and handed to the browser: a redirect is followed by the browser as a new
    navigation, which comes back through here. Every other request is fetched by
    ``_Subresources`` (redirects followed by our fetcher, each hop checked), so DNS cannot
    answer the browser differently from the check and no hop goes unchecked. Only GET is
    let out: a POST's redirect could not be checked, and a screenshot only reads.
    """
    request, url = route.request, route.request.url
    if url.startswith(("data:", "blob:")):
        route.continue_()
        return
    if request.method != "GET":
        route.abort("blockedbyclient")
        return
    if not request.is_navigation_request():
        subresources.add(route)
        return
    try:
        # deadline=timeout: this handler blocks the browser thread, and goto() gave the page only that
        got = fetch(url, guard, max_bytes=DOCUMENT_MAX_BYTES, timeout=timeout, deadline=timeout, max_redirects=0,
                    headers={"User-Agent": request.headers.get("user-agent", ""),
                             "Accept-Language": request.headers.get("accept-language", "en")})
    except FetchError:
        route.abort("blockedbyclient")
        return
    kept = {k: v for k, v in got.headers.items() if k.lower() in PASSED_HEADERS}
    route.fulfill(status=got.status, headers=kept, body=got.body)


def _guard_socket(socket, guard):
    """WebSockets (which ``route`` does not see) under the same rule: connect only when allowed."""
    try:
        guard.check_url("http" + socket.url[2:] if socket.url.startswith("ws") else socket.url)
    except FetchError:
        socket.close()
        return
    socket.connect_to_server()


_backends = {}
_backends_lock = threading.Lock()


def backend_for(config):
    """The configured backend (one shared instance per kind and browser path)."""
    choice = (config.get("SCREENSHOT_BACKEND") or "auto").lower()
    if choice == "none":
        return NoScreenshots()
    path = find_browser(config.get("CHROMIUM_PATH", ""))
    if path is None:
        return NoScreenshots()
    if choice == "auto":
        choice = "playwright" if _has_playwright() else "chromium"
    if choice not in ("playwright", "chromium"):
        raise ValueError("SUITE_SCREENSHOT_BACKEND must be auto, playwright, chromium or none")
    with _backends_lock:
        key = (choice, path)
        if key not in _backends:
            _backends[key] = PlaywrightBrowser(path) if choice == "playwright" else ChromiumCli(path)
            if choice == "playwright":
                atexit.register(_backends[key].close)
        return _backends[key]


def _has_playwright():
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return False
    return True
