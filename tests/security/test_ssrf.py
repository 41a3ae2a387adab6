"""SSRF matrix end to end: bookmarks saved through the API; the fetcher, og:image, favicon and screenshot browser
must never reach a listener on this machine that the test watches.

The stand-in for "the internet" is a site on 127.0.0.2 (allowed with ``FETCH_ALLOW_HOSTS``); the watched
listener is bound to every local IPv4 and IPv6 address on another port.
"""
import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, quote, urlsplit

import pytest

from tests.security.routes import bearer

LOOPBACK_SPELLINGS = ["127.0.0.1", "2130706433", "0x7f000001", "0177.0.0.1", "0x7f.0.0.1", "127.1", "127.0.1",
                      "127.000.000.001", "127.127.127.127", "0.0.0.0", "0", "localhost", "localhost.", "LOCALHOST",
                      "[::1]", "[::]", "[::ffff:127.0.0.1]", "[0:0:0:0:0:ffff:7f00:1]", "[::ffff:7f00:1]",
                      "[0000:0000:0000:0000:0000:0000:0000:0001]", "inside.test", "v6.inside.test", "mixed.inside.test"]
TEST_DNS = {"inside.test": ["127.0.0.1"], "v6.inside.test": ["::1"], "mixed.inside.test": ["93.184.216.34", "127.0.0.1"]}


class Watched(ThreadingHTTPServer):
    """Records every request; binds one address family."""

    daemon_threads = True

    def __init__(self, address, family):
        self.address_family = family
        self.hits = []
        super().__init__(address, _Recorder)

    def server_bind(self):
        if self.address_family == socket.AF_INET6:
            self.socket.setsockopt(socket.IPPROTO_IPV6, socket.IPV6_V6ONLY, 1)
        super().server_bind()


class _Recorder(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        self.server.hits.append(self.path)
        body = b"<title>internal admin</title>"
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class _Outside(BaseHTTPRequestHandler):
    """The allowed site: redirects and pages whose pictures point inside."""

    def log_message(self, *args):
        pass

    def do_GET(self):
        parts = urlsplit(self.path)
        target = parse_qs(parts.query).get("to", [""])[0]
        self.server.hits.append(parts.path)
        if parts.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", target)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if parts.path == "/slow":  # holds the load event (the screenshot) for a moment
            time.sleep(1.5)
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if parts.path == "/after-worker":
            for _ in range(40):
                if self.server.hits.count("/redirect") >= self.server.hits.count("/worker-page"):
                    break
                time.sleep(0.05)
            self.send_response(404)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        if parts.path == "/webrtc-page":
            self._webrtc(parse_qs(parts.query)["port"][0])
            return
        if parts.path in ("/worker-page", "/worker.js"):
            self._worker(parts.path, target)
            return
        body = (f'<html><head><title>Outside</title><meta property="og:image" content="{target}/og.png">'
                f'<link rel="icon" href="{target}/icon.png"></head><body><h1>Outside</h1>'
                f'<img src="{target}/img.png"><iframe src="{target}/frame"></iframe></body></html>').encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _worker(self, path, target):
        """A page starting a dedicated worker whose fetch() goes through /redirect to ``target``."""
        if path == "/worker-page":  # its picture holds the load event (the screenshot) until the worker fetched
            ctype, body = "text/html", (f"<title>Worker</title><script>new Worker('/worker.js?to={quote(target)}')"
                                        "</script><img src='/after-worker'>")
        else:
            hop = f"/redirect?to={quote(target + '/worker-redirect', safe='')}"
            ctype, body = "text/javascript", f"fetch({hop!r}).then(r => r.text()).then(t => postMessage(t))"
        self.send_response(200)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body.encode())))
        self.end_headers()
        self.wfile.write(body.encode())


    def _webrtc(self, port):
        """A page asking for ICE candidates from STUN and TURN servers at 127.0.0.1:``port``, also from a new frame."""
        servers = [{"urls": f"stun:127.0.0.1:{port}"}, {"urls": f"turn:127.0.0.1:{port}?transport=udp",
                   "username": "u", "credential": "c"}, {"urls": f"turn:127.0.0.1:{port}?transport=tcp",
                   "username": "u", "credential": "c"}]
        body = (f"<title>WebRTC</title><script>const servers = {json.dumps(servers)};"
                "function ice(w) { try { const pc = new w.RTCPeerConnection({iceServers: servers});"
                " pc.createDataChannel('x'); pc.createOffer().then(o => pc.setLocalDescription(o)); } catch (e) {} }"
                "ice(window); const frame = document.createElement('iframe'); document.documentElement.append(frame);"
                "ice(frame.contentWindow); if (window.webkitRTCPeerConnection) ice({RTCPeerConnection: webkitRTCPeerConnection});"
                "</script><img src='/slow'>").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


