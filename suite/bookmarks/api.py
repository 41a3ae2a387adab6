"""The bookmarks JSON API under /api/v1/bookmarks: list with filters, create, read, update, delete, tags.

Token-only (the kit ignores cookies under /api); the same services as the pages.
"""
from flask import Blueprint, jsonify, request, url_for
from flask_login import current_user

from suite.api import kit, openapi
from suite.api.kit import created, json_body, page_args, paginated, token_required
from suite.bookmarks import bookmarks as svc
from suite.bookmarks.models import Bookmark
from suite.errors import InvalidInput

api_bp = Blueprint("api_bookmarks", __name__, url_prefix="/api/v1/bookmarks")
FIELDS = {"url": str, "title": str, "description": str, "notes": str, "tags": (list, str), "private": bool,
          "unread": bool}


@api_bp.before_request
@token_required
def need_token():
    """Every bookmark endpoint acts for the token's user."""


def json_links():
    """The links of bookmark_json as patterns (build once for a list: url_for costs ~15 µs a call)."""
    from suite.bookmarks.views import UrlPattern
    return UrlPattern("bookmarks.thumb", "name", _external=True), \
        UrlPattern("api_bookmarks.get_bookmark", "bookmark_id", _external=True)


def bookmark_json(b, tags=None, links=None):
    """A bookmark as the API shows it (``links`` from json_links() when listing many)."""
    thumb_url, self_url = links or json_links()
    thumb = thumb_url(b.thumb_large) if b.thumb_large else None
    small = thumb_url(b.thumb_small) if b.thumb_small else None
    return {"id": b.id, "url": b.url, "title": b.title, "description": b.description, "notes": b.notes,
            "tags": svc.tags_of(b) if tags is None else tags, "private": b.is_private, "unread": b.unread,
            "broken": b.is_broken, "status": b.status, "http_status": b.http_status,
            "thumbnail": thumb, "thumbnail_small": small, "thumbnail_source": b.thumb_source or None,
            "created_at": b.created_at.isoformat() + "Z", "updated_at": b.updated_at.isoformat() + "Z",
            "self": self_url(b.id)}


def hit_fields(hit):
    """A bookmark found by the unified search, as this API reaches it."""
    return {"api_url": url_for("api_bookmarks.get_bookmark", bookmark_id=int(hit.item_id), _external=True)}


def _tags(value):
    """The tags field as the services take it: text (split on commas and spaces), or an array whose
    every item is one tag ("machine learning" becomes machine-learning, as in an imported file).

    json_body only checked that it is an array; an item of another type is a 400 like any wrong
    type, rather than its Python spelling ('True', '{'a': 1}') stored as tags.
    """
    if value is None or isinstance(value, str):
        return value
    for position, item in enumerate(value, 1):
        if not isinstance(item, str):
            raise InvalidInput(f"Field tags must be a string or an array of strings; item {position} is "
                               f"{_json_type(item)}.", code="wrong_type")
    return value


def _json_type(value):
    """What a JSON value is, in JSON's words ("a number", "null")."""
    for kind, name in ((bool, "a boolean"), ((int, float), "a number"), (dict, "an object"), (list, "an array")):
        if isinstance(value, kind):
            return name
    return "null"


@api_bp.route("")
def list_bookmarks():
    """The user's bookmarks; the same filters as the page (q, tag, unread, visibility, domain, broken, sort)."""
    page, per_page = page_args()
    filters = svc.Filters.from_args(request.args)
    filters.page, filters.per_page = page, per_page
    listing = svc.list_bookmarks(current_user, filters, notes=True)
    links = json_links()
    return paginated([bookmark_json(b, b.tag_names, links) for b in listing.bookmarks], page, per_page,
                     listing.has_next)


@api_bp.route("", methods=["POST"])
def create_bookmark():
    """Save a URL: 201 with the new bookmark, or 200 with the one already saved for it."""
    body = json_body(FIELDS, required=("url",))
    bookmark, is_new = svc.add_bookmark(
        current_user, body["url"], title=body.get("title") or "", description=body.get("description") or "",
        notes=body.get("notes") or "", tags=_tags(body.get("tags")) or "",
        is_private=body.get("private", True) is not False, unread=bool(body.get("unread")))
    data = bookmark_json(Bookmark.get_by_id(bookmark.id))
    if is_new:
        resp = created(data)
        resp.headers["Location"] = data["self"]
        return resp
    return jsonify(dict(data, existing=True))


@api_bp.route("/<int:bookmark_id>")
def get_bookmark(bookmark_id):
    """One bookmark."""
    return jsonify(bookmark_json(svc.get_bookmark(current_user, bookmark_id)))


@api_bp.route("/<int:bookmark_id>", methods=["PATCH", "PUT"])
def update_bookmark(bookmark_id):
    """Change some fields (PATCH and PUT both take only the fields sent)."""
    bookmark = svc.get_bookmark(current_user, bookmark_id)
    body = json_body(FIELDS)
    svc.update_bookmark(bookmark, url=body.get("url"), tags=_tags(body.get("tags")), title=body.get("title"),
                        description=body.get("description"), notes=body.get("notes"),
                        is_private=body.get("private"), unread=body.get("unread"))
    return jsonify(bookmark_json(Bookmark.get_by_id(bookmark_id)))


