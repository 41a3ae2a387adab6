"""The request types of the table: what each cell sends, as a session or a token would."""
import re
from dataclasses import dataclass, field
from urllib.parse import quote, urlencode

import requests

from bench import content
from bench.load import FORM, Req

CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
READ = {"threads": 2, "connections": 8}
WRITE = {"threads": 4, "connections": 4}  # one connection per thread: {rev} stays exact
ONE = {"threads": 1, "connections": 1}
# Every client of a run, the one that signs in included, says the same User-Agent: flask-login
# ties a session to it, and a session seen from another agent is rewritten on every answer.
USER_AGENT = "suite-bench"
FRESH = {"Cache-Control": "no-cache"}
# What every browser says: the pages (and the bare app, and An Otter Wiki) are asked for as a browser
# asks; the suite then sends pages every anonymous reader shares gzip-compressed. API clients send none.
BROWSER = {"Accept-Encoding": "gzip, deflate"}


@dataclass
class Cell:
    """One row of the table: a label, the requests, their headers and the load shape."""

    key: str
    label: str
    reqs: list
    headers: dict = field(default_factory=dict)
    shape: dict = field(default_factory=lambda: dict(READ))
    write: bool = False
    rev_start: int = 1
    note: str = ""


def csrf_of(html):
    """The CSRF token in a page's forms."""
    match = CSRF_RE.search(html)
    if not match:
        raise RuntimeError("no csrf_token in the page")
    return match.group(1)


def cookie_header(session):
    """A Cookie header carrying a requests session's cookies."""
    return "; ".join(f"{c.name}={c.value}" for c in session.cookies)


def signed_in(base_url, username, password):
    """(Cookie header, CSRF token) of a session signed in through the login form."""
    s = requests.Session()
    s.headers["User-Agent"] = USER_AGENT
    token = csrf_of(s.get(base_url + "/auth/login", timeout=30).text)
    resp = s.post(base_url + "/auth/login", data={"username": username, "password": password,
                                                  "csrf_token": token, "next": ""},
                  allow_redirects=False, timeout=30)
    if resp.status_code != 302:
        raise RuntimeError(f"bench login failed: HTTP {resp.status_code}")
    token = csrf_of(s.get(base_url + "/", timeout=30).text)  # the session's token after sign-in
    return s, cookie_header(s), token


def anonymous(base_url):
    """(Cookie header, CSRF token) of an anonymous session that has opened the login form."""
    s = requests.Session()
    s.headers["User-Agent"] = USER_AGENT
    token = csrf_of(s.get(base_url + "/auth/login", timeout=30).text)
    return cookie_header(s), token


def _body(fields, raw=""):
    """URL-encoded form fields, then ``raw`` (already encoded, may hold placeholders)."""
    return urlencode(fields) + raw


def paste_body(csrf):
    """The paste form with 50 lines of Python that differ per request (so each is highlighted)."""
    code = content.python_lines(__import__("random").Random(1), 49)
    return _body({"csrf_token": csrf, "title": "Load test", "visibility": "public", "expires": "never",
                  "files-0-name": "load.py", "files-0-lang": "python"},
                 "&files-0-content=" + quote("# request ") + "{tid}-{n}" + quote("\n" + code))


def searches(path, queries, new=False):
    """GETs of ``path`` for each query; ``new`` makes every request's words unseen before (``-zq<tid>x<n>``)."""
    unseen = quote(" -zq") + "{tid}x{n}" if new else ""
    return [Req("GET", f"{path}?{urlencode({'q': q})}{unseen}") for q in queries]


