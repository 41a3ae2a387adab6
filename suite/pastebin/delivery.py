"""How pastes enter and leave over HTTP: curl fields, the anonymous rate limit, raw and download responses."""
import io
import re
import zipfile

from flask import current_app, g, request

from suite import ratelimit
from suite.auth import current_user
from suite.downloads import as_attachment
from suite.errors import NotFound, asked_by_a_browser
from suite.pastebin.pastes import FileInput, decode_text, read_paste

CURL_FILE = re.compile(r"^f:(\w{1,20})$")
EXTENSIONS = {"python": "py", "python2": "py", "javascript": "js", "typescript": "ts", "markdown": "md",
              "bash": "sh", "text": "txt", "rust": "rs", "ruby": "rb", "perl": "pl", "csharp": "cs",
              "cpp": "cpp", "c": "c", "go": "go", "java": "java", "html": "html", "css": "css",
              "json": "json", "yaml": "yaml", "toml": "toml", "sql": "sql", "php": "php", "xml": "xml"}


def is_curl_upload(req):
    """True for posts in the curl shape (``content`` or ``f:N`` fields) rather than our form."""
    keys = list(req.form) + list(req.files)
    return "content" in keys or any(CURL_FILE.match(k) for k in keys)


def _field(req, key):
    """(file name, text) of a curl field sent as text (``<-``) or as a file (``@a.py``)."""
    if key in req.files:
        upload = req.files[key]
        return upload.filename or "", decode_text(upload.read())
    return "", req.form.get(key, "")


def _order(key):
    n = CURL_FILE.match(key).group(1)
    return (0, int(n), "") if n.isdigit() else (1, 0, n)


def curl_files(req):
    """FileInputs of a curl post: ``content`` first, then ``f:1``, ``f:2``… (``lang`` / ``lang:N``)."""
    keys = list(dict.fromkeys(list(req.form) + list(req.files)))
    files = []
    if "content" in keys:
        name, text = _field(req, "content")
        files.append(FileInput(req.form.get("name", name), text, req.form.get("lang", "auto")))
    for key in sorted((k for k in keys if CURL_FILE.match(k)), key=_order):
        name, text = _field(req, key)
        n = key[2:]
        files.append(FileInput(req.form.get(f"name:{n}", name), text,
                               req.form.get(f"lang:{n}", "auto" if files else req.form.get("lang", "auto"))))
    return files


def check_anonymous_rate():
    """Count an anonymous write against the client IP's limit; RateLimited (with Retry-After) when over."""
    if current_user.is_authenticated:
        return
    ratelimit.hit(current_app.config["RATELIMIT_ANONYMOUS"], "paste-anonymous", request.remote_addr or "unknown",
                  "Too many anonymous pastes from your address; try again in {wait} s or sign in.")


def requested_paste(slug, check=None):
    """``read_paste`` for this request: a HEAD burns nothing.

    A HEAD shows no content, and link previews and checkers send one before (or
    instead of) the reader the link was meant for.
    """
    return read_paste(slug, current_user, burn=request.method != "HEAD", check=check)


def requested_raw(slug, number):
    """The raw response for file ``number`` of the paste at ``slug``.

    The number is checked before the paste is read: a burn paste asked for a file
    it does not have answers 404 and stays for the reader with the right link.
    Raw is read by curl and scripts: an error (a burned, expired or deleted paste)
    answers one plain-text line, not an HTML page.
    """
    g.plain_errors = True
    return raw_response(requested_paste(slug, check=lambda paste: _nth_file(paste, number)), number)


def requested_download(slug):
    """The download response for the paste at ``slug``.

    Like raw, it is fetched by curl and scripts: their errors are one plain-text line.
    A browser that followed the Download link gets the error page.
    """
    g.plain_errors = not asked_by_a_browser()
    return download_response(requested_paste(slug))


def _nth_file(paste, number):
    files = paste.files
    if not 1 <= number <= len(files):
        raise NotFound(f"This paste has no file number {number}.")
    return files[number - 1]


def file_download_name(paste, f):
    """A sensible attachment name: the file's own, else ``<slug>.<extension of its language>``."""
    return f.name or f"{paste.slug}.{EXTENSIONS.get(f.lang, 'txt')}"


def raw_response(paste, number=1):
    """One file's text as ``text/plain; charset=utf-8`` (nosniff comes with every response).

    A public paste's text may be kept by caches, but only with ``no-cache``: they ask again
    each time (a 304 when the ETag, the text's hash, still matches), so a paste deleted or
    made private is gone from them at once. Any other paste's is never kept.
    """
    f = _nth_file(paste, number)
    resp = current_app.response_class(f.content, mimetype="text/plain")
    resp.headers["Content-Type"] = "text/plain; charset=utf-8"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    shared = paste.visibility == "public" and not paste.burn_after_reading  # a burn paste is read once
    if not shared:
        resp.headers["Cache-Control"] = "private, no-store"
        return resp
    resp.headers["Cache-Control"] = "no-cache"
    resp.set_etag(f.content_hash)
    return resp.make_conditional(request)


def download_response(paste):
    """The file as an attachment; a paste of several files downloads as ``<slug>.zip``."""
    files = paste.files
    if len(files) == 1:
        return as_attachment(raw_response(paste, 1), file_download_name(paste, files[0]))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        used = set()
        for i, f in enumerate(files, 1):
            unique = file_download_name(paste, f)
            while unique in used:  # files a.txt, 3-a.txt, a.txt: the third may not become 3-a.txt
                unique = f"{i}-{unique}"
            used.add(unique)
            archive.writestr(unique, f.content)
    return as_attachment(current_app.response_class(buffer.getvalue(), mimetype="application/zip"),
                         f"{paste.slug}.zip")
