"""The pastes JSON API under /api/v1/pastes: create, list mine, read, raw, change, delete.

Token-only for writes and the list; reading follows the pages' rules (public and
unlisted pastes for anyone with the slug, private ones for their owner, burn
pastes deleted by their first reader). Same services as the pages and curl.
"""
from flask import Blueprint, jsonify, url_for
from flask_login import current_user

from suite.api import kit, openapi
from suite.api.kit import created, json_body, page_args, paginated, token_required
from suite.errors import InvalidInput, NotFound
from suite.pastebin import pastes
from suite.pastebin.delivery import requested_paste, requested_raw

api_bp = Blueprint("api_pastes", __name__, url_prefix="/api/v1/pastes")
FIELDS = {"content": str, "name": str, "lang": str, "title": str, "visibility": str, "expires": str,
          "files": list, "parent": str}
CHANGES = {"title": str, "visibility": str, "expires": str}


def paste_json(paste, with_content=True):
    """A paste as the API shows it."""
    files = []
    for i, f in enumerate(paste.files, 1):
        item = {"name": f.name, "lang": f.lang, "size": f.size, "lines": f.line_count,
                "raw_url": url_for("api_pastes.raw", slug=paste.slug, number=i, _external=True)}
        if with_content:
            item["content"] = f.content
        files.append(item)
    return {"slug": paste.slug, "url": url_for("pastebin.view", slug=paste.slug, _external=True),
            "title": paste.title, "visibility": paste.visibility,
            "expires_at": paste.expires_at.isoformat() + "Z" if paste.expires_at else None,
            "burn_after_reading": paste.burn_after_reading, "owner": paste.user.username if paste.user else None,
            "parent": _parent_slug(paste),
            "created_at": paste.created_at.isoformat() + "Z", "files": files}


def hit_fields(hit):
    """A paste found by the unified search, as this API reaches it: by the slug that ends its page's URL."""
    slug = hit.url.rsplit("/", 1)[-1]
    return {"slug": slug, "api_url": url_for("api_pastes.get_paste", slug=slug, _external=True)}


def _parent_slug(paste):
    """The parent's slug when the caller may be shown a link to it (as on the page), else None."""
    parent = pastes.shown_parent(paste, current_user)
    return parent.slug if parent else None


def _files(body):
    if body.get("files") is None:
        if body.get("content") is None:
            raise InvalidInput("Send content (a string) or files (a list of {name, content, lang}).",
                               code="missing_field")
        return [pastes.FileInput(body.get("name") or "", body["content"], body.get("lang") or "auto")]
    files = []
    for item in body["files"]:
        if not isinstance(item, dict) or not isinstance(item.get("content"), str) \
                or not all(isinstance(item.get(k, ""), str) for k in ("name", "lang")):
            raise InvalidInput("Each file must be an object with a string content (and optional name, lang).",
                               code="wrong_type")
        files.append(pastes.FileInput(item.get("name") or "", item["content"], item.get("lang") or "auto"))
    return files


@api_bp.route("", methods=["POST"])
@token_required
def create_paste():
    """Create a paste: 201 with it and its ``url``."""
    body = json_body(FIELDS)
    parent = _parent(body.get("parent"))
    paste = pastes.create_paste(_files(body), user=current_user, title=body.get("title") or "",
                                visibility=body.get("visibility") or "public",
                                expires=body.get("expires") or "never", parent=parent)
    return created(paste_json(paste))


def _parent(slug):
    """The paste a new one names as the one it is a new version of: one whose fork page the caller may open.

    One the caller may not see is refused as one that never was (a 404, as that
    page answers), and someone else's burn paste too, unread.
    """
    if not slug:
        return None
    try:
        return pastes.readable_without_burning(slug, current_user)
    except NotFound:
        raise pastes.ParentGone() from None


@api_bp.route("")
@token_required
def list_pastes():
    """The token user's live pastes, newest first (without contents)."""
    page, per_page = page_args()
    rows = pastes.user_pastes(current_user, page=page, per_page=per_page)
    return paginated([paste_json(p, with_content=False) for p in rows[:per_page]], page, per_page,
                     len(rows) > per_page)


@api_bp.route("/<slug>")
def get_paste(slug):
    """One paste with its files' contents."""
    return jsonify(paste_json(requested_paste(slug)))


@api_bp.route("/<slug>/raw")
@api_bp.route("/<slug>/raw/<int:number>")
def raw(slug, number=1):
    """One file's text (``text/plain; charset=utf-8``)."""
    return requested_raw(slug, number)


@api_bp.route("/<slug>", methods=["PATCH"])
@token_required
def update_paste(slug):
    """Change the title, visibility or expiry of one of the token user's pastes (as its edit page does)."""
    paste = pastes.owned_paste(slug, current_user)
    body = json_body(CHANGES)
    pastes.update_paste(paste, title=_sent(body, "title", paste.title),
                        visibility=_sent(body, "visibility", paste.visibility),
                        expires=_sent(body, "expires", "keep"), user=current_user)
    return jsonify(paste_json(paste))


