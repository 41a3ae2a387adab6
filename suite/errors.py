"""The suite's error types and the one handler that turns any error into a page or JSON.

Functions below the views raise these instead of calling ``abort``; the handler
answers HTML in the site layout, JSON under ``/api/`` and plain text where a
view asked for it (curl uploads).
"""
from flask import current_app, g, jsonify, render_template, request
from werkzeug.exceptions import HTTPException


class SuiteError(Exception):
    """Base of our errors: an HTTP status, a short code and a message for people."""

    status = 400
    code = "bad_request"

    def __init__(self, message="", *, code=None, headers=None):
        super().__init__(message)
        self.message = message or self.__doc__
        if code:
            self.code = code
        self.headers = headers or {}


class InvalidInput(SuiteError):
    """The request is not valid."""

    status, code = 400, "invalid"


class Unauthorized(SuiteError):
    """You need to sign in or send a valid API token."""

    status, code = 401, "unauthorized"


class Forbidden(SuiteError):
    """You may not do that."""

    status, code = 403, "forbidden"


class NotFound(SuiteError):
    """Not found."""

    status, code = 404, "not_found"


class Conflict(SuiteError):
    """The item changed since you loaded it."""

    status, code = 409, "conflict"


class TooLarge(SuiteError):
    """Too large."""

    status, code = 413, "too_large"


class RateLimited(SuiteError):
    """Too many requests; slow down."""

    status, code = 429, "rate_limited"


TITLES = {400: "Bad request", 401: "Sign-in needed", 403: "Forbidden", 404: "Not found",
          405: "Method not allowed", 409: "Conflict", 413: "Too large", 415: "Unsupported type",
          422: "Invalid", 429: "Too many requests", 500: "Server error", 503: "Unavailable"}


def wants_json():
    """True for API requests and clients that ask for JSON."""
    if request.path.startswith("/api/"):
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and request.accept_mimetypes[best] > request.accept_mimetypes["text/html"]


def asked_by_a_browser():
    """True when the client takes HTML (a browser, a form of ours); curl and scripts send ``*/*``."""
    return "text/html" in request.headers.get("Accept", "")


def error_response(status, code, message, headers=None):
    """Render one error as JSON, plain text (curl) or a page in the layout."""
    if wants_json():
        resp = jsonify(error={"code": code, "message": message})
    elif g.get("plain_errors"):
        resp = current_app.response_class(message + "\n", mimetype="text/plain")
    else:
        resp = current_app.response_class(render_template(
            "error.html", status=status, title=TITLES.get(status, "Error"), message=message))
    resp.status_code = status
    resp.headers.update(headers or {})
    return resp


def handle_suite_error(err):
    """Answer one of our own errors."""
    return error_response(err.status, err.code, err.message, err.headers)


def handle_http_exception(err):
    """Answer werkzeug's HTTP errors (404 routes, 405, 413 bodies, CSRF 400, 429)."""
    message = err.description or TITLES.get(err.code, "Error")
    if err.code == 413:
        limit = _limit_text()
        message = f"The request body is too large (the limit is {limit})."
        # Stopped before any view could say how it answers (the form read hit the limit): a client
        # that takes no HTML (curl piping a big log) gets the one line, not a page on its terminal.
        if not asked_by_a_browser():
            g.plain_errors = True
    code = (err.name or "error").lower().replace(" ", "_")
    headers = {k: v for k, v in (err.get_headers() or []) if k.lower() in ("retry-after", "allow")}
    if err.code == 429 and not any(k.lower() == "retry-after" for k in headers):
        headers["Retry-After"] = "60"
    return error_response(err.code, code, message, headers)


STORAGE_FAILURES = ("readonly database", "read-only", "database or disk is full", "disk is full",
                    "no space left on device", "could not extend file")


def handle_unexpected(err):
    """Any other exception: log it and answer a plain 500 page, never a traceback.

    A database that cannot be written (read-only, disk full) is a 503 that says so.
    """
    if storage_failure(err):
        current_app.logger.error("Database cannot be written on %s %s: %s", request.method, request.path, err)
        return error_response(503, "storage_unavailable",
                              "Your changes could not be saved: the server cannot write to its database "
                              "right now (it is read-only or out of space). Nothing was changed; go back "
                              "and try again later — what you typed is still in the form.",
                              {"Retry-After": "60"})
    current_app.logger.exception("Unhandled error on %s %s", request.method, request.path)
    return error_response(500, "server_error", "Something went wrong on our side; it has been logged.")


def storage_failure(err):
    """True for database errors that mean "cannot write", not "bad query"."""
    from peewee import OperationalError
    seen = 0
    while err is not None and seen < 5:  # SQLite's "disk full" surfaces as a failed rollback after it
        if isinstance(err, OperationalError) and any(word in str(err).lower() for word in STORAGE_FAILURES):
            return True
        err, seen = err.__cause__ or err.__context__, seen + 1
    return False


def _limit_text():
    n = current_app.config.get("MAX_CONTENT_LENGTH") or 0
    if n >= 1024 * 1024:
        return f"{n // (1024 * 1024)} MiB"
    return f"{n // 1024} KiB" if n >= 1024 else f"{n} bytes"


def init_app(app):
    """Register the handlers."""
    app.register_error_handler(SuiteError, handle_suite_error)
    app.register_error_handler(HTTPException, handle_http_exception)
    app.register_error_handler(Exception, handle_unexpected)
