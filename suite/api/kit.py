"""What every JSON endpoint shares: token auth, strict JSON bodies, pagination, responses.

Under ``/api/`` the browser session never counts: a request is anonymous unless it
carries ``Authorization: Bearer <token>``, so no cookie can write through the API
and no CSRF token is needed.
"""
from functools import wraps

from flask import current_app, g, jsonify, request
from flask_login import current_user

from suite.errors import InvalidInput, TooLarge, Unauthorized
from suite.requestargs import url_with
from suite.text import encodable

MAX_PER_PAGE = 100


def token_required(view):
    """Reject the request with 401 unless it was authenticated with an API token."""
    @wraps(view)
    def wrapped(*args, **kwargs):
        if not g.get("token_auth") or not current_user.is_authenticated:
            raise Unauthorized("Send an API token: Authorization: Bearer <token>.",
                               code="token_required", headers={"WWW-Authenticate": "Bearer"})
        return view(*args, **kwargs)
    return wrapped


def json_body(fields, required=()):
    """The request's JSON object, checked against ``{name: type or tuple of types}``.

    Unknown fields, wrong types, missing required fields and invalid JSON are a 400
    with a message naming the problem.
    """
    if request.content_length and request.content_length > current_app.config["MAX_CONTENT_LENGTH"]:
        raise TooLarge("The request body is too large.")
    try:
        data = request.get_json(silent=True)
    except RecursionError:  # nested deeper than the parser goes
        data = None
    if data is None:
        raise InvalidInput("The body must be a JSON object (Content-Type: application/json).",
                           code="invalid_json")
    if not isinstance(data, dict):
        raise InvalidInput("The body must be a JSON object.", code="invalid_json")
    unknown = sorted(set(data) - set(fields))
    if unknown:
        raise InvalidInput(f"Unknown field: {unknown[0]}.", code="unknown_field")
    for name in required:
        if data.get(name) is None:
            raise InvalidInput(f"Missing field: {name}.", code="missing_field")
    for name, value in data.items():
        kinds = fields[name] if isinstance(fields[name], tuple) else (fields[name],)
        if value is not None and (not isinstance(value, kinds) or (isinstance(value, bool) and bool not in kinds)):
            names = " or ".join(k.__name__.replace("str", "string").replace("list", "array")
                                .replace("bool", "boolean").replace("int", "integer") for k in kinds)
            raise InvalidInput(f"Field {name} must be a {names}.", code="wrong_type")
        if not encodable(value):
            raise InvalidInput(f"Field {name} is not valid Unicode text (a lone surrogate).", code="wrong_type")
    return data


def page_args():
    """(page, per_page) from the query string, clamped to sane bounds."""
    try:
        page = max(1, min(int(request.args.get("page", 1)), 100000))
        per_page = max(1, min(int(request.args.get("per_page", 20)), MAX_PER_PAGE))
    except ValueError:
        raise InvalidInput("page and per_page must be whole numbers.", code="invalid_page") from None
    return page, per_page


def paginated(items, page, per_page, has_next):
    """The list envelope every collection answers with."""
    nxt = None
    if has_next:
        nxt = url_with(page=page + 1, per_page=per_page)
    return jsonify(items=items, page=page, per_page=per_page, next=nxt)


def created(item):
    """201 with the new item and a Location header."""
    resp = jsonify(item)
    resp.status_code = 201
    if item.get("url"):
        resp.headers["Location"] = item["url"]
    return resp


def register_hit_fields(app, kind, fields):
    """How an app's search hits name their item for its own endpoints: ``fields(hit) -> {"api_url": …}``."""
    app.extensions.setdefault("suite.api.hit_fields", {})[kind] = fields


def hit_fields(hit):
    """What the hit's app adds to it in the API (``api_url``, a paste's ``slug``)."""
    fields = current_app.extensions.get("suite.api.hit_fields", {}).get(hit.kind)
    return fields(hit) if fields else {}


def api_request():
    """True when the current request is for the JSON API."""
    return request.path.startswith("/api/")


def rate_key():
    """Rate-limit key: the token's user, else the client address."""
    if g.get("token_auth") and current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"ip:{request.remote_addr}"


def check_api_rate():
    """Before each request: API calls count against ``SUITE_RATELIMIT_API`` per token or address."""
    from suite import ratelimit
    if not api_request():
        return
    ratelimit.hit(current_app.config["RATELIMIT_API"], "api", rate_key(),
                  "Too many API requests; try again in {wait} s.")

