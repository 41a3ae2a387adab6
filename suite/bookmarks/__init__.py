"""Bookmarks: save links, see a real screenshot of every page, find anything."""
from suite.bookmarks.api import api_bp
from suite.bookmarks.cli import COMMANDS
from suite.bookmarks.public import public_bp
from suite.bookmarks.views import bp
from suite.registry import AppInfo


def _count(user):
    from suite.bookmarks.bookmarks import count_text
    return count_text(user)


def _reindex():
    from suite.bookmarks.bookmarks import reindex_bookmarks
    return reindex_bookmarks()


APP = AppInfo(key="bookmarks", title="Bookmarks", endpoint="bookmarks.index", icon="🔖",
              blurb="Save links from anywhere; every bookmark gets a screenshot.",
              search_endpoint="bookmarks.index", count=_count, search_kind="bookmark",
              reindex=_reindex)
EXTRA_BLUEPRINTS = [public_bp, api_bp]

__all__ = ["APP", "COMMANDS", "EXTRA_BLUEPRINTS", "bp"]
