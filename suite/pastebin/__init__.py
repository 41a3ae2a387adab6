"""Pastebin: syntax-highlighted pastes from the browser and from curl."""
from suite.pastebin.views import bp
from suite.registry import AppInfo

APP = AppInfo(key="pastebin", title="Pastes", endpoint="pastebin.index", icon="📋",
              blurb="Share code with syntax highlighting, from the browser or curl.")

__all__ = ["APP", "bp"]
