"""Whole-page cache for pages every anonymous reader sees the same way.

A view opts in per response with ``cache_this(kind)`` (a wiki page, a paste). The
middleware keeps the finished response in process memory, keyed by host, scheme,
path and query, and serves it to the next request that carries no session or
remember-me cookie, without entering Flask at all. A signed-in page whose content
all comes from one kind (the bookmark list) may be kept for its own session only.

Correctness comes from generations: a counter per kind of content in the
``cache_generation`` table. ``changed(kind)`` bumps it with the writing transaction's
commit (``suite.search`` does this for every indexed write), and every hit reads
the counters (one indexed query) and drops an entry whose generation moved, so a
save is visible to the very next reader in every worker process. Entries also
expire after ``PAGE_CACHE_SECONDS`` and the memory is bounded by ``PAGE_CACHE_MB``.
Only 200 answers without Set-Cookie are kept; ``Cache-Control: no-cache`` skips the copy.

A page every anonymous reader shares also goes gzip-compressed to a browser that
accepts it (a 1,000-line paste: 300 KB as 23 KB), compressed once, at its first
such hit, and kept beside the plain copy. A personal page is never compressed: it
holds the session's CSRF token next to text from the URL (a search's words), which
is what the BREACH attack needs to read the token through the compressed length.
"""
import gzip
import logging
import threading
import time
from collections import OrderedDict
from functools import lru_cache

from flask import current_app, has_request_context, request
from peewee import BigIntegerField, CharField, DatabaseError
from werkzeug.http import parse_accept_header, parse_cookie

from suite.database import BaseModel, is_postgres
from suite.extensions import db

log = logging.getLogger(__name__)
ENVIRON_KEY = "suite.page_cache"
READ_KEY = "suite.page_cache.generations"  # the generations the middleware read for this request
PERSONAL_COOKIES = ("session", "remember_token")


class CacheGeneration(BaseModel):
    """How many times content of one kind changed (only ever goes up)."""

    name = CharField(max_length=32, primary_key=True)
    value = BigIntegerField(default=0)

    class Meta:
        table_name = "cache_generation"


def generations():
    """{kind: counter} as committed (plain SQL: it runs on every cached request).

    In a request the middleware has already read them for (a GET it may serve), its
    reading is reused until the request changes content itself (``changed``): they were
    read before any content, which is all a reader needs (see ``changed``). On PostgreSQL
    that is one round trip less per search.
    """
    if has_request_context():
        read = request.environ.get(READ_KEY)
        if read is not None:
            return read
    return dict(db.execute_sql("SELECT name, value FROM cache_generation").fetchall())


# Plain SQL (both engines): on SQLite it runs at every change in a transaction; peewee's query took 107 µs, this 5.
BUMP = ("INSERT INTO cache_generation (name, value) VALUES ({p}, 1) "
        "ON CONFLICT (name) DO UPDATE SET value = cache_generation.value + 1")


def _bump(kinds):
    try:
        for kind in sorted(kinds):
            db.execute_sql(BUMP.format(p=db.param), (kind,))
    except DatabaseError:  # never turn the write itself into an error page
        log.exception("page cache: could not note a change of %s; pages may be stale for up to "
                      "PAGE_CACHE_SECONDS", ", ".join(sorted(kinds)))


def changed(kind):
    """Content of ``kind`` changed: bump its generation, at the latest when the current transaction commits.

    A reader never pairs a new generation with old content: it reads the generations
    before any content (``PageCache.__call__``), so at worst it keeps new content under
    an old generation, which the bump then ends. On SQLite the bump is made inside the
    writer's transaction: the commit shows it with the content, and the
    writer already holds SQLite's only write lock; made after the commit, it was a second
    write that queued for the lock again (a tail of seconds under 16 writers). On
    PostgreSQL it waits for the commit: made inside, the generation row would stay locked
    until then and every writer of that kind would wait for the others.
    """
    if has_request_context():
        request.environ.pop(READ_KEY, None)  # later readings in this request go to the database
    if not db.in_transaction():
        _bump({kind})
        return
    if not is_postgres():  # at each call: a rolled-back savepoint takes its own bump along
        _bump({kind})      # (a failed statement does not end an SQLite transaction: the write goes on)
        return
    outer = db._state.transactions[0]
    pending = getattr(outer, "suite_changed_kinds", None)
    if pending is None:
        pending = outer.suite_changed_kinds = set()
        db.after_commit(lambda: _bump(pending))
    pending.add(kind)


