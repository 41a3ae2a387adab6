"""The wiki's JSON API: list pages, read one, save with ``base_revision`` (409 on conflict), history.

The same domain functions as the web pages: a stale save is merged when it can
be, and answered 409 with the current revision when it cannot.
"""
import re

from flask import Blueprint, jsonify, request, url_for
from flask_login import current_user

from suite.api import kit, openapi
from suite.api.kit import json_body, page_args, paginated, token_required
from suite.requestargs import whole_number
from suite.wiki import links, pages, watchlist
from suite.wiki.permissions import require_read
from suite.wiki.titles import clean_title, url_title

SECTION_EDIT_RE = re.compile(r'<a class="section-edit"[^>]*>edit</a>')  # the pages' own link, not the API's
api_bp = Blueprint("api_wiki", __name__, url_prefix="/api/v1/wiki")


@api_bp.before_request
def check_read_access():
    """``SUITE_WIKI_READ=users``: a token is needed to read too."""
    require_read(current_user)


def page_json(page, revision, with_content=True, targets=None):
    """A page and its current revision as JSON (``targets``: the titles of redirect targets, by key)."""
    if targets is None:
        targets = pages.titles_of([page.redirect_to])
    data = {"id": page.id, "title": page.title, "url": links.page_path(page.title), "revision": page.version,
            "updated_at": page.updated_at.isoformat() + "Z", "protected": page.protected,
            "redirect_to": targets.get(page.redirect_to, page.redirect_to)}
    if with_content:
        links.give_render(page, revision)
        data.update(revision=revision.number, content=revision.content, html=SECTION_EDIT_RE.sub("", revision.html),
                    author=_author(revision), message=revision.message)
    return data


def hit_fields(hit):
    """A page found by the unified search, as this API reaches it (by its title)."""
    return {"api_url": url_for("api_wiki.get_page", title=url_title(hit.title), _external=True)}


def _author(revision):
    return revision.author.username if revision.author_id else None


@api_bp.route("")
def list_pages():
    """Live pages by title."""
    page, per_page = page_args()
    rows = list(pages.all_pages(page, per_page))
    targets = pages.titles_of(p.redirect_to for p in rows[:per_page])
    return paginated([page_json(p, None, with_content=False, targets=targets) for p in rows[:per_page]], page,
                     per_page, len(rows) > per_page)


@api_bp.route("/<path:title>")
def get_page(title):
    """One page with its source and rendered HTML (``?rev=N``: that revision's, a deleted page's too)."""
    page, revision = pages.page_at(clean_title(title), whole_number("rev"))
    return jsonify(page_json(page, revision))


@api_bp.route("/<path:title>", methods=["PUT"])
@token_required
def put_page(title):
    """Create or edit a page; ``base_revision`` is the revision the edit started from (0 for new).

    ``page_id`` (optional, the ``id`` of the page read) keeps the edit with that page when it was
    renamed meanwhile; without it, a base on a title that a rename left behind is refused (409).
    ``base_sha256`` (optional, the base revision's ``sha256`` from the history) must match it.
    """
    body = json_body({"content": str, "base_revision": int, "message": str, "page_id": int, "base_sha256": str,
                      "minor": bool}, required=("content", "base_revision"))
    try:
        result = pages.save_page(clean_title(title), body["content"], body["base_revision"], current_user,
                                 body.get("message") or "", page_id=body.get("page_id"),
                                 base_hash=body.get("base_sha256"), minor=bool(body.get("minor")))
    except pages.EditConflict as err:
        resp = jsonify(error={"code": "conflict", "message": err.message},
                       current={"id": err.current.page_id, "revision": err.current.number,
                                "content": err.current.content, "author": _author(err.current)},
                       moved_to=err.moved_to, merged=err.merged)
        resp.status_code = 409
        return resp
    if result.changed:  # pages you edit go on your watchlist, as on the pages
        watchlist.watch(current_user, result.page)
    data = page_json(result.page, result.revision)
    data.update(changed=result.changed, merged_with=result.merged_with or [], moved_from=result.moved_from)
    resp = jsonify(data)
    resp.status_code = 201 if result.revision.number == 1 and result.changed else 200
    return resp


@api_bp.route("/<path:title>", methods=["DELETE"])
@token_required
def delete_page(title):
    """Delete a page (its history is kept; ``POST …/restore`` brings it back): 204. Admins and its author."""
    body = json_body({"message": str}) if request.get_data() else {}
    pages.delete_page(clean_title(title), current_user, body.get("message") or "")
    return "", 204


@api_bp.route("/<path:title>/restore", methods=["POST"])
@token_required
def restore_page(title):
    """Bring a deleted page back with its last text: the page."""
    page = pages.restore_page(clean_title(title), current_user)
    return jsonify(page_json(*pages.get_page(page.title)))


@api_bp.route("/<path:title>/move", methods=["POST"])
@token_required
def move_page(title):
    """Rename a page, as the rename form does: a redirect stays at the old title; ``rewrite_links`` points
    the links to it at the new one and ``subpages`` moves its subpages along. The moved page, with
    ``links_updated``: the titles of the pages whose links were changed."""
    body = json_body({"to": str, "message": str, "rewrite_links": bool, "subpages": bool}, required=("to",))
    moved, changed = pages.rename_page(clean_title(title), body["to"], current_user,
                                       rewrite=bool(body.get("rewrite_links")), message=body.get("message") or "",
                                       subpages=bool(body.get("subpages")))
    data = page_json(*pages.get_page(moved.title))
    data.update(links_updated=changed)
    return jsonify(data)


