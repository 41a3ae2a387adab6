"""Pages of the wiki app (being built: see its issue)."""
from flask import Blueprint, render_template

bp = Blueprint("wiki", __name__, template_folder="templates", static_folder="static")


@bp.route("/")
def index():
    """Start page of the app."""
    return render_template("wiki/index.html")
