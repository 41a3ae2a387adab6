"""``[[bookmark:ID]]`` in other apps' pages: a small card of a bookmark the reader may see."""
from flask import render_template

from suite.bookmarks.models import Bookmark


def render_bookmark_embed(argument, viewer):
    """The card's HTML, or None when the bookmark does not exist or is private to someone else."""
    try:
        bookmark = Bookmark.get_or_none(Bookmark.id == int(argument))
    except ValueError:
        return None
    if bookmark is None:
        return None
    own = getattr(viewer, "is_authenticated", False) and viewer.id == bookmark.owner_id
    if bookmark.is_private and not own:
        return None
    return render_template("bookmarks/_embed.html", b=bookmark)


def init_app(app):
    """Register the ``bookmark`` embed."""
    from suite.embeds import register_embed
    register_embed(app, "bookmark", render_bookmark_embed)
