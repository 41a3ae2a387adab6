"""Wikilinks in the database: page URLs, the links table, cached renders and their invalidation.

A page view never renders: each revision keeps its sanitized HTML. When a page
appears or disappears (create, rename, delete, restore), only the pages whose
links point at its key lose their cached HTML, found through the links table.
"""
import re
from urllib.parse import quote

from flask import current_app, has_app_context

from suite import embeds
from suite.errors import InvalidInput
from suite.wiki.markup import WIKILINK_RE, linked_targets, plain_page, render_page, renderer_version
from suite.wiki.models import Link, Page, Revision
from suite.wiki.titles import link_title, title_key, url_title
from suite.workers import WorkerPool, WorkFailed, WorkTimeout

PREFIX = "/wiki/"
EMBED_ARGUMENT_RE = re.compile(r"^[\w.-]{1,200}$")


def page_path(title):
    """The URL path of a page (readable: spaces as underscores)."""
    return PREFIX + quote(url_title(title), safe="/")


def resolve_title(title):
    """``(href, exists)`` for a wikilink: existing pages link to themselves, missing ones to creation."""
    exists = (Page.select(Page.id)
              .where((Page.key == title_key(title)) & (Page.deleted == False))  # noqa: E712
              .exists())
    return (page_path(title), True) if exists else (page_path(title) + "/edit", False)


def embed_placeholder(prefix, argument):
    """``[[paste:x]]``-style embeds: a placeholder when some app renders ``prefix``, else None."""
    if prefix in embeds.embed_prefixes() and EMBED_ARGUMENT_RE.match(argument):
        return str(embeds.placeholder(prefix, argument))
    return None


def render_source(page_title, source, existing=()):
    """Render page source as it would be saved (used for previews too).

    In a worker process killed past ``WIKI_RENDER_TIMEOUT`` (Python-Markdown has inputs that take
    quadratic time): the database's answers (which linked pages exist, embed placeholders) are
    looked up first and handed over. A page that overruns is shown as plain text.
    """
    titles, embeds = linked_targets(source, page_title)
    known_titles = {title: (page_path(title), True) if title in existing else resolve_title(title)
                    for title in titles}
    known_embeds = {key: embed_placeholder(*key) for key in embeds}
    prefix = page_path(page_title) + "/attachments/"
    seconds = current_app.config["WIKI_RENDER_TIMEOUT"]
    try:
        rendered = render_pool().run("render", source, known_titles, known_embeds, prefix, page_title,
                                     timeout=seconds)
    except WorkTimeout:
        rendered = plain_page(source, sorted(titles), seconds)
    except WorkFailed as err:  # e.g. a RecursionError on 2,000 nested *: the page is still saved, shown plain
        current_app.logger.warning("rendering %r failed: %s", page_title, err)
        rendered = plain_page(source, sorted(titles))
    rendered.exists = {title: exists for title, (_href, exists) in known_titles.items() if title not in existing}
    return rendered


def _render_known(source, known_titles, known_embeds, attachment_prefix, page_title=None):
    """What the worker runs: ``render_page`` answering from what the caller looked up."""
    def resolve(title):
        return known_titles.get(title) or (page_path(title) + "/edit", False)
    edit_url = (lambda number: f"{page_path(page_title)}/edit?section={number}") if page_title else None
    return render_page(source, resolve, lambda name: attachment_prefix + quote(name),
                       lambda prefix, argument: known_embeds.get((prefix, argument)), page_title, edit_url)


_pool = {}


def render_pool():
    """This process's pool of render workers (forked on first use)."""
    if "pool" not in _pool:
        _pool["pool"] = WorkerPool({"render": _render_known})
    return _pool["pool"]


def render_revision(page_title, revision, store=True):
    """Render ``revision`` with the links as they are now and (by default) keep the result in its row.

    A page linked to may appear or go while the render runs; its invalidation then found no
    render to drop. So once stored, the render is checked as saves check theirs: stale, it is
    dropped again (the next view renders anew) rather than kept with a wrong red or blue link.
    """
    rendered = render_source(page_title, revision.content)
    if store:
        keep_render(revision, rendered)
        if links_changed(rendered):
            Revision.update(html=None, toc=None).where(Revision.id == revision.id).execute()
    revision.html, revision.toc = rendered.html, rendered.toc
    return rendered


def give_render(page, revision):
    """Make sure ``revision`` of ``page`` has its render (``revision.html``, ``revision.toc``).

    The current revision's is kept in its row, made now when there is none or another renderer made
    it. An old revision (or a deleted page's) is rendered afresh each time and not kept: its links
    are not in the links table, so nothing would drop its render when a page it links to appears.
    """
    if revision.number != page.version or page.deleted:
        render_revision(page.title, revision, store=False)
    elif not has_current_render(revision):
        render_revision(page.title, revision)