class RawListener:
    """A TCP and a UDP socket on 127.0.0.1 (one port) recording whatever arrives: STUN and TURN are not HTTP."""

    def __init__(self):
        self.hits = []
        self.tcp = socket.create_server(("127.0.0.1", 0))
        self.port = self.tcp.getsockname()[1]
        self.udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.udp.bind(("127.0.0.1", self.port))
        for target in (self._accept, self._receive):
            threading.Thread(target=target, daemon=True).start()

    def _accept(self):
        while True:
            try:
                conn, _ = self.tcp.accept()
            except OSError:
                return
            self.hits.append("tcp connection")
            conn.close()

    def _receive(self):
        while True:
            try:
                self.udp.recvfrom(2048)
            except OSError:
                return
            self.hits.append("udp datagram")

    def close(self):
        for sock in (self.tcp, self.udp):
            sock.close()


def _serve(server):
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="module")
def watched():
    """Listeners on 0.0.0.0 and :: (one port): any local spelling lands here."""
    v4 = _serve(Watched(("0.0.0.0", 0), socket.AF_INET))
    port = v4.server_address[1]
    v6 = _serve(Watched(("::", port), socket.AF_INET6))
    outside = ThreadingHTTPServer(("127.0.0.2", 0), _Outside)
    outside.daemon_threads, outside.hits = True, []
    _serve(outside)
    yield type("Watched", (), {"port": port, "servers": (v4, v6), "outside": outside,
                               "outside_url": f"http://127.0.0.2:{outside.server_address[1]}"})
    for server in (v4, v6, outside):
        server.shutdown()


@pytest.fixture
def test_dns(monkeypatch):
    """A resolver for *.inside.test names pointing inside (the OS resolver for everything else)."""
    real = socket.getaddrinfo

    def getaddrinfo(host, port, *args, **kwargs):
        if host in TEST_DNS:
            return [(socket.AF_INET6 if ":" in ip else socket.AF_INET, socket.SOCK_STREAM, 6, "",
                     (ip, port) if ":" not in ip else (ip, port, 0, 0)) for ip in TEST_DNS[host]]
        return real(host, port, *args, **kwargs)
    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)


def _hits(watched):
    return [hit for server in watched.servers for hit in server.hits]


def _save_all(app, token, urls):
    client = app.test_client()
    for url in urls:
        resp = client.post("/api/v1/bookmarks", headers=bearer(token), json={"url": url})
        assert resp.status_code in (200, 201, 400), (url, resp.json)  # 200: a spelling of one already saved


def _targets(port):
    return [f"http://{host}:{port}" for host in LOOPBACK_SPELLINGS]


@pytest.fixture
def ssrf_app(make_app):
    """An app whose fetcher may reach only the outside stand-in, 127.0.0.2."""
    return make_app(FETCH_ALLOW_HOSTS="127.0.0.2", FETCH_TIMEOUT=2.0)


@pytest.fixture
def ssrf_token(ssrf_app):
    from suite.auth.accounts import create_token, create_user
    with ssrf_app.app_context():
        return create_token(create_user("alice", "correct horse battery"), "t")[1]


def test_fetcher_never_reaches_inside_directly_or_through_redirects(ssrf_app, ssrf_token, watched, test_dns):
    direct = [f"{t}/direct" for t in _targets(watched.port)]
    redirected = [f"{watched.outside_url}/redirect?to={quote(t + '/via-redirect', safe='')}" for t in _targets(watched.port)]
    _save_all(ssrf_app, ssrf_token, direct + redirected)
    assert _hits(watched) == []
    assert watched.outside.hits.count("/redirect") == len(LOOPBACK_SPELLINGS), "the redirect cases never ran"


