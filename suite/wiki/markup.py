"""Markdown to safe HTML for wiki pages: extensions, ``[[wikilinks]]`` and the nh3 allowlist.

``render_page`` is a plain function: it takes the source and a ``resolve(title)``
callback answering ``(href, exists)``, so it knows nothing about the database.
Other kinds of ``[[prefix:argument]]`` (embeds of pastes, bookmarks) go through
the ``embed(prefix, argument)`` callback, which answers HTML (for cached pages:
a placeholder from ``suite.embeds``) or None; an unknown prefix stays plain text.

Python-Markdown and nh3 (about 3 MB) are imported on the first render: pages are
stored rendered, so a web process that only shows them never loads either. The
wiki's own Markdown extension lives in ``suite.wiki.mdext`` for the same reason.
"""
import hashlib
import html as htmllib
import re
from dataclasses import dataclass, field
from functools import cache
from importlib.metadata import version
from pathlib import Path

WIKILINK_RE = r"\[\[([^\[\]\n]+?)\]\]"
TASK_RE = re.compile(r"\[([ xX])\]\s+")
BARE_NAME_RE = re.compile(r"^[\w][\w .-]*$")
EXTERNAL_RE = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]*:)?//", re.I)
A_TAG_RE = re.compile(r'<a((?:\s+[\w-]+(?:="[^"]*")?)*)\s*>')
HREF_RE = re.compile(r'(?:^|\s)href="([^"]*)"')

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd", "del", "details",
    "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img",
    "input", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span", "strong",
    "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u", "ul",
}
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title"},
    "a": {"href"},
    "div": {"data-embed"},  # suite.embeds placeholders, filled per reader
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align"},
    "ol": {"start"},
    "input": {"checked", "disabled"},
}
EXTENSIONS = ["tables", "fenced_code", "codehilite", "toc", "footnotes", "admonition", "sane_lists",
              "def_list", "abbr", "attr_list"]
EXTENSION_CONFIGS = {
    "tables": {"use_align_attribute": True},
    "codehilite": {"css_class": "highlight", "guess_lang": False, "noclasses": False},
    "toc": {"permalink": "¶"},  # and slugify_unicode (imported with Markdown): ids keep their letters
}


@dataclass
class Rendered:
    """A rendered page: body HTML, side table of contents and the titles it links to."""

    html: str
    toc: str
    links: list = field(default_factory=list)
    exists: dict = field(default_factory=dict)  # title → whether that page existed when rendered


RENDER_RULES = ("mdext.py", "sections.py", "titles.py", "links.py", "attachments.py")


@cache
def renderer_version():
    """A fingerprint of the renderer: this module, the wiki's Markdown extension and the modules whose rules
    decide what a render holds (sections, titles and their links, attachment types, embeds), and the
    libraries they call.

    Each stored render keeps the fingerprint it was made with, and one made by another renderer is made
    again on its next view: a change to the rules (or a Markdown, Pygments or nh3 upgrade) reaches every
    page by itself, with no migration dropping the stored renders.
    """
    digest = hashlib.sha256()
    here = Path(__file__)
    for path in [here] + [here.with_name(name) for name in RENDER_RULES] + [here.parent.parent / "embeds.py"]:
        digest.update(path.read_bytes())
    for dist in ("Markdown", "Pygments", "nh3"):
        digest.update(f"{dist} {version(dist)};".encode())
    return digest.hexdigest()[:16]


def sanitize(html):
    """The allowlist: only harmless tags, attributes and URL schemes survive."""
    import nh3
    cleaned = nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES,
                        tag_attribute_values={"input": {"type": {"checkbox"}}},
                        url_schemes={"http", "https", "mailto"}, link_rel=None,
                        clean_content_tags={"script", "style"})
    return A_TAG_RE.sub(_mark_external, cleaned)


def _mark_external(match):
    href = HREF_RE.search(match.group(1))
    if href and EXTERNAL_RE.match(htmllib.unescape(href.group(1))):
        return f'<a{match.group(1)} rel="nofollow noopener">'
    return match.group(0)


def render_page(source, resolve, attachment_url=None, embed=None, page_title=None, edit_url=None):
    """Render wiki Markdown to sanitized HTML, its side TOC and the titles it links to.

    ``page_title``: the page the source is on, which ``[[/Child]]`` and ``[[../Sibling]]`` start from.
    ``edit_url(n)``: where section ``n`` is edited; each top-level heading then links there (shown by
    the page only to those who may edit), when the headings are those ``sections`` finds."""
    import markdown
    from markdown.extensions.toc import slugify_unicode

    from suite.wiki.mdext import WikiExtension
    from suite.wiki.sections import headings
    state = {"resolve": resolve, "links": [], "attachment_url": attachment_url, "embed": embed,
             "page_title": page_title, "edit_url": edit_url, "sections": [(level, words) for _, level, words in headings(source)] if edit_url else []}
    configs = {**EXTENSION_CONFIGS, "toc": {**EXTENSION_CONFIGS["toc"], "slugify": slugify_unicode}}
    md = markdown.Markdown(extensions=EXTENSIONS + [WikiExtension(state)],
                           extension_configs=configs, output_format="html")
    body = md.convert(source)
    toc = md.toc if getattr(md, "toc_tokens", None) else ""
    return Rendered(sanitize(body), sanitize(toc), state["links"])


def plain_page(source, links, seconds=None):
    """What a page shows when its Markdown could not be rendered in time (``seconds``) or at all: the text
    itself, escaped."""
    if seconds is None:  # the renderer failed (Python-Markdown recurses once per nested * or _)
        notice = ('<p class="flash warning">This page could not be formatted, so its text is shown as it was '
                  "written. Very deeply nested emphasis (long runs of * or _) is the usual cause; editing it out "
                  "brings the formatting back.</p>")
    else:
        notice = (f'<p class="flash warning">This page could not be formatted within {seconds:g} seconds, so its '
                  "text is shown as it was written. Very long runs of brackets, quotes or tags are the usual cause; "
                  "editing them out brings the formatting back.</p>")
    return Rendered(notice + f'<pre class="plain-page">{htmllib.escape(source)}</pre>', "", links)


def linked_targets(source, page_title=None):
    """``(titles, embeds)`` every ``[[…]]`` of ``source`` (on the page ``page_title``) may ask the renderer
    to resolve, found by the same rules as the renderer: so the answers can be looked up before rendering starts."""
    from suite.errors import InvalidInput
    from suite.wiki.titles import link_title
    titles, embeds = set(), set()
    for match in re.finditer(WIKILINK_RE, source):
        target = match.group(1).partition("|")[0].strip()
        prefix, colon, argument = target.partition(":")
        if colon:
            embeds.add((prefix.strip().lower(), argument.strip()))
            continue
        name = target.partition("#")[0]
        if not name.strip():  # [[#Section]]: this page
            continue
        try:
            titles.add(link_title(name, page_title))
        except InvalidInput:
            pass
    return titles, embeds
