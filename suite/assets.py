"""Static files under URLs that name their content, kept by browsers for a year.

Every ``url_for`` of a static endpoint (the suite's and each app's) gets ``v=`` the
first 12 hex digits of the file's SHA-256. An answer to such a URL may be kept for
a year without asking again (``immutable``): a changed file has another URL. Without
``v``, or with one that is not the file's, the answer says ``no-cache`` as before, so
an old page never pins a stale file. Before, every page view revalidated each
stylesheet, script and icon: one more request to the app per asset per page.
"""
import hashlib
import os

from flask import current_app, request

YEAR = 365 * 24 * 3600
_versions = {}  # path -> (mtime_ns, size, version)


def _folder(endpoint):
    if endpoint == "static":
        return current_app.static_folder
    blueprint = current_app.blueprints.get(endpoint.rsplit(".", 1)[0])
    return blueprint.static_folder if blueprint is not None else None


def file_version(path):
    """The version of the file at ``path`` (a hash of its content), or None when it does not exist."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    known = _versions.get(path)
    if known is not None and known[:2] == (st.st_mtime_ns, st.st_size):
        return known[2]
    with open(path, "rb") as f:
        version = hashlib.sha256(f.read()).hexdigest()[:12]
    _versions[path] = (st.st_mtime_ns, st.st_size, version)
    return version


def _static_path(endpoint, filename):
    folder = _folder(endpoint)
    if not folder or not filename:
        return None
    path = os.path.normpath(os.path.join(folder, filename))
    return path if path.startswith(os.path.normpath(folder) + os.sep) else None


def add_version(endpoint, values):
    """url_defaults: static URLs carry the version of their file."""
    if endpoint and (endpoint == "static" or endpoint.endswith(".static")) and "v" not in values:
        path = _static_path(endpoint, values.get("filename"))
        version = file_version(path) if path else None
        if version:
            values["v"] = version


def keep_versioned(response):
    """after_request: a static file asked for under its current version may be kept for a year."""
    endpoint = request.endpoint or ""
    wanted = request.args.get("v")
    if wanted and (endpoint == "static" or endpoint.endswith(".static")) and response.status_code in (200, 304):
        path = _static_path(endpoint, (request.view_args or {}).get("filename"))
        if path and file_version(path) == wanted:
            response.cache_control.no_cache = None
            response.cache_control.public = True
            response.cache_control.max_age = YEAR
            response.cache_control.immutable = True
    return response


def init_app(app):
    """Version static URLs and let browsers keep versioned files."""
    app.url_defaults(add_version)
    app.after_request(keep_versioned)