def test_og_image_and_favicon_never_load_from_inside(ssrf_app, ssrf_token, watched, test_dns):
    pages = [f"{watched.outside_url}/page-{i}?to={quote(t, safe='')}" for i, t in enumerate(_targets(watched.port))]
    _save_all(ssrf_app, ssrf_token, pages)
    assert _hits(watched) == []
    from suite.bookmarks.models import Bookmark
    with ssrf_app.app_context():
        assert Bookmark.select().where(Bookmark.fetch_status == "done").count() == len(pages)


@pytest.mark.browser
def test_screenshot_browser_never_loads_subresources_from_inside(make_app, watched, browser):
    from tests.conftest import chromium_path
    app = make_app(FETCH_ALLOW_HOSTS="127.0.0.2", FETCH_TIMEOUT=2.0, SCREENSHOT_BACKEND="playwright",
                   CHROMIUM_PATH=chromium_path(), SCREENSHOT_TIMEOUT=6.0)
    from suite.auth.accounts import create_token, create_user
    with app.app_context():
        token = create_token(create_user("alice", "correct horse battery"), "t")[1]
    targets = _targets(watched.port)[:6] + [f"http://[::1]:{watched.port}"]
    pages = [f"{watched.outside_url}/shot-{i}?to={quote(t, safe='')}" for i, t in enumerate(targets)]
    _save_all(app, token, pages)
    assert _hits(watched) == []
    assert sum(hit.startswith("/shot-") for hit in watched.outside.hits) >= 2 * len(pages), "no screenshot was taken"


@pytest.mark.browser
def test_screenshot_browser_checks_every_redirect_hop_of_a_worker_fetch(make_app, watched, browser):
    """A dedicated worker's fetch() of an allowed URL that redirects inside is refused at the redirect's hop
    (Playwright's route handler sees only a chain's first URL; the browser must not follow the rest itself)."""
    from suite.bookmarks.fetch import guard_for
    from suite.bookmarks.screenshot import backend_for
    from tests.conftest import chromium_path
    app = make_app(FETCH_ALLOW_HOSTS="127.0.0.2", SCREENSHOT_BACKEND="playwright", CHROMIUM_PATH=chromium_path())
    watched.outside.hits.clear()
    with app.app_context():
        for target in (f"http://127.0.0.1:{watched.port}", f"http://[::1]:{watched.port}"):
            png = backend_for(app.config).capture(f"{watched.outside_url}/worker-page?to={quote(target, safe='')}",
                                                  guard_for(app.config), 6.0)
            assert png.startswith(b"\x89PNG")
    assert _hits(watched) == []
    assert watched.outside.hits.count("/redirect") == 2, "the worker never fetched"


@pytest.mark.browser
def test_screenshot_browser_makes_no_webrtc_connections(make_app, watched, browser):
    """WebRTC's STUN and TURN traffic never passes the route handler: the page (and a frame it makes) must not
    be able to start it at all, even towards an address the guard would allow."""
    from suite.bookmarks.fetch import guard_for
    from suite.bookmarks.screenshot import backend_for
    from tests.conftest import chromium_path
    listener = RawListener()
    try:
        for allowed in ("127.0.0.2", "127.0.0.0/8"):
            app = make_app(FETCH_ALLOW_HOSTS=allowed, SCREENSHOT_BACKEND="playwright", CHROMIUM_PATH=chromium_path())
            with app.app_context():
                png = backend_for(app.config).capture(f"{watched.outside_url}/webrtc-page?port={listener.port}",
                                                      guard_for(app.config), 6.0)
            assert png.startswith(b"\x89PNG")
        time.sleep(0.5)
        assert listener.hits == []
    finally:
        listener.close()


def test_watched_listener_does_see_a_fetch_an_admin_allowed(make_app, watched):
    app = make_app(FETCH_ALLOW_HOSTS="127.0.0.0/8", FETCH_TIMEOUT=2.0)
    from suite.auth.accounts import create_token, create_user
    with app.app_context():
        token = create_token(create_user("alice", "correct horse battery"), "t")[1]
    _save_all(app, token, [f"http://127.0.0.1:{watched.port}/control"])
    assert "/control" in _hits(watched)
    watched.servers[0].hits.clear()
