"""Embeds between apps: ``[[paste:SLUG]]`` and ``[[bookmark:ID]]`` in wiki pages, and the like.

An app registers a renderer for its prefix; a page that shows user content calls
``render_embed(prefix, argument, viewer)``. Renderers enforce visibility themselves
and return None for items the viewer may not see, which then show as nothing.
Rendered pages are cached per revision, so embeds are stored as placeholders and
filled in per reader with ``fill_embeds``.
"""
import re

from flask import current_app, has_request_context
from markupsafe import Markup, escape

from suite import pagecache

PLACEHOLDER_RE = re.compile(r'<div class="embed" data-embed="([a-z]+):([^"<>]{1,200})"></div>')


def register_embed(app, prefix, renderer):
    """Let ``[[prefix:argument]]`` show ``renderer(argument, viewer)`` (Markup or None)."""
    app.extensions.setdefault("suite.embeds", {})[prefix] = renderer


def embed_prefixes():
    """The prefixes some app can render."""
    return set(current_app.extensions.get("suite.embeds", {}))


def placeholder(prefix, argument):
    """The HTML stored in a cached render where an embed goes."""
    return Markup('<div class="embed" data-embed="%s:%s"></div>') % (prefix, argument)


def render_embed(prefix, argument, viewer):
    """The embed's HTML for this viewer, or an empty string when hidden or unknown."""
    if has_request_context():
        pagecache.depends_on(prefix)  # the page shows this item: its changes invalidate the page
    renderer = current_app.extensions.get("suite.embeds", {}).get(prefix)
    if renderer is None:
        return Markup("")
    try:
        html = renderer(argument, viewer)
    except Exception:  # a broken embed must not break the page around it
        current_app.logger.exception("embed %s:%s failed", prefix, argument)
        html = None
    if html is None:
        return Markup('<div class="embed embed-missing">%s</div>') % escape(f"[{prefix}:{argument} not available]")
    return Markup(html)


def fill_embeds(html, viewer):
    """Replace the placeholders in cached HTML with what this viewer may see."""
    if 'data-embed="' not in html:
        return Markup(html)
    return Markup(PLACEHOLDER_RE.sub(lambda m: str(render_embed(m.group(1), m.group(2), viewer)), str(html)))