def keep_render(revision, rendered):
    """Store a render in its revision's row: ``rendered`` must show the links as they are now."""
    made_by = renderer_version()
    (Revision.update(html=rendered.html, toc=rendered.toc, render_version=made_by)
     .where(Revision.id == revision.id).execute())
    revision.html, revision.toc, revision.render_version = rendered.html, rendered.toc, made_by


def has_current_render(revision):
    """Whether ``revision`` keeps a render this code would make: none kept, or one by another renderer
    (before an upgrade), and it is rendered again."""
    return revision.html is not None and revision.render_version == renderer_version()


def links_changed(rendered):
    """Whether a page a render linked to appeared or went since (a render made before a write)."""
    titles = list(rendered.exists)
    if not titles:
        return False
    live = {key for (key,) in Page.select(Page.key).where(
        Page.key.in_([title_key(t) for t in titles]) & (Page.deleted == False)).tuples()}  # noqa: E712
    return any((title_key(title) in live) != exists for title, exists in rendered.exists.items())


def store_links(page, titles):
    """Replace the links of ``page`` by those of its new current revision."""
    Link.delete().where(Link.from_page == page.id).execute()
    keys = sorted({title_key(t) for t in titles} - {page.key})
    if keys:
        Link.insert_many([(page.id, k) for k in keys], fields=[Link.from_page, Link.to_key]).execute()


def invalidate_links_to(key):
    """Drop the cached renders of every page linking to ``key`` (its red/blue state changed)."""
    linking = Link.select(Link.from_page).where(Link.to_key == key)
    (Revision.update(html=None, toc=None)
     .where(Revision.page.in_(linking) & Revision.html.is_null(False)).execute())


def pages_linking_to(key):
    """Live pages whose current revision links to ``key``."""
    return (Page.select().join(Link, on=(Link.from_page == Page.id))
            .where((Link.to_key == key) & (Page.deleted == False))  # noqa: E712
            .order_by(Page.key))


# Fenced code blocks (to their closing fence or the end) and inline code spans: no link is made there.
# Only when the renderer cannot say which [[…]] it made links of (see _left_as_text).
CODE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,}).*?(?:^ {0,3}\1[`~]*[ \t]*$|\Z)|(`+)[^`](?:.*?[^`])??\2(?!`)",
                     re.M | re.S)
MARK, MARKED_TEXT = "\ue000%d\ue001", re.compile("\ue000(\\d+)\ue001\\[\\[")  # private-use: no text has them


def rewrite_links(text, old_key, new_title, page_title=None):
    """``text`` (of the page ``page_title``) with every ``[[Old]]`` link (any case, label and #section kept;
    ``[[/Child]]`` too, by the title it names) pointing to ``new_title``.

    ``[[Old]]`` the renderer shows as text (in code: fenced, indented, inline) is no link and stays as written.
    """
    matches = list(re.finditer(WIKILINK_RE, text))
    as_text = _left_as_text(text, matches, page_title)
    out, last = [], 0
    for i, match in enumerate(matches):
        out += [text[last:match.start()],
                match.group(0) if i in as_text else _pointed(match, old_key, new_title, page_title)]
        last = match.end()
    return "".join(out) + text[last:]


def _pointed(match, old_key, new_title, page_title):
    target, bar, label = match.group(1).partition("|")
    name, hash_, fragment = target.partition("#")
    try:
        if title_key(link_title(name, page_title)) != old_key:
            return match.group(0)
    except InvalidInput:
        return match.group(0)
    return "[[" + new_title + hash_ + fragment + bar + label + "]]"


def _left_as_text(text, matches, page_title):
    """Indexes of the ``matches`` the renderer leaves as text: each is marked, the text rendered, and a
    mark still followed by ``[[`` was no link. Without a render in time, the code CODE_RE finds."""
    if not matches:
        return set()
    marked, last = [], 0
    for i, match in enumerate(matches):
        marked += [text[last:match.start()], MARK % i]
        last = match.start()
    html = _render_for_links("".join(marked) + text[last:], page_title)
    if html is not None:
        return {int(n) for n in MARKED_TEXT.findall(html)}
    code = [m.span() for m in CODE_RE.finditer(text)]
    return {i for i, match in enumerate(matches) if any(start <= match.start() < end for start, end in code)}


def _render_for_links(source, page_title):
    """The page's HTML as the renderer makes it (in a worker, killed past the timeout: None)."""
    if not has_app_context():  # a plain call (tests): in this process
        return _render_known(source, {}, {}, "", page_title).html
    try:
        return render_pool().run("render", source, {}, {}, "", page_title,
                                 timeout=current_app.config["WIKI_RENDER_TIMEOUT"]).html
    except (WorkTimeout, WorkFailed):
        return None