def _sent(body, name, kept):
    """The field's value when the body holds it, else ``kept`` (null counts as not sent)."""
    value = body.get(name)
    return kept if value is None else value


@api_bp.route("/<slug>", methods=["DELETE"])
@token_required
def delete_paste(slug):
    """Delete one of the token user's pastes: 204."""
    pastes.delete_paste(pastes.owned_paste(slug, current_user))
    return "", 204


FILE = {"type": "object", "required": ["name", "lang", "size", "lines", "raw_url"], "properties": {
    "name": {"type": "string"}, "lang": {"type": "string"}, "size": {"type": "integer"},
    "lines": {"type": "integer"}, "raw_url": {"type": "string"}, "content": {"type": "string"}}}
PASTE = {"type": "object", "required": ["slug", "url", "title", "visibility", "files", "created_at"],
         "properties": {"slug": {"type": "string"}, "url": {"type": "string"}, "title": {"type": "string"},
                        "visibility": {"enum": ["public", "unlisted", "private"]},
                        "expires_at": {"type": ["string", "null"]}, "burn_after_reading": {"type": "boolean"},
                        "owner": {"type": ["string", "null"]}, "parent": {
                            "type": ["string", "null"], "description": "The slug of the paste this is a new "
                            "version of, when you may be shown a link to it (public, or yours)"},
                        "created_at": {"type": "string"}, "files": {"type": "array", "items": FILE}}}
INPUT = {"type": "object", "properties": {
    "content": {"type": "string"}, "name": {"type": "string"}, "lang": {"type": "string"},
    "title": {"type": "string", "maxLength": pastes.TITLE_MAX},
    "visibility": {"enum": ["public", "unlisted", "private"]}, "expires": {"enum": list(pastes.EXPIRIES)},
    "parent": {"type": "string", "description": "The slug of the paste this is a new version of (as its "
                                                "fork page makes); 404 when you may not see it, or it burns "
                                                "after reading and is not yours"},
    "files": {"type": "array", "items": {"type": "object", "required": ["content"], "properties": {
        "name": {"type": "string"}, "content": {"type": "string"}, "lang": {"type": "string"}}}}}}
CHANGE = {"type": "object", "properties": {
    "title": {"type": "string", "maxLength": pastes.TITLE_MAX},
    "visibility": {"enum": ["public", "unlisted", "private"]},
    "expires": {"enum": ["keep", *pastes.EXPIRIES],
                "description": "From now on; keep (the default) leaves the expiry as it is. "
                               "A private paste cannot burn after reading."}},
    "description": "The fields to change; those not sent are kept."}
SLUG = [{"name": "slug", "in": "path", "required": True, "schema": {"type": "string"}}]
ONE = {"$ref": "#/components/schemas/Paste"}
SECURE = [{"bearer": []}]
TEXT = {"description": "The file's text", "content": {"text/plain": {"schema": {"type": "string"}}}}
PATHS = {
    "/api/v1/pastes": {
        "get": {"summary": "List my pastes", "operationId": "listPastes", "security": SECURE,
                "parameters": openapi.PAGE_PARAMS,
                "responses": {"200": openapi.json_response(openapi.page_of("#/components/schemas/Paste")),
                              **openapi.error_responses(401)}},
        "post": {"summary": "Create a paste", "operationId": "createPaste", "security": SECURE,
                 "requestBody": openapi.json_request(INPUT),
                 "responses": {"201": openapi.json_response(ONE, "Created"),
                               **openapi.error_responses(400, 401, 404, 413)}}},
    "/api/v1/pastes/{slug}": {
        "get": {"summary": "Read a paste (burns a burn-after-reading paste)", "operationId": "getPaste",
                "parameters": SLUG, "responses": {"200": openapi.json_response(ONE), **openapi.error_responses(404)}},
        "patch": {"summary": "Change a paste's title, visibility or expiry", "operationId": "updatePaste",
                  "security": SECURE, "parameters": SLUG, "requestBody": openapi.json_request(CHANGE),
                  "responses": {"200": openapi.json_response(ONE), **openapi.error_responses(400, 401, 404)}},
        "delete": {"summary": "Delete a paste", "operationId": "deletePaste", "security": SECURE,
                   "parameters": SLUG, "responses": {"204": {"description": "Deleted"},
                                                     **openapi.error_responses(401, 404)}}},
    "/api/v1/pastes/{slug}/raw": {"get": {
        "summary": "The first file's text", "operationId": "getPasteRaw", "parameters": SLUG,
        "responses": {"200": TEXT, **openapi.error_responses(404)}}},
    "/api/v1/pastes/{slug}/raw/{number}": {"get": {
        "summary": "The text of one file of a paste (1 is the first)", "operationId": "getPasteFileRaw",
        "parameters": SLUG + [{"name": "number", "in": "path", "required": True,
                               "schema": {"type": "integer", "minimum": 0, "maximum": 2099999999}}],
        "responses": {"200": TEXT, **openapi.error_responses(404)}}},
}

api_bp.record_once(lambda state: openapi.register(state.app, PATHS, {"Paste": PASTE}))
api_bp.record_once(lambda state: kit.register_hit_fields(state.app, "paste", hit_fields))
