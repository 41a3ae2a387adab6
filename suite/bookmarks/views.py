"""Pages of the bookmarks app (being built: see its issue)."""
from flask import Blueprint, render_template

bp = Blueprint("bookmarks", __name__, template_folder="templates", static_folder="static")


@bp.route("/")
def index():
    """Start page of the app."""
    return render_template("bookmarks/index.html")