def _wish():
    return request.environ.setdefault(ENVIRON_KEY, {"store": False, "personal": False, "kinds": set(),
                                                    "seconds": None})


def _asks_fresh(environ):
    """A reload that asks for a fresh page (``Cache-Control: no-cache``, as Shift+Reload sends)."""
    return "no-cache" in environ.get("HTTP_CACHE_CONTROL", "") or "no-cache" in environ.get("HTTP_PRAGMA", "")


def cache_this(kind, seconds=None, personal=False):
    """Let the middleware keep this response until content of ``kind`` changes.

    Anonymous readers share one copy. ``personal=True`` is for a signed-in page whose
    every part comes from ``kind`` (and the account): it is kept for that session only
    and also ends with any change to accounts. ``seconds`` shortens the keeping time
    (a paste that expires sooner); 0 or less keeps nothing.
    """
    wish = _wish()
    wish["store"] = True
    wish["personal"] = wish["personal"] or personal
    wish["kinds"].add(kind)
    if seconds is not None:
        keep_at_most(seconds)


def keep_at_most(seconds):
    """If this response is kept, keep it no longer than ``seconds`` (it shows something that expires).

    Unlike ``cache_this`` it lets no page be kept that did not ask to be: a part of a page
    (an embed, a list of hits) only shortens what the page itself allowed.
    """
    wish = _wish()
    wish["seconds"] = seconds if wish["seconds"] is None else min(seconds, wish["seconds"])


def depends_on(kind):
    """This response also shows content of ``kind`` (an embed): a change there invalidates it too."""
    _wish()["kinds"].add(kind)


MEMO_LIMIT = 4096


def remember(kinds, key, compute, seconds=60):
    """``compute()``, kept in this process until content of ``kinds`` changes (or ``seconds`` pass).

    For figures that cost a scan, such as the home page's counts of someone's items.
    """
    memo = current_app.extensions.setdefault("suite.memo", {})
    pinned = tuple(generations().get(kind, 0) for kind in kinds) if kinds else ()
    found = memo.get(key)
    now = time.monotonic()
    if found is not None and found[0] == pinned and found[1] > now:
        return found[2]
    value = compute()
    if len(memo) >= MEMO_LIMIT:
        memo.clear()
    memo[key] = (pinned, now + seconds, value)
    return value


class Kept:
    """Values kept in this process until their content changes or they expire (an LRU with a budget).

    Each value counts its ``size`` (bytes, ids…) against ``budget``, and ``count`` caps
    the number of entries; the least recently used go first. A value over a quarter of
    the budget is not kept. ``pinned`` is what the caller checks freshness against
    (generations, see ``changed``).
    """

    def __init__(self, budget, seconds, count=None):
        self.budget, self.seconds, self.count = budget, seconds, count
        self.entries = OrderedDict()   # key -> (pinned, expires, value, size)
        self.size = 0
        self.lock = threading.Lock()

    def get(self, key, fresh):
        """The value of ``key`` if it has not expired and ``fresh(pinned)``; a stale entry goes."""
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return None
            if time.monotonic() < entry[1] and fresh(entry[0]):
                self.entries.move_to_end(key)
                return entry[2]
            self._pop(key)
            return None

    def put(self, key, pinned, value, size, seconds=None):
        """Keep one value for ``seconds`` at most (the default keeping time, if shorter)."""
        seconds = self.seconds if seconds is None else min(seconds, self.seconds)
        if seconds <= 0 or self.budget <= 0 or size > self.budget // 4:
            return
        with self.lock:
            self._pop(key)
            self.entries[key] = (pinned, time.monotonic() + seconds, value, size)
            self.size += size
            while self.entries and (self.size > self.budget
                                    or (self.count is not None and len(self.entries) > self.count)):
                self._pop(next(iter(self.entries)))

    def _pop(self, key):
        old = self.entries.pop(key, None)
        if old is not None:
            self.size -= old[3]

    def grow(self, key, extra):
        """Count ``extra`` more for a kept value (a copy made later), evicting others beyond the budget."""
        with self.lock:
            entry = self.entries.get(key)
            if entry is None:
                return
            self.entries[key] = entry[:3] + (entry[3] + extra,)
            self.size += extra
            while self.size > self.budget and len(self.entries) > 1:
                oldest = next(iter(self.entries))
                self._pop(oldest if oldest != key else list(self.entries)[1])

    def clear(self):
        """Forget everything."""
        with self.lock:
            self.entries.clear()
            self.size = 0


