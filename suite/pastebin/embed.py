"""``[[paste:SLUG]]`` in other apps' pages: the paste's stored highlighting in a small scroll box."""
from flask import render_template
from markupsafe import Markup

from suite import pagecache
from suite.errors import NotFound
from suite.pastebin import pastes
from suite.pastebin.highlight import ANCHOR


def render_paste_embed(argument, viewer):
    """The embed's HTML, or None for pastes the viewer may not see (private, burn, expired, gone)."""
    try:
        paste = pastes.visible_paste(argument.strip(), viewer)
    except NotFound:
        return None
    if paste.burn_after_reading:
        return None  # showing it inside another page would burn or leak it
    if paste.expires_at is not None:
        # Expiry is no write, so no generation moves when it comes: the host page is kept
        # no longer than the paste lives, or its cached copy would go on showing it.
        pagecache.keep_at_most(pastes.seconds_left(paste))
    files = pastes.stored_views(paste)
    for fv in files:  # ids unique inside the host page
        fv.html = Markup(fv.html.replace(ANCHOR, f"p-{paste.slug}-{fv.position + 1}-"))
    return render_template("pastebin/_embed.html", paste=paste, files=files)


def init_app(app):
    """Register the ``paste`` embed."""
    from suite.embeds import register_embed
    register_embed(app, "paste", render_paste_embed)
