"""What the apps tell the shared layer about themselves: nav entries, counts, search.

Cross-app pages (navigation, home, later search and the dashboard) read these
entries instead of importing another app's internals.
"""
from dataclasses import dataclass
from typing import Callable, Optional

from flask import current_app


@dataclass(frozen=True)
class AppInfo:
    """One app of the suite as the shared layout shows it."""

    key: str                      # the blueprint name
    title: str
    endpoint: str                 # its start page
    icon: str
    blurb: str
    search_endpoint: Optional[str] = None   # where the header search box goes inside this app
    count: Optional[Callable] = None        # count(user) -> short text for the home page
    search_kind: Optional[str] = None       # its kind in the unified search index
    reindex: Optional[Callable] = None      # reindex() -> (how many, iterator indexing one item per step)
    forget_owner: Optional[Callable] = None  # forget_owner(user_id): what a deleted account's rows leave behind


def register_app(app, blueprint, info, url_prefix):
    """Mount an app's blueprint and list it in the navigation."""
    app.register_blueprint(blueprint, url_prefix=url_prefix)
    app.extensions.setdefault("suite.apps", []).append(info)


def suite_apps():
    """The registered apps, in navigation order."""
    return current_app.extensions.get("suite.apps", [])
