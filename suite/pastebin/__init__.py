"""Pastebin: syntax-highlighted pastes from the browser and from curl."""
from suite.pastebin.api import api_bp
from suite.pastebin.pastes import drop_unused_highlights, reindex_pastes
from suite.pastebin.views import bp
from suite.registry import AppInfo


def count(user):
    """Home page line: how many pastes the user has."""
    from suite.pastebin.pastes import user_paste_count
    n = user_paste_count(user)
    return f"{n} paste{'s' if n != 1 else ''}"


APP = AppInfo(key="pastebin", title="Pastes", endpoint="pastebin.index", icon="📋",
              blurb="Share code with syntax highlighting, from the browser or curl.",
              search_endpoint="pastebin.mine", count=count, search_kind="paste",
              reindex=reindex_pastes, forget_owner=lambda _user_id: drop_unused_highlights())

EXTRA_BLUEPRINTS = [api_bp]

__all__ = ["APP", "EXTRA_BLUEPRINTS", "bp"]
