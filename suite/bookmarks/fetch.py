"""Fetching pages without becoming a proxy into the private network (SSRF guard).

Every connection resolves its host itself, refuses any address that is not
public (unless ``SUITE_FETCH_ALLOW_HOSTS`` lists the host or a network holding
it) and connects to exactly the address it checked, so DNS cannot change its
answer between the check and the connection. Redirects are followed by hand,
each hop going through the same check; bodies are streamed under a byte cap.
"""
import codecs
import ipaddress
import re
import socket
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.util import connection as u3conn

MAX_REDIRECTS = 5
USER_AGENT = "Mozilla/5.0 (compatible; suite-bookmarks/1.0; +https://github.com/)"
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))
CGNAT = ipaddress.ip_network("100.64.0.0/10")
CHARSET_META = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([-\w.:]+)""", re.I)
# A whole fetch (every redirect hop: connecting, headers, body) gets this many times the per-read
# timeout: one ``timeout`` to connect, one for the first byte and one more for the body. With the
# default 10 s that is 30 s, enough for the 5 MiB cap at ~200 kB/s; only a server dripping its
# answer needs longer, and it would otherwise hold a worker thread for as long as it liked.
DEADLINE_FACTOR = 3
# How much of a body without a declared charset is checked for UTF-8 (and given to the guesser).
SAMPLE_BYTES = 64 * 1024


class FetchError(Exception):
    """A page could not be fetched; the message says why, for people."""


class FetchRefused(FetchError):
    """The address is not public and not allowed: the guard refused it."""


class FetchTimeout(FetchError):
    """No answer in time (connecting, the headers, or the whole fetch's deadline): maybe just busy."""


def address_is_public(ip):
    """True for a globally routable unicast address (every embedding of IPv4 unwrapped)."""
    ip = ipaddress.ip_address(ip)
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return address_is_public(ip.ipv4_mapped)
        if any(ip in net for net in NAT64):
            return False
        if ip.sixtofour is not None and not address_is_public(ip.sixtofour):
            return False
        if ip.teredo is not None:
            return False
    if ip.version == 4 and ip in CGNAT:
        return False
    return ip.is_global and not (ip.is_multicast or ip.is_reserved or ip.is_unspecified
                                 or ip.is_loopback or ip.is_link_local or ip.is_private)


@dataclass
class Guard:
    """The SSRF rule: public addresses, plus the hosts and networks an admin allowed."""

    allow_hosts: set = field(default_factory=set)
    allow_networks: list = field(default_factory=list)

    @classmethod
    def from_setting(cls, text):
        """Build from ``SUITE_FETCH_ALLOW_HOSTS`` (comma-separated hosts or CIDRs)."""
        guard = cls()
        for item in (text or "").replace(" ", ",").split(","):
            item = item.strip().lower().strip("[]")
            if not item:
                continue
            try:
                guard.allow_networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                guard.allow_hosts.add(item.rstrip("."))
        return guard

    def address_allowed(self, host, ip):
        """May we connect to ``ip`` (which ``host`` resolved to)?"""
        if (host or "").lower().rstrip(".").strip("[]") in self.allow_hosts:
            return True
        addr = ipaddress.ip_address(ip)
        return address_is_public(addr) or any(addr in net for net in self.allow_networks)

    def resolve(self, host, port):
        """Resolve ``host`` and return the addresses we may use; FetchRefused when none."""
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as err:
            raise FetchError(f"The host {host} could not be found ({err}).") from None
        addresses = []
        for family, _type, _proto, _name, sockaddr in infos:
            ip = sockaddr[0].split("%", 1)[0]
            if not self.address_allowed(host, ip):
                raise FetchRefused(f"{host} resolves to {ip}, which is not a public address; "
                                   "it is not fetched.")
            addresses.append((family, ip))
        if not addresses:
            raise FetchError(f"The host {host} has no address.")
        return addresses

    def check_url(self, url):
        """Check a URL's scheme and host before the browser or we go there."""
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise FetchRefused(f"Only http and https addresses are fetched, not {url[:80]!r}.")
        return self.resolve(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))


