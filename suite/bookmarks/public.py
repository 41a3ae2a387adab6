"""Public pages outside /bookmarks: a user's public bookmarks and Atom feeds (per user, per tag)."""

from flask import Blueprint, Response, render_template, request, url_for

from suite.auth.models import User
from suite.bookmarks import bookmarks as svc
from suite.bookmarks.models import Bookmark, BookmarkTag, Tag
from suite.database import one_page
from suite.errors import NotFound
from suite.requestargs import page_number

public_bp = Blueprint("bookmarks_public", __name__, template_folder="templates")
PER_PAGE = 30
FEED_SIZE = 50


def _user(name):
    user = User.by_name(name)
    if user is None:
        raise NotFound("No such user.")
    return user


def public_bookmarks(user, tag=None):
    """A user's public bookmarks, newest first (optionally with one tag)."""
    query = Bookmark.select().where(Bookmark.owner == user.id, Bookmark.is_private == False)  # noqa: E712
    if tag:
        tagged = BookmarkTag.select(BookmarkTag.bookmark).join(Tag).where(Tag.owner == user.id, Tag.name == tag)
        query = query.where(Bookmark.id.in_(tagged))
    return query.order_by(Bookmark.created_at.desc(), Bookmark.id.desc())


@public_bp.route("/u/<name>/bookmarks")
def user_bookmarks(name):
    """Anyone may read a user's public bookmarks."""
    user = _user(name)
    tag = request.args.get("tag", "").strip().lower() or None
    page = page_number()
    rows = svc._with_tags(one_page(public_bookmarks(user, tag), page, PER_PAGE))
    return render_template("bookmarks/public.html", owner=user, bookmarks=rows[:PER_PAGE], page=page,
                           has_next=len(rows) > PER_PAGE, tag=tag, tags=svc.tag_counts(user, public_only=True))


def _feed(user, tag=None):
    rows = svc._with_tags(public_bookmarks(user, tag).limit(FEED_SIZE))
    home = url_for(".user_bookmarks", name=user.username, tag=tag, _external=True)
    xml = render_template("bookmarks/feed.xml", owner=user, bookmarks=rows, tag=tag, home=home,
                          self_url=request.url, updated=max((r.updated_at for r in rows), default=user.created_at))
    return Response(xml, mimetype="application/atom+xml")


@public_bp.route("/u/<name>/bookmarks.atom")
def user_feed(name):
    """Atom feed of a user's public bookmarks."""
    return _feed(_user(name))


@public_bp.route("/u/<name>/bookmarks/tag/<tag>.atom")
def tag_feed(name, tag):
    """Atom feed of a user's public bookmarks with one tag."""
    return _feed(_user(name), tag.strip().lower())
