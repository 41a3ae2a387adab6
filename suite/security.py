"""Security baseline: the CSRF policy and the headers every response carries.

CSRF: every unsafe request needs a valid Flask-WTF token, except requests that
authenticate with a Bearer token (they carry no cookies' authority) and views
marked ``csrf_or_anonymous`` (curl uploads), which then run as an anonymous user
so a cross-site form can never act with the visitor's session.
"""


from flask import g, request
from flask_wtf.csrf import CSRFError

from suite.auth.access import act_as_anonymous, bearer_token
from suite.errors import InvalidInput, NotFound, error_response
from suite.extensions import csrf

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'self'; "
       "form-action 'self'; frame-ancestors 'self'")


def csrf_or_anonymous(view):
    """Let a view accept token-less writes (curl), run as anonymous unless CSRF-valid."""
    view._csrf_or_anonymous = True
    return view


def _csrf_token_valid():
    try:
        csrf.protect()
        return True
    except CSRFError:
        return False


def refuse_nul_in_address():
    """Before each request: no address of ours holds a NUL character, and PostgreSQL cannot even
    compare text holding one (psycopg2 raises): 404 for a path, 400 for a query string."""
    if "\x00" in request.path:
        raise NotFound()
    if b"%00" in request.query_string or b"\x00" in request.query_string:
        if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
            raise InvalidInput("The address holds a NUL character (%00), which no search or filter can.")


def enforce_csrf():
    """Before each request: the CSRF rule above; the API ignores cookies altogether."""
    if bearer_token() is not None:
        return
    if request.path.startswith("/api/"):
        act_as_anonymous()
        return
    if request.method not in UNSAFE:
        return
    from flask import current_app
    view = current_app.view_functions.get(request.endpoint)
    if getattr(view, "_csrf_or_anonymous", False):
        if not _csrf_token_valid():
            act_as_anonymous()
        return
    csrf.protect()


def handle_csrf_error(err):
    """A missing or stale CSRF token: 400 with words a person understands."""
    return error_response(400, "csrf_failed",
                          "This form has expired or did not come from this site. "
                          "Go back, reload the page and submit again; your text is still in the form.")


def set_security_headers(resp):
    """After each response: CSP, nosniff, framing and referrer policy (views may override)."""
    resp.headers.setdefault("Content-Security-Policy", CSP)
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    if not g.get("framing_allowed"):
        resp.headers.setdefault("X-Frame-Options", "SAMEORIGIN")
    resp.headers.setdefault("Referrer-Policy", "same-origin")
    resp.headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    if g.get("token_auth") or request.path.startswith("/api/"):
        resp.headers.setdefault("Cache-Control", "no-store")
    return resp


def allow_framing(resp):
    """Let any site frame this response (embeds): drop the same-origin framing rules."""
    resp.headers["Content-Security-Policy"] = CSP.replace("frame-ancestors 'self'", "frame-ancestors *")
    resp.headers.pop("X-Frame-Options", None)
    g.framing_allowed = True  # so set_security_headers does not add it back
    return resp


def init_app(app):
    """Wire CSRF and headers into the app."""
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf.init_app(app)
    app.before_request(refuse_nul_in_address)
    app.before_request(enforce_csrf)
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.after_request(set_security_headers)
    if app.config["HTTPS"] or app.config["PROXY_COUNT"]:
        from werkzeug.middleware.proxy_fix import ProxyFix
        # HTTPS alone trusts only the scheme; client addresses and the host come from proxies only
        # when PROXY_COUNT says how many there are (else anyone could pick their rate-limit address)
        n = app.config["PROXY_COUNT"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=max(1, n), x_host=n)