class Deadline:
    """The time budget of one whole fetch; when it runs out, the fetch's sockets are shut down.

    The per-read ``timeout`` cannot stop a server that sends a byte just before each read would
    time out (in the headers or the body), so a timer cuts every connection at the deadline: the
    blocked read returns at once, and the fetch reports ``error()`` instead of a broken transfer.
    """

    def __init__(self, seconds):
        self.seconds = seconds
        self._ends = time.monotonic() + seconds
        self._expired = False
        self._sockets = []  # duplicates: shutting one down cuts the connection, TLS included
        self._lock = threading.Lock()
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self):
        self._timer.start()
        return self

    def __exit__(self, *exc):
        self._timer.cancel()
        with self._lock:
            for sock in self._sockets:
                sock.close()
            self._sockets.clear()

    def left(self):
        """Seconds still left (0 once it passed)."""
        return max(0.0, self._ends - time.monotonic())

    def passed(self):
        """True once the deadline is reached (whether or not the timer has fired yet)."""
        return self._expired or self.left() == 0

    def watch(self, sock):
        """Cut ``sock`` at the deadline (at once when it already passed)."""
        with self._lock:
            self._sockets.append(sock.dup())  # our own descriptor: its number cannot be reused meanwhile
            if self._expired:
                _shut(self._sockets[-1])

    def error(self, url):
        """The FetchError saying the deadline passed."""
        return FetchTimeout(f"The page took longer than {self.seconds:g} s to arrive from "
                          f"{urlsplit(url).hostname}; the fetch was stopped.")

    def _expire(self):
        with self._lock:
            self._expired = True
            for sock in self._sockets:
                _shut(sock)


def _shut(sock):
    try:
        sock.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass  # already closed by the other side


class _PinnedMixin:
    """A urllib3 connection that connects only to an address the guard checked, within the deadline."""

    guard: Guard = None
    deadline: Deadline = None

    def _new_conn(self):
        addresses = self.guard.resolve(self._dns_host, self.port)
        last = None
        for _family, ip in addresses:
            if self.deadline.passed():
                raise self.deadline.error(f"http://{self.host}/")
            try:
                sock = u3conn.create_connection((ip, self.port), min(self.timeout, self.deadline.left()),
                                                source_address=self.source_address,
                                                socket_options=self.socket_options)
            except OSError as err:
                last = err
                continue
            self.deadline.watch(sock)
            return sock
        kind = FetchTimeout if isinstance(last, TimeoutError) else FetchError
        raise kind(f"Could not connect to {self.host}: {last}")


class GuardedAdapter(HTTPAdapter):
    """A requests transport whose connections go through ``_PinnedMixin`` (Host and SNI kept)."""

    def __init__(self, guard, deadline, **kwargs):
        self.guard = guard
        self.deadline = deadline
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        limits = {"guard": self.guard, "deadline": self.deadline}
        http_conn = type("GuardedHTTPConnection", (_PinnedMixin, HTTPConnection), limits)
        https_conn = type("GuardedHTTPSConnection", (_PinnedMixin, HTTPSConnection), limits)
        self.poolmanager.pool_classes_by_scheme = {
            "http": type("GuardedHTTPPool", (HTTPConnectionPool,), {"ConnectionCls": http_conn}),
            "https": type("GuardedHTTPSPool", (HTTPSConnectionPool,), {"ConnectionCls": https_conn}),
        }


@dataclass
class Fetched:
    """What a fetch returned: the final URL, status, headers and the (capped) body."""

    url: str
    status: int
    content_type: str
    body: bytes
    encoding: str = ""
    truncated: bool = False
    redirects: list = field(default_factory=list)
    headers: dict = field(default_factory=dict)

    @property
    def is_html(self):
        """True when the body is an HTML (or XHTML) document."""
        return self.content_type in ("text/html", "application/xhtml+xml")

    def text(self):
        """The body decoded with the detected charset (a character cut by the byte cap is dropped)."""
        decoder = codecs.getincrementaldecoder(self.encoding or "utf-8")(errors="replace")
        return decoder.decode(self.body, final=not self.truncated)