COMPRESSIBLE = ("text/", "application/json", "application/atom+xml", "application/xml", "image/svg+xml")
MIN_COMPRESS = 1024  # bytes: below this a gzip header and the Vary dance cost more than they save


def accepts_gzip(environ):
    """True when the request's Accept-Encoding allows gzip (``gzip;q=0`` refuses it)."""
    header = environ.get("HTTP_ACCEPT_ENCODING", "")
    return "gzip" in header and _gzip_quality(header) > 0


@lru_cache(maxsize=64)
def _gzip_quality(header):
    # Parsing takes ~4.7 µs, a third of a cache hit; browsers send a handful of distinct headers.
    return parse_accept_header(header).quality("gzip")


def compressible(headers, body):
    """True for a text answer worth compressing that is not already encoded."""
    names = {name.lower(): value for name, value in headers}
    return (len(body) >= MIN_COMPRESS and "content-encoding" not in names
            and names.get("content-type", "").startswith(COMPRESSIBLE))


def varying(headers, name):
    """``headers`` with ``name`` added to Vary (merged into an existing Vary header)."""
    if not any(n.lower() == "vary" for n, _ in headers):
        return headers + [("Vary", name)]
    return [(n, f"{v}, {name}" if n.lower() == "vary" else v) for n, v in headers]


def gzipped(headers, body):
    """(headers, body) of the gzip-compressed answer."""
    packed = gzip.compress(body, compresslevel=6, mtime=0)
    out = [(n, v) for n, v in headers if n.lower() != "content-length"]
    return out + [("Content-Encoding", "gzip"), ("Content-Length", str(len(packed)))], packed


