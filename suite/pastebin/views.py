"""Pages of the pastebin app (being built: see its issue)."""
from flask import Blueprint, render_template

bp = Blueprint("pastebin", __name__, template_folder="templates", static_folder="static")


@bp.route("/")
def index():
    """Start page of the app."""
    return render_template("pastebin/index.html")
