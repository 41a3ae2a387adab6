"""Fixtures of the bookmarks tests: a real HTTP server on 127.0.0.1 serving the pages we bookmark."""
import io
import struct
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image

from suite.bookmarks.models import Bookmark


def at_the_same_moment(app, n, work, timeout=60):
    """Run ``work(i)`` in ``n`` threads, each with its own app context and connection, all
    released together; the errors they raised (as reprs), so a test shows what failed."""
    from suite.extensions import db
    barrier, errors = threading.Barrier(n), []

    def run(i):
        with app.app_context():
            db.connect(reuse_if_open=True)
            try:
                barrier.wait()
                work(i)
            except Exception as err:  # recorded, so the test shows what failed
                errors.append(repr(err))
            finally:
                db.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return errors

def png_bytes(size=(1200, 630), colour=(30, 120, 200)):
    """A real PNG picture."""
    image = Image.new("RGB", size, colour)
    for x in range(0, size[0], 40):  # some structure, so it is not blank
        image.paste((250, 250, 250), (x, 0, x + 10, size[1]))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def bomb_png(width=60000, height=60000):
    """A tiny PNG that claims 3.6 gigapixels (a decompression bomb)."""
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    raw = zlib.compress(b"\x00" * (width // 8 + 1) * 64, 9)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0))
            + chunk(b"IDAT", raw) + chunk(b"IEND", b""))


ARTICLE = """<!doctype html><html><head><meta charset="utf-8">
<title>A Tale of Two Pages</title>
<meta name="description" content="The best of pages, the worst of pages.">
<meta property="og:image" content="/og.png">
<link rel="icon" href="/icon.png"><link rel="canonical" href="/article">
<style>body{font:20px sans-serif;background:#fdf6e3;color:#222} h1{color:#b58900}</style>
<script>var hidden = "script text is not page text";</script></head>
<body><h1>Hello screenshots</h1><p>It was the zebrafish of times.</p>
<div style="width:600px;height:300px;background:linear-gradient(#268bd2,#d33682)"></div></body></html>"""

# UTF-8 without a declared charset, over 64 KiB, whose byte 65,536 falls inside a "Ж" (two bytes).
BIG_UTF8 = ("<html><head><title>Привет мир</title></head><body>" + "Ж" * 40000
            + " слово</body></html>").encode()

LATIN1 = "<html><head><title>Caf\xe9 cr\xe8me</title></head><body>d\xe9j\xe0 vu</body></html>".encode("latin-1")


class Handler(BaseHTTPRequestHandler):
    """The test site's pages."""

    def log_message(self, *args):
        pass

    def _send(self, status, ctype, body, headers=()):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            try:
                self.wfile.write(body)
            except (BrokenPipeError, ConnectionResetError):
                pass

    def do_HEAD(self):
        self.do_GET()

    def do_GET(self):
        path, port = self.path.split("?")[0], self.server.server_port
        if path in ("/", "/article"):
            self._send(200, "text/html; charset=utf-8", ARTICLE.encode())
        elif path == "/plain":
            self._send(200, "text/html", b"<html><head><title>Plain page</title></head><body><p>Nothing here</p></body></html>")
        elif path == "/big-utf8":
            self._send(200, "text/html", BIG_UTF8)
        elif path == "/latin1":
            self._send(200, "text/html", LATIN1)
        elif path == "/leaky":
            spy = self.server.spy_url
            self._send(200, "text/html", (f'<title>Leaky</title><body style="background:#fff">'
                                          f'<h1>Leaky page</h1><img src="{spy}/pixel.png"><iframe src="{spy}/frame">'
                                          f'</iframe><script src="/leaky.js"></script></body>').encode())
        elif path == "/leaky.js":
            ws = self.server.spy_url.replace("http://", "ws://")
            self._send(200, "text/javascript", f'new WebSocket("{ws}/ws"); fetch("{self.server.spy_url}/xhr");'.encode())
        elif path == "/sneaky":  # an allowed page whose picture redirects to the spy (127.0.0.2)
            self._send(200, "text/html", ('<title>Sneaky</title><body style="background:#fff"><h1>Sneaky page</h1>'
                                          '<img src="/to-spy/pixel.png"><img src="/to-spy-js.png">'
                                          '<script>fetch("/to-spy/xhr")</script></body>').encode())
        elif path.startswith("/to-spy/"):
            self._send(302, "text/html", b"", [("Location", self.server.spy_url + path[len("/to-spy"):])])
        elif path == "/to-spy-js.png":
            self._send(307, "text/html", b"", [("Location", self.server.spy_url + "/pixel.png?307")])
        elif path == "/pixel.png":
            self.server.hits.append(self.path)
            self._send(200, "image/png", png_bytes((10, 10)))
        elif path in ("/ws", "/xhr"):
            self.server.hits.append(self.path)
            self._send(400, "text/plain", b"no")
        elif path == "/frame":
            self.server.hits.append(self.path)
            self._send(200, "text/html", b"spy")
        elif path == "/counted":  # a page that takes a moment, and counts its fetches in server.hits
            self.server.hits.append(self.path)
            time.sleep(0.3)
            self._send(200, "text/html", b"<title>Counted</title><body><p>counted</p></body>")
        elif path == "/koi8":
            self._send(200, "text/html", '<meta charset="koi8-r"><title>Привет</title>'.encode("koi8-r"))
        elif path == "/og.png":
            self._send(200, "image/png", png_bytes())
        elif path == "/icon.png":
            self._send(200, "image/png", png_bytes((32, 32), (200, 40, 40)))
        elif path == "/bomb-page":
            self._send(200, "text/html", b'<html><head><title>Bomb</title><meta property="og:image" content="/bomb.png"></head><body></body></html>')
        elif path == "/bomb.png":
            self._send(200, "image/png", bomb_png())
        elif path == "/doc.pdf":
            self._send(200, "application/pdf", b"%PDF-1.4\n" + b"0" * 2048)
        elif path == "/huge":
            self._stream_huge()
        elif path in ("/drip", "/drip-headers"):
            self._drip(in_headers=(path == "/drip-headers"))
        elif path == "/slow":
            time.sleep(3)
            self._send(200, "text/html", b"<title>Slow</title>")
        elif path == "/redirect-local":
            self._send(302, "text/html", b"", [("Location", f"http://127.0.0.2:{port}/article")])
        elif path == "/redirect-loopback":
            self._send(301, "text/html", b"", [("Location", f"http://127.0.0.1:{port}/article")])
        elif path.startswith("/hop/"):
            n = int(path.rsplit("/", 1)[1])
            target = f"/hop/{n - 1}" if n > 0 else "/article"
            self._send(302, "text/html", b"", [("Location", target)])
        elif path == "/busy":
            self._send(429, "text/html", b"<title>Too many requests</title>", [("Retry-After", "3600")])
        elif path == "/unavailable":
            self._send(503, "text/html", b"<title>Down for maintenance</title>")
        elif path == "/server-error":
            self._send(500, "text/html", b'<title>500 Internal Server Error</title><meta name="description" '
                                         b'content="Something went wrong"><p>Traceback: the wombat failed</p>')
        elif path == "/gone":
            self._send(404, "text/html", b"<title>Not found</title>")
        elif path == "/slow-picture":  # readable at once, but its picture never finishes: no load event
            self._send(200, "text/html", ('<title>Slow picture</title><body style="margin:0;background:#fdf6e3">'
                                          '<h1>Readable at once</h1><img src="/hang.png"></body>').encode())
        elif path == "/hang.png":
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            try:
                for _ in range(40):
                    self.wfile.write(b"\x89")
                    self.wfile.flush()
                    time.sleep(0.5)
            except (BrokenPipeError, ConnectionResetError):
                pass
            self.close_connection = True
        elif path == "/hang":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(b"<html><head><title>Never ends</title></head><body><img src='/slow'>")
            self.wfile.flush()
            time.sleep(8)
        else:
            self._send(404, "text/plain", b"no")

    def _stream_huge(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/html")
        self.send_header("Content-Length", str(1024 ** 3))
        self.end_headers()
        chunk = b"<p>" + b"x" * 65533
        try:
            for _ in range(1024 ** 3 // len(chunk)):
                self.wfile.write(chunk)
        except (BrokenPipeError, ConnectionResetError):
            self.server.huge_stopped = True


    def _drip(self, in_headers):
        """Send the answer a byte every DRIP_SPACING s (well within any read timeout) for DRIP_BYTES bytes.

        ``server.drips[self.path]`` says how it ended: "cut" when the reader hung up first, "whole" when
        every byte went out (then the connection closes with the promised body still missing).
        """
        head = b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 100000\r\n"
        self.wfile.write(head if in_headers else head + b"\r\n")
        self.wfile.flush()
        try:
            for _ in range(DRIP_BYTES):
                time.sleep(DRIP_SPACING)
                self.wfile.write(b"x" if in_headers else b" ")  # headers: one endless header name
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.server.drips[self.path] = "cut"
            return
        self.server.drips[self.path] = "whole"
        self.close_connection = True


DRIP_BYTES = 40
DRIP_SPACING = 0.1


def dripped(site, path, wait=10):
    """How the drip of ``path`` ended ("cut" or "whole"), once the server knows."""
    stop = time.monotonic() + wait
    while path not in site.server.drips and time.monotonic() < stop:
        time.sleep(0.05)
    return site.server.drips.get(path)


def serve_site(host):
    server = ThreadingHTTPServer((host, 0), Handler)
    server.daemon_threads = True
    server.hits = []
    server.drips = {}
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@pytest.fixture(scope="session")
def site():
    """The test site on 127.0.0.1 (a random port); ``site.spy`` is a second server on 127.0.0.2."""
    server, spy = serve_site("127.0.0.1"), serve_site("127.0.0.2")
    server.spy_url = f"http://127.0.0.2:{spy.server_port}"
    yield type("Site", (), {"url": f"http://127.0.0.1:{server.server_port}", "server": server,
                            "port": server.server_port, "spy": spy})
    server.shutdown()
    spy.shutdown()


@pytest.fixture
def open_app(make_app):
    """An app whose fetcher may reach 127.0.0.1 (the test site); screenshots off."""
    return make_app(FETCH_ALLOW_HOSTS="127.0.0.1", FETCH_TIMEOUT=2.0)


@pytest.fixture
def open_client(open_app):
    """A client signed in as alice on ``open_app``."""
    from suite.auth.accounts import create_user
    from tests.conftest import PASSWORD
    with open_app.app_context():
        user = create_user("alice", PASSWORD)
    client = open_app.test_client()
    from tests.conftest import sign_in
    sign_in(client, user)
    return client


def add(client, url, **fields):
    """Post the add form."""
    data = {"url": url, "title": "", "description": "", "notes": "", "tags": "", "is_private": "y"}
    data.update(fields)
    return client.post("/bookmarks/add", data=data)


def only_bookmark(app):
    """The one bookmark in the database."""
    with app.app_context():
        return Bookmark.get()
