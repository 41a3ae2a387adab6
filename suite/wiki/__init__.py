"""Wiki: Markdown pages with full history and edits that never overwrite each other."""
from suite.registry import AppInfo
from suite.wiki.api import api_bp
from suite.wiki.cli import COMMANDS
from suite.wiki.pages import page_count, reindex_pages
from suite.wiki.views import bp

APP = AppInfo(key="wiki", title="Wiki", endpoint="wiki.index", icon="📖",
              blurb="Markdown pages with history, backlinks and conflict-safe edits.",
              search_endpoint="wiki.search_pages", count=page_count, search_kind="wiki",
              reindex=reindex_pages)

EXTRA_BLUEPRINTS = [api_bp]

__all__ = ["APP", "COMMANDS", "EXTRA_BLUEPRINTS", "bp"]