class PageCache:
    """WSGI middleware holding finished anonymous responses (LRU, bounded in bytes)."""

    def __init__(self, wsgi_app, max_bytes, seconds, personal_cookies=PERSONAL_COOKIES):
        self.wsgi_app, self.personal_cookies = wsgi_app, personal_cookies
        # values: (status, headers, body, gzip slot): the slot is None for a page never compressed,
        # else a one-item list holding (headers, body) of the gzip copy once a browser asked for it.
        self.kept = Kept(max_bytes, seconds)

    @property
    def entries(self):
        """key -> (((kind, generation), ...), expires, (status, headers, body, gzip slot), size)."""
        return self.kept.entries

    @property
    def size(self):
        """Bytes of the kept bodies and their gzip copies."""
        return self.kept.size

    @property
    def max_bytes(self):
        """The byte budget (PAGE_CACHE_MB)."""
        return self.kept.budget

    def key(self, environ):
        """The cache key of a request, or None when it must go to the app.

        Its first part is the visitor's session and remember-me cookies as sent (empty
        for an anonymous reader): a personal page is only ever served back to the very
        session it was made for. Requests with credentials in a header never take part.
        """
        if environ.get("REQUEST_METHOD") != "GET" or environ.get("HTTP_AUTHORIZATION"):
            return None
        personal = ()
        if environ.get("HTTP_COOKIE"):
            cookies = parse_cookie(environ)
            personal = tuple(cookies.get(name, "") for name in self.personal_cookies)
            personal = personal if any(personal) else ()
        return (personal, environ.get("wsgi.url_scheme"), environ.get("HTTP_X_FORWARDED_PROTO"),
                environ.get("HTTP_HOST"), environ.get("HTTP_X_FORWARDED_HOST"),
                environ.get("SCRIPT_NAME", ""), environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", ""))

    def __call__(self, environ, start_response):
        key = self.key(environ)
        if key is None:
            return self.wsgi_app(environ, start_response)
        # Read before the view reads any content (see ``changed``), used for the hit and the fill.
        current = self.generations()
        if current is None:
            return self.wsgi_app(environ, start_response)
        environ[READ_KEY] = current
        hit = None if _asks_fresh(environ) else self.lookup(key, current)
        if hit is not None:
            status, headers, body, slot = hit
            if slot is not None and accepts_gzip(environ):
                if slot[0] is None:
                    slot[0] = gzipped(headers, body)
                    self.kept.grow(key, len(slot[0][1]))
                headers, body = slot[0]
            start_response(status, headers + [("X-Cache", "hit")])
            return [body]
        return self.fill(key, current, environ, start_response)

    @staticmethod
    def generations():
        """The committed generations, or None when the table cannot be read (no caching then)."""
        try:
            with db.connection_context():
                return generations()
        except DatabaseError:
            return None

    def lookup(self, key, current):
        """The stored (status, headers, body) of ``key`` if its content has not changed since."""
        return self.kept.get(key, lambda pinned: all(current.get(k, 0) == g for k, g in pinned))

    def fill(self, key, current, environ, start_response):
        """Run the app; keep the answer when the view asked for it and nothing personal is in it."""
        captured = {}

        def capture(status, headers, exc_info=None):
            captured.update(status=status, headers=headers)
            if self.too_big_to_keep(key, environ, status, headers):
                captured["packed"] = varying(list(headers), "Accept-Encoding")
                return None  # answered below, compressed if the client takes gzip
            return start_response(status, headers, exc_info)

        body_iter = self.wsgi_app(environ, capture)
        if "packed" in captured:
            return self.compress_on_the_fly(environ, start_response, captured, body_iter)
        wanted = environ.get(ENVIRON_KEY)
        headers = captured.get("headers") or []
        if (wanted is None or not wanted["store"] or (key[0] and not wanted["personal"])
                or not captured.get("status", "").startswith("200")
                or any(name.lower() == "set-cookie" for name, _ in headers)):
            return body_iter
        body = _read_all(body_iter)
        kinds = wanted["kinds"] | ({"user"} if key[0] else set())  # account changes end personal pages
        pinned = tuple((kind, current.get(kind, 0)) for kind in sorted(kinds))
        self.store(key, pinned, wanted["seconds"], captured["status"], list(headers), body)
        return [body]

    def too_big_to_keep(self, key, environ, status, headers):
        """True for a shared page the view asked to keep that is too large to be kept (a paste
        near its 1 MiB limit): it is compressed on each view instead, where gzip saves most."""
        wanted = environ.get(ENVIRON_KEY)
        names = {name.lower(): value for name, value in headers}
        return (not key[0] and wanted is not None and wanted["store"] and status.startswith("200")
                and "set-cookie" not in names and "content-encoding" not in names
                and names.get("content-type", "").startswith(COMPRESSIBLE)
                and names.get("content-length", "").isdigit()
                and int(names["content-length"]) > self.kept.budget // 4)

    @staticmethod
    def compress_on_the_fly(environ, start_response, captured, body_iter):
        """Answer a page too big to keep: gzip-compressed to a client that takes it."""
        headers, body = captured["packed"], _read_all(body_iter)
        if accepts_gzip(environ):
            headers, body = gzipped(headers, body)
        start_response(captured["status"], headers)
        return [body]

    def store(self, key, pinned, seconds, status, headers, body):
        """Keep one response, evicting the least recently used ones beyond the byte budget.

        A shared page that is worth compressing gets an empty gzip slot and ``Vary:
        Accept-Encoding`` (the plain copy too: a proxy must not hand either to the other kind of client).
        """
        slot = None
        if not key[0] and compressible(headers, body):
            slot = [None]
            headers = varying(headers, "Accept-Encoding")
        self.kept.put(key, pinned, (status, headers, body, slot), len(body), seconds)


def _read_all(body_iter):
    """The whole body of a WSGI answer (closing its iterable)."""
    try:
        return b"".join(body_iter)
    finally:
        if hasattr(body_iter, "close"):
            body_iter.close()


def init_app(app):
    """Wrap the app in the page cache unless PAGE_CACHE_MB is 0."""
    cfg = app.config
    if cfg["PAGE_CACHE_MB"] > 0:
        app.wsgi_app = PageCache(app.wsgi_app, int(cfg["PAGE_CACHE_MB"] * 1024 * 1024), cfg["PAGE_CACHE_SECONDS"],
                                 (cfg["SESSION_COOKIE_NAME"], cfg.get("REMEMBER_COOKIE_NAME", "remember_token")))