def build(manifest, base_url):
    """Every cell of the table for a seeded instance (and notices for what cannot be measured)."""
    _s, cookie, csrf = signed_in(base_url, manifest["username"], manifest["password"])
    anon_cookie, anon_csrf = anonymous(base_url)
    user = {"Cookie": cookie, "User-Agent": USER_AGENT}
    form = dict(user, **{"Content-Type": FORM})
    bearer = {"Authorization": f"Bearer {manifest['token']}"}
    queries = manifest["search_queries"]
    cells = [
        Cell("wiki_view", "wiki page view (~5 KB, anonymous)", [Req("GET", p) for p in manifest["wiki_paths"]]),
        Cell("paste_view", "paste view (1,000 lines, anonymous)", [Req("GET", p) for p in manifest["paste_paths"]]),
        Cell("bookmark_list", "bookmark list (50, grid, signed in)",
             [Req("GET", f"/bookmarks/?per_page=50&page={p}") for p in (1, 2, 3)], user),
        Cell("search", "unified search /search", searches("/search", queries), user),
        Cell("wiki_search", "wiki search /wiki/search (anonymous)", searches("/wiki/search", queries)),
        Cell("home", "home dashboard (signed in)", [Req("GET", "/")], user),
        # The same pages built for every request (Cache-Control: no-cache skips the page cache's copy).
        Cell("wiki_view_built", "wiki page view, built", [Req("GET", p) for p in manifest["wiki_paths"]], FRESH),
        Cell("paste_view_built", "paste view, built", [Req("GET", p) for p in manifest["paste_paths"]], FRESH),
        Cell("bookmark_list_built", "bookmark list, built",
             [Req("GET", f"/bookmarks/?per_page=50&page={p}") for p in (1, 2, 3)], dict(user, **FRESH)),
        # Searches built for every request: the page is made again, the words' ranking is kept…
        Cell("search_built", "unified search, built", searches("/search", queries), dict(user, **FRESH)),
        Cell("wiki_search_built", "wiki search, built", searches("/wiki/search", queries), FRESH),
        # …and words never searched before, ranked afresh (each query excludes a word of its own).
        Cell("search_new", "unified search, new words", searches("/search", queries, new=True), user),
        Cell("wiki_search_new", "wiki search, new words", searches("/wiki/search", queries, new=True)),
        # The same, one-word and two-word queries apart: they are ranked differently (champion lists on
        # SQLite for one word; FTS5 over every match for several).
        Cell("search_new_one", "unified search, new words, one word",
             searches("/search", [q for q in queries if " " not in q], new=True), user),
        Cell("search_new_two", "unified search, new words, two words",
             searches("/search", [q for q in queries if " " in q], new=True), user),
    ]
    # The same reads from one client: latency without queueing behind the other connections.
    cells += [Cell(c.key + "_1", c.label.split(" (")[0] + ", 1 client", c.reqs, c.headers, dict(ONE))
              for c in cells]
    cells += [
        Cell("create_paste", "create paste (form)", [Req("POST", "/paste/", paste_body(csrf))], form,
             dict(WRITE), write=True),
        Cell("wiki_edit", "save wiki edit", [Req("POST", "/wiki/Bench_edit_{tid}/edit", _body(
            {"csrf_token": csrf, "message": "load", "save": "Save"},
            "&content=" + quote("# Bench edit\n\nEdit number ") + "{n}" + "&base_revision={rev}"))],
             form, dict(WRITE), write=True, rev_start=1),
        Cell("add_bookmark", "add bookmark (form)", [Req("POST", "/bookmarks/add", _body(
            {"csrf_token": csrf, "title": "Load test page", "tags": "bench load"},
            "&url=" + quote("https://load.example.net/") + "{tid}/{n}"))], form, dict(WRITE), write=True),
        Cell("login", "login (form, scrypt)", [Req("POST", "/auth/login", _body(
            {"csrf_token": anon_csrf, "username": manifest["username"], "password": manifest["password"],
             "next": ""}))], {"Cookie": anon_cookie, "Content-Type": FORM, "User-Agent": USER_AGENT}, dict(WRITE), write=True),
    ]
    notices = []
    for cell in cells:  # every page and form so far: what a browser sends
        cell.headers = dict(BROWSER, **cell.headers)
    for path in manifest["api_list_paths"]:
        query = "?" + urlencode({"q": queries[0]}) if path.endswith("/search") else ""
        reqs = ([Req("GET", path + "?" + urlencode({"q": q})) for q in queries] if query
                else [Req("GET", path)])
        cells.append(Cell("api" + path.replace("/api/v1", "").replace("/", "_"), f"API GET {path}", reqs, bearer))
    for app, word in (("pastebin", "paste"), ("bookmarks", "bookmark"), ("wiki", "wiki")):
        if not any(word in p for p in manifest["api_list_paths"]):
            notices.append(f"API list endpoint for {app}: none under /api/v1 yet (skipped)")
    return cells, notices
