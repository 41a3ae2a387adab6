"""The suite-wide API endpoints: the current user, unified search, the OpenAPI document."""
from flask import Blueprint, jsonify, request
from flask_login import current_user

from suite import search
from suite.api import openapi
from suite.api.kit import hit_fields, page_args, paginated, token_required
from suite.errors import InvalidInput

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def user_json(user):
    """Public fields of a user."""
    return {"id": user.id, "username": user.username, "is_admin": user.is_admin,
            "created_at": user.created_at.isoformat() + "Z"}


def hit_json(hit):
    """One search result as JSON, in rank order.

    No score: bm25's statistics count every document, private ones too, so a score would tell a
    reader whether someone's hidden items contain a word.
    """
    return {"kind": hit.kind, "id": hit.item_id, "title": hit.title, "url": hit.url,
            "snippet_html": str(hit.snippet), "visibility": hit.visibility,
            "lang": hit.lang, "tags": hit.tags,
            "updated_at": hit.updated_at.isoformat() + "Z" if hit.updated_at else None, **hit_fields(hit)}


@bp.route("/me")
@token_required
def me():
    """The user the token belongs to."""
    return jsonify(user_json(current_user))


@bp.route("/search")
def search_items():
    """Unified search; anonymous callers see public items only."""
    from suite.core import readable_kinds
    text = request.args.get("q", "")
    page, per_page = page_args()
    results = search.query(text, user=current_user, kinds=readable_kinds(), page=page, per_page=per_page)
    if results.error and text.strip():
        raise InvalidInput(results.error, code="bad_query")
    return paginated([hit_json(h) for h in results.hits], page, per_page, results.has_next)


@bp.route("/openapi.json")
def openapi_document():
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi.document())


USER = {"type": "object", "required": ["id", "username", "is_admin", "created_at"], "properties": {
    "id": {"type": "integer"}, "username": {"type": "string"}, "is_admin": {"type": "boolean"},
    "created_at": {"type": "string"}}}
HIT = {"type": "object", "required": ["kind", "id", "title", "url", "snippet_html", "visibility", "api_url"],
       "properties": {"kind": {"enum": ["bookmark", "paste", "wiki"]},
                      "id": {"type": "string", "description": "The item's id in its app (a paste's is internal: "
                             "its API takes the slug); api_url reaches any kind"},
                      "api_url": {"type": "string", "description": "The item in its app's API: "
                                  "/api/v1/bookmarks/{id}, /api/v1/pastes/{slug} or /api/v1/wiki/{title}"},
                      "slug": {"type": "string", "description": "A paste's slug (pastes only)"},
                      "title": {"type": "string"},
                      "url": {"type": "string", "description": "The item's page (a bookmark's: the page saved)"},
                      "snippet_html": {"type": "string"},
                      "visibility": {"enum": ["public", "unlisted", "private"]},
                      "lang": {"type": "string"}, "tags": {"type": "array", "items": {"type": "string"}},
                      "updated_at": {"type": ["string", "null"]}}}

PATHS = {
    "/api/v1/me": {"get": {
        "summary": "The current user", "operationId": "getMe", "security": [{"bearer": []}],
        "responses": {"200": openapi.json_response({"$ref": "#/components/schemas/User"}),
                      **openapi.error_responses(401)}}},
    "/api/v1/search": {"get": {
        "summary": "Search bookmarks, pastes and wiki pages", "operationId": "search",
        "parameters": [{"name": "q", "in": "query", "required": True,
                        "schema": {"type": "string", "maxLength": 10000}}] + openapi.PAGE_PARAMS,
        "responses": {"200": openapi.json_response(openapi.page_of("#/components/schemas/SearchHit")),
                      **openapi.error_responses(400, 401)}}},
    "/api/v1/openapi.json": {"get": {
        "summary": "This document", "operationId": "getOpenapi", "security": [],
        "responses": {"200": openapi.json_response({"type": "object"})}}},
}


def init_app(app):
    """Register the API blueprint and its part of the OpenAPI document."""
    app.register_blueprint(bp)
    openapi.register(app, PATHS, {"User": USER, "SearchHit": HIT})
