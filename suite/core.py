"""Pages of the shared layer: dashboard, unified search, profiles and following, health."""
from urllib.parse import quote

from flask import (
    Blueprint,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from suite import pagecache, search
from suite.auth import follows, login_required
from suite.auth.models import User
from suite.errors import NotFound
from suite.extensions import db
from suite.registry import suite_apps
from suite.requestargs import page_number, url_with

bp = Blueprint("core", __name__)
KIND_TITLES = {"bookmark": "Bookmark", "paste": "Paste", "wiki": "Wiki page"}


@bp.route("/")
def home():
    """Dashboard: your recent items, followed people's public items, quick-add forms, counts."""
    _keep_until_items_or_follows_change()
    if not current_user.is_authenticated:
        return render_template("home.html", public=search.recent(viewer=None, kinds=readable_kinds(), limit=15))
    mine = search.recent(viewer=current_user, owner_ids=[current_user.id], limit=12)
    wiki = search.recent(viewer=current_user, kinds=["wiki"], limit=6)
    followed = follows.followed_ids(current_user)
    feed = search.recent(viewer=current_user, owner_ids=followed, public_only=True, limit=12) if followed else []
    return render_template("home.html", mine=mine, wiki=wiki, feed=feed)


@bp.route("/search")
def search_page():
    """Unified search over bookmarks, pastes and wiki pages the visitor may see."""
    text = request.args.get("q", "")
    kinds = readable_kinds()
    results = search.query(text, user=current_user, kinds=kinds, page=page_number(maximum=1000))
    search.cache_page(results, kinds)
    return render_template("search.html", q=text, results=results, kind_titles=KIND_TITLES)


def readable_kinds():
    """The kinds of item this visitor may search (the wiki may be closed to anonymous readers)."""
    kinds = list(search.KINDS)
    if current_app.config["WIKI_READ"] == "users" and not current_user.is_authenticated:
        kinds.remove("wiki")
    return kinds


def _profile_user(name):
    user = User.by_name(name)
    if user is None:
        raise NotFound(f"There is no user named “{name}”.")
    return user


@bp.route("/u/<name>")
def profile(name):
    """A user's public items with follower and following counts."""
    user = _profile_user(name)
    _keep_until_items_or_follows_change()
    items = search.recent(viewer=None, owner_ids=[user.id], public_only=True, limit=30)
    followers, following = follows.counts(user)
    return render_template("profile.html", person=user, items=items, followers=followers,
                           following=following, is_following=follows.is_following(current_user, user),
                           kind_titles=KIND_TITLES)


def _keep_until_items_or_follows_change():
    """Let the page cache keep this page (per session when signed in) until any item or follow changes."""
    personal = bool(current_user.is_authenticated)
    for kind in search.KINDS:
        pagecache.cache_this(kind, personal=personal)
    pagecache.depends_on("follow")


@bp.route("/u/<name>/follow", methods=["POST"])
@login_required
def follow(name):
    """Follow a user; their public items appear on your dashboard."""
    user = _profile_user(name)
    follows.follow(current_user, user)
    flash(f"You follow {user.username} now.", "success")
    return redirect(url_for("core.profile", name=user.username))


@bp.route("/u/<name>/unfollow", methods=["POST"])
@login_required
def unfollow(name):
    """Stop following a user."""
    user = _profile_user(name)
    follows.unfollow(current_user, user)
    flash(f"You no longer follow {user.username}.", "info")
    return redirect(url_for("core.profile", name=user.username))


@bp.route("/new-page")
def new_wiki_page():
    """The dashboard's "new wiki page" box: go to that page's editor."""
    title = " ".join(request.args.get("title", "").split())[:200] or "Home"
    return redirect("/wiki/" + quote(title.replace(" ", "_")) + "/edit")


@bp.route("/healthz")
def healthz():
    """Liveness and database check for load balancers and scripts."""
    db.execute_sql("SELECT 1")
    return jsonify(status="ok")


def search_url():
    """Where the header's search box sends its query: the unified search."""
    return url_for("core.search_page")


def page_url(page):
    """The current URL with ``page`` replaced: pagination links keep every filter."""
    return url_with(page=page)


def app_count(entry, user):
    """The home page's figure of one app for ``user``, recounted only when that app's content changed."""
    kinds = (entry.search_kind,) if entry.search_kind else ()
    return pagecache.remember(kinds, ("count", entry.key, user.get_id()), lambda: entry.count(user))


def init_app(app):
    """Register the core pages and the template helpers."""
    app.register_blueprint(bp)
    pagecache.init_app(app)
    app.jinja_env.globals.update(suite_apps=suite_apps, search_url=search_url, page_url=page_url,
                                 url_with=url_with, app_count=app_count)