@api_bp.route("/<int:bookmark_id>", methods=["DELETE"])
def delete_bookmark(bookmark_id):
    """Delete a bookmark: 204."""
    svc.delete_bookmark(svc.get_bookmark(current_user, bookmark_id))
    return "", 204


@api_bp.route("/<int:bookmark_id>/retry", methods=["POST"])
def retry_bookmark(bookmark_id):
    """Fetch the page and make its picture again: 202."""
    svc.retry(svc.get_bookmark(current_user, bookmark_id))
    resp = jsonify(bookmark_json(Bookmark.get_by_id(bookmark_id)))
    resp.status_code = 202
    return resp


@api_bp.route("/tags")
def list_tags():
    """The user's tags with counts, most used first."""
    return jsonify(items=[{"name": name, "count": n} for name, n in svc.tag_counts(current_user)])


BOOKMARK = {"type": "object", "required": ["id", "url", "title", "tags", "private", "status"], "properties": {
    "id": {"type": "integer"}, "url": {"type": "string"}, "title": {"type": "string"},
    "description": {"type": "string"}, "notes": {"type": "string"},
    "tags": {"type": "array", "items": {"type": "string"}}, "private": {"type": "boolean"},
    "unread": {"type": "boolean"}, "broken": {"type": "boolean"},
    "status": {"enum": ["pending", "done", "failed"]}, "http_status": {"type": ["integer", "null"]},
    "thumbnail": {"type": ["string", "null"]}, "thumbnail_small": {"type": ["string", "null"]},
    "thumbnail_source": {"type": ["string", "null"]}, "created_at": {"type": "string"},
    "updated_at": {"type": "string"}, "self": {"type": "string"}, "existing": {"type": "boolean"}}}
INPUT = {"type": "object", "properties": {
    "url": {"type": "string", "maxLength": 2048}, "title": {"type": "string"}, "description": {"type": "string"},
    "notes": {"type": "string"}, "tags": {"oneOf": [
        {"type": "array", "items": {"type": "string"},
         "description": "Each item one tag; spaces inside become - (machine learning → machine-learning)"},
        {"type": "string", "description": "Tags separated by commas or spaces"}]},
    "private": {"type": "boolean"}, "unread": {"type": "boolean"}}}
ID = [{"name": "bookmark_id", "in": "path", "required": True, "schema": {"type": "integer"}}]
FILTERS = [{"name": n, "in": "query", "schema": {"type": "string"}}
           for n in ("q", "tag", "unread", "visibility", "domain", "broken", "sort")]
ONE = {"$ref": "#/components/schemas/Bookmark"}
SECURE = [{"bearer": []}]
CHANGE = {"security": SECURE, "parameters": ID, "requestBody": openapi.json_request(INPUT),
          "responses": {"200": openapi.json_response(ONE), **openapi.error_responses(400, 401, 404)}}
PATHS = {
    "/api/v1/bookmarks": {
        "get": {"summary": "List bookmarks", "operationId": "listBookmarks", "security": SECURE,
                "parameters": FILTERS + openapi.PAGE_PARAMS,
                "responses": {"200": openapi.json_response(openapi.page_of("#/components/schemas/Bookmark")),
                              **openapi.error_responses(401)}},
        "post": {"summary": "Save a bookmark (200 with the existing one for a known URL)",
                 "operationId": "createBookmark", "security": SECURE,
                 "requestBody": openapi.json_request(dict(INPUT, required=["url"])),
                 "responses": {"201": openapi.json_response(ONE, "Created"), "200": openapi.json_response(ONE),
                               **openapi.error_responses(400, 401, 413)}}},
    "/api/v1/bookmarks/{bookmark_id}": {
        "get": {"summary": "Read a bookmark", "operationId": "getBookmark", "security": SECURE, "parameters": ID,
                "responses": {"200": openapi.json_response(ONE), **openapi.error_responses(401, 404)}},
        "patch": dict(CHANGE, summary="Change a bookmark", operationId="updateBookmark"),
        "put": dict(CHANGE, summary="Change a bookmark (as PATCH: the fields not sent are kept)",
                    operationId="putBookmark"),
        "delete": {"summary": "Delete a bookmark", "operationId": "deleteBookmark", "security": SECURE,
                   "parameters": ID, "responses": {"204": {"description": "Deleted"},
                                                   **openapi.error_responses(401, 404)}}},
    "/api/v1/bookmarks/{bookmark_id}/retry": {"post": {
        "summary": "Fetch the page and make its thumbnail again", "operationId": "retryBookmark",
        "security": SECURE, "parameters": ID,
        "responses": {"202": openapi.json_response(ONE, "Queued"), **openapi.error_responses(401, 404)}}},
    "/api/v1/bookmarks/tags": {"get": {
        "summary": "Tags with counts", "operationId": "listBookmarkTags", "security": SECURE,
        "responses": {"200": openapi.json_response({"type": "object", "properties": {"items": {
            "type": "array", "items": {"type": "object", "properties": {
                "name": {"type": "string"}, "count": {"type": "integer"}}}}}}), **openapi.error_responses(401)}}},
}

api_bp.record_once(lambda state: openapi.register(state.app, PATHS, {"Bookmark": BOOKMARK}))
api_bp.record_once(lambda state: kit.register_hit_fields(state.app, "bookmark", hit_fields))
