"""The OpenAPI 3.1 document of ``/api/v1``, assembled from what each part registers."""
from flask import current_app

ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"],
    "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}}


def error_responses(*codes):
    """Standard JSON error responses for the given status codes."""
    text = {400: "Invalid request", 401: "Token missing or invalid", 403: "Forbidden", 404: "Not found",
            409: "Conflict", 413: "Body too large", 429: "Rate limited"}
    return {str(c): {"description": text[c], "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Error"}}}} for c in codes}


def json_response(schema, description="OK"):
    """A JSON response object."""
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def json_request(schema, required=True):
    """A JSON request body object; unknown top-level fields are refused, as ``json_body`` does."""
    schema = dict(schema, additionalProperties=False)
    return {"required": required, "content": {"application/json": {"schema": schema}}}


def page_of(ref):
    """Schema of a paginated list of ``ref`` items."""
    return {"type": "object", "required": ["items", "page", "per_page", "next"], "properties": {
        "items": {"type": "array", "items": {"$ref": ref}},
        "page": {"type": "integer"}, "per_page": {"type": "integer"},
        "next": {"type": ["string", "null"]}}}


PAGE_PARAMS = [
    {"name": "page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100000}},
    {"name": "per_page", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 100}},
]


def register(app, paths, schemas=None):
    """Add an app's paths and component schemas to the document."""
    spec = app.extensions.setdefault("suite.openapi", {"paths": {}, "schemas": {"Error": ERROR}})
    spec["paths"].update(paths)
    spec["schemas"].update(schemas or {})


def _with_common_errors(paths):
    """Every operation can meet a bad parameter (400), a bad token (401) and the rate limit
    (429); every one with path parameters can meet a missing item (404)."""
    common = error_responses(400, 401, 429)
    out = {}
    for path, ops in paths.items():
        out[path] = {}
        for method, op in ops.items():
            responses = dict(common)
            if "{" in path:
                responses.update(error_responses(404))
            responses.update(op.get("responses", {}))
            out[path][method] = dict(op, responses=responses)
    return out


def document():
    """The whole OpenAPI document."""
    spec = current_app.extensions.get("suite.openapi", {"paths": {}, "schemas": {"Error": ERROR}})
    return {
        "openapi": "3.1.0",
        "info": {"title": "suite API", "version": "1",
                 "description": "Bookmarks, pastes and wiki pages. Authenticate with "
                                "`Authorization: Bearer <token>` (Account & tokens page)."},
        "servers": [{"url": "/"}],
        "components": {"schemas": spec["schemas"],
                       "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}, {}],
        "paths": _with_common_errors(dict(sorted(spec["paths"].items()))),
    }
