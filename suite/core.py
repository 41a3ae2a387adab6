"""Pages of the shared layer itself: the start page and a health check; template helpers."""
from flask import Blueprint, current_app, jsonify, render_template, request, url_for

from suite.extensions import db
from suite.registry import suite_apps

bp = Blueprint("core", __name__)


@bp.route("/")
def home():
    """Start page: the three apps."""
    return render_template("home.html")


@bp.route("/healthz")
def healthz():
    """Liveness and database check for load balancers and `make run` scripts."""
    db.execute_sql("SELECT 1")
    return jsonify(status="ok")


def search_url():
    """Where the header's search box sends its query: the site search, else this app's own."""
    if "core.search" in current_app.view_functions:
        return url_for("core.search")
    for entry in suite_apps():
        if entry.search_endpoint and entry.key == request.blueprint:
            return url_for(entry.search_endpoint)
    first = next((e for e in suite_apps() if e.search_endpoint), None)
    return url_for(first.search_endpoint) if first else url_for("core.home")


def page_url(page):
    """The current URL with ``page`` replaced: pagination links keep every filter."""
    args = request.args.to_dict(flat=False)
    args["page"] = page
    return url_for(request.endpoint, **(request.view_args or {}), **args)


def init_app(app):
    """Register the core pages and the template helpers."""
    app.register_blueprint(bp)
    app.jinja_env.globals.update(suite_apps=suite_apps, search_url=search_url, page_url=page_url)