def make_session(guard, deadline):
    """A requests session that only speaks through the guard (no proxies from the environment)."""
    session = requests.Session()
    session.trust_env = False
    adapter = GuardedAdapter(guard, deadline, max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update({"User-Agent": USER_AGENT,
                            "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    return session


def fetch(url, guard, *, max_bytes, timeout, deadline=None, body_types=None, max_redirects=MAX_REDIRECTS,
          headers=None):
    """GET ``url`` under the guard: ≤5 redirects, each checked; body streamed up to ``max_bytes``.

    ``timeout`` bounds each connect and read; ``deadline`` (default ``DEADLINE_FACTOR`` times
    ``timeout``) the whole fetch, redirects included. ``body_types``: content-type prefixes whose
    body is read (others stop after the headers, so a 1 GB download costs nothing).
    ``max_redirects=0`` returns a redirect as it came (the browser follows it itself).
    FetchError on any failure.
    """
    with Deadline(deadline or DEADLINE_FACTOR * timeout) as limit:
        session = make_session(guard, limit)
        session.headers.update(headers or {})
        try:
            resp, url, hops = _follow(session, guard, url, limit, timeout, max_redirects)
            return _read(resp, url, hops, max_bytes, limit, body_types)
        finally:
            session.close()


def _follow(session, guard, url, limit, timeout, max_redirects):
    """Request ``url``, following redirects by hand (each hop checked): the response, its URL, the hops."""
    hops = []
    for _ in range(max_redirects + 1):
        guard.check_url(url)
        try:
            resp = session.get(url, stream=True, allow_redirects=False, timeout=(timeout, timeout))
        except requests.exceptions.RequestException as err:
            raise _request_error(url, err, limit, timeout) from None
        if limit.passed():  # headers cut at the deadline still parse, as a truncated answer
            resp.close()
            raise limit.error(url)
        if resp.is_redirect and max_redirects:
            location = resp.headers.get("Location", "")
            resp.close()
            hops.append(url)
            url = urljoin(url, location)
            continue
        return resp, url, hops
    raise FetchError(f"Too many redirects (more than {max_redirects}).")


def _request_error(url, err, limit, timeout):
    """The FetchError for a request that failed before its body: the deadline, a timeout, or why."""
    if limit.passed():
        return limit.error(url)
    if isinstance(err, requests.exceptions.Timeout):
        return FetchTimeout(f"{urlsplit(url).hostname} did not answer within {timeout:g} s.")
    return _buried_error(url, err)


def _buried_error(url, err):
    """Our own error (a refusal, a connect timeout) when it is buried in requests' wrappers, else a short reason."""
    cause = err
    for _ in range(10):
        if cause is None:
            break
        if isinstance(cause, FetchError):
            return type(cause)(str(cause))
        nested = cause.args[0] if cause.args and isinstance(cause.args[0], Exception) else None
        cause = cause.__cause__ or cause.__context__ or nested
    return FetchError(f"Could not reach {urlsplit(url).hostname}: {type(err).__name__}.")


def _read(resp, url, hops, max_bytes, limit, body_types):
    ctype = resp.headers.get("Content-Type", "").split(";")[0].strip().lower()
    fetched = Fetched(url=url, status=resp.status_code, content_type=ctype, body=b"", redirects=hops,
                      headers=dict(resp.headers))
    if body_types is not None and not ctype.startswith(tuple(body_types)):
        resp.close()
        return fetched
    chunks, size = [], 0
    try:
        for chunk in resp.iter_content(64 * 1024):
            chunks.append(chunk)
            size += len(chunk)
            if size >= max_bytes:
                fetched.truncated = True
                break
    except requests.exceptions.RequestException as err:
        if limit.passed():
            raise limit.error(url) from None
        raise FetchError(f"The transfer from {urlsplit(url).hostname} broke off ({type(err).__name__}).") from None
    finally:
        resp.close()
    if limit.passed():  # cut at the deadline, the body may also just look ended
        raise limit.error(url)
    fetched.body = b"".join(chunks)[:max_bytes]
    fetched.encoding = detect_charset(resp, fetched.body)
    return fetched


def detect_charset(resp, body):
    """The body's charset: HTTP header, then <meta charset>, then a guess from the bytes."""
    declared = requests.utils.get_encoding_from_headers(resp.headers)
    if declared and "charset" in resp.headers.get("Content-Type", "").lower():
        return _known(declared)
    match = CHARSET_META.search(body[:4096])
    if match and _known(match.group(1).decode("ascii", "ignore")):
        return _known(match.group(1).decode("ascii", "ignore"))
    if not body:
        return "utf-8"
    if _utf8_sample(body[:SAMPLE_BYTES]):
        return "utf-8"
    if len(body) < 4096:  # too little to guess from: the web's legacy default
        return "cp1252"
    from charset_normalizer import from_bytes
    best = from_bytes(body[:SAMPLE_BYTES]).best()
    return best.encoding if best else "cp1252"


def _utf8_sample(sample):
    """True when ``sample`` (a prefix of the body) is valid UTF-8.

    The sample or the capped body can end inside a multi-byte character; those last bytes are
    left pending by an incremental decoder (``final=False``) instead of counting as an error.
    """
    try:
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
    except UnicodeDecodeError:
        return False
    return True


def _known(name):
    try:
        return codecs.lookup(name).name
    except LookupError:
        return ""


def guard_for(config):
    """The guard of an app's configuration."""
    return Guard.from_setting(config.get("FETCH_ALLOW_HOSTS", ""))