@api_bp.route("/<path:title>/history")
def page_history(title):
    """Revisions of a page, newest first."""
    page, _ = pages.get_page(clean_title(title), deleted=True)
    number, per_page = page_args()
    rows = list(pages.history(page, number, per_page))
    items = [{"revision": r.number, "kind": r.kind, "author": _author(r), "message": r.message,
              "created_at": r.created_at.isoformat() + "Z", "sha256": r.content_hash} for r in rows[:per_page]]
    return paginated(items, number, per_page, len(rows) > per_page)


PAGE = {"type": "object", "required": ["id", "title", "url", "revision", "updated_at"], "properties": {
    "id": {"type": "integer"}, "title": {"type": "string"}, "url": {"type": "string"}, "revision": {"type": "integer"},
    "updated_at": {"type": "string"}, "protected": {"type": "boolean"},
    "redirect_to": {"type": ["string", "null"]}, "content": {"type": "string"}, "html": {"type": "string"},
    "author": {"type": ["string", "null"]}, "message": {"type": "string"},
    "changed": {"type": "boolean"}, "merged_with": {"type": "array", "items": {"type": "string"}},
    "moved_from": {"type": ["string", "null"]}}}
REVISION = {"type": "object", "properties": {
    "revision": {"type": "integer"}, "kind": {"type": "string"}, "author": {"type": ["string", "null"]},
    "message": {"type": "string"}, "created_at": {"type": "string"}, "sha256": {"type": "string"}}}
TITLE = [{"name": "title", "in": "path", "required": True, "schema": {"type": "string", "maxLength": 200}}]
PATHS = {
    "/api/v1/wiki": {"get": {
        "summary": "List wiki pages", "operationId": "listWikiPages", "parameters": openapi.PAGE_PARAMS,
        "responses": {"200": openapi.json_response(openapi.page_of("#/components/schemas/WikiPage")),
                      **openapi.error_responses(401)}}},
    "/api/v1/wiki/{title}": {
        "get": {"summary": "Read a wiki page (or one of its revisions)", "operationId": "getWikiPage",
                "parameters": TITLE + [{"name": "rev", "in": "query", "required": False,
                                        "schema": {"type": "integer", "minimum": 1}}],
                "responses": {"200": openapi.json_response({"$ref": "#/components/schemas/WikiPage"}),
                              **openapi.error_responses(400, 401, 404)}},
        "put": {"summary": "Create or edit a wiki page (409 when the edit conflicts)",
                "operationId": "putWikiPage", "parameters": TITLE, "security": [{"bearer": []}],
                "requestBody": openapi.json_request({"type": "object", "required": ["content", "base_revision"],
                                                     "properties": {"content": {"type": "string"},
                                                                    "base_revision": {"type": "integer"},
                                                                    "page_id": {"type": "integer"},
                                                                    "base_sha256": {"type": "string"},
                                                                    "minor": {"type": "boolean"},
                                                                    "message": {"type": "string"}}}),
                "responses": {"200": openapi.json_response({"$ref": "#/components/schemas/WikiPage"}),
                              "201": openapi.json_response({"$ref": "#/components/schemas/WikiPage"}, "Created"),
                              **openapi.error_responses(400, 401, 403, 409, 413)}},
        "delete": {"summary": "Delete a wiki page (restorable)", "operationId": "deleteWikiPage", "parameters": TITLE,
                   "security": [{"bearer": []}],
                   "requestBody": openapi.json_request({"type": "object", "properties": {"message": {"type": "string"}}},
                                                       required=False),
                   "responses": {"204": {"description": "Deleted"}, **openapi.error_responses(400, 401, 403, 404, 409)}}},
    "/api/v1/wiki/{title}/restore": {"post": {
        "summary": "Restore a deleted wiki page", "operationId": "restoreWikiPage", "parameters": TITLE,
        "security": [{"bearer": []}],
        "responses": {"200": openapi.json_response({"$ref": "#/components/schemas/WikiPage"}),
                      **openapi.error_responses(400, 401, 403, 404, 409)}}},
    "/api/v1/wiki/{title}/move": {"post": {
        "summary": "Rename a wiki page (a redirect stays; links and subpages can follow)",
        "operationId": "moveWikiPage", "parameters": TITLE, "security": [{"bearer": []}],
        "requestBody": openapi.json_request({"type": "object", "required": ["to"],
                                             "properties": {"to": {"type": "string"}, "message": {"type": "string"},
                                                            "rewrite_links": {"type": "boolean"},
                                                            "subpages": {"type": "boolean"}}}),
        "responses": {"200": openapi.json_response({"allOf": [
            {"$ref": "#/components/schemas/WikiPage"},
            {"type": "object", "properties": {"links_updated": {"type": "array", "items": {"type": "string"}}}}]}),
                      **openapi.error_responses(400, 401, 403, 404, 409)}}},
    "/api/v1/wiki/{title}/history": {"get": {
        "summary": "Revisions of a wiki page", "operationId": "getWikiHistory",
        "parameters": TITLE + openapi.PAGE_PARAMS,
        "responses": {"200": openapi.json_response(openapi.page_of("#/components/schemas/WikiRevision")),
                      **openapi.error_responses(401, 404)}}},
}

api_bp.record_once(lambda state: openapi.register(state.app, PATHS,
                                                  {"WikiPage": PAGE, "WikiRevision": REVISION}))
api_bp.record_once(lambda state: kit.register_hit_fields(state.app, "wiki", hit_fields))
