"""Bookmarks: save links, see a real screenshot of every page, find anything."""
from suite.bookmarks.views import bp
from suite.registry import AppInfo

APP = AppInfo(key="bookmarks", title="Bookmarks", endpoint="bookmarks.index", icon="🔖",
              blurb="Save links from anywhere; every bookmark gets a screenshot.")

__all__ = ["APP", "bp"]
