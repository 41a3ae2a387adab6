"""Markdown to safe HTML for wiki pages: extensions, ``[[wikilinks]]`` and the nh3 allowlist.

``render_page`` is a plain function: it takes the source and a ``resolve(title)``
callback answering ``(href, exists)``, so it knows nothing about the database.
Other kinds of ``[[prefix:argument]]`` (embeds of pastes, bookmarks) go through
the ``embed(prefix, argument)`` callback, which answers HTML (for cached pages:
a placeholder from ``suite.embeds``) or None; an unknown prefix stays plain text.
"""
import html as htmllib
import re
import xml.etree.ElementTree as etree
from dataclasses import dataclass, field

import markdown
import nh3
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

from suite.errors import InvalidInput
from suite.wiki.titles import clean_title

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
    "toc": {"permalink": "¶"},
}


@dataclass
class Rendered:
    """A rendered page: body HTML, side table of contents and the titles it links to."""

    html: str
    toc: str
    links: list = field(default_factory=list)


class WikiLinkInline(InlineProcessor):
    """``[[Title]]``, ``[[Title|label]]``, ``[[Title#section]]`` and plugged-in ``[[kind:arg]]``."""

    def __init__(self, pattern, md, state):
        super().__init__(pattern, md)
        self.state = state

    def handleMatch(self, m, data):
        target, _, label = m.group(1).partition("|")
        target, label = target.strip(), label.strip()
        prefix, colon, argument = target.partition(":")
        if colon:
            embed = self.state["embed"]
            html = embed(prefix.strip().lower(), argument.strip()) if embed else None
            if html is None:
                return None, None, None
            return self.md.htmlStash.store(html), m.start(0), m.end(0)
        name, _, fragment = target.partition("#")
        try:
            title = clean_title(name)
        except InvalidInput:
            return None, None, None
        href, exists = self.state["resolve"](title)
        link = etree.Element("a", {"href": href + ("#" + fragment.strip() if fragment and exists else ""),
                                   "class": "wikilink" if exists else "wikilink missing",
                                   "title": title if exists else f"{title} (page does not exist)"})
        link.text = label or target
        if title not in self.state["links"]:
            self.state["links"].append(title)
        return link, m.start(0), m.end(0)


class TaskListProcessor(Treeprocessor):
    """List items starting with ``[ ]`` or ``[x]`` become (read-only) checkboxes."""

    def run(self, root):
        for li in root.iter("li"):
            holder = li[0] if len(li) and li[0].tag == "p" and not (li.text or "").strip() else li
            match = TASK_RE.match(holder.text or "")
            if not match:
                continue
            box = etree.Element("input", {"type": "checkbox", "disabled": "disabled"})
            if match.group(1) in "xX":
                box.set("checked", "checked")
            box.tail = " " + holder.text[match.end():]
            holder.text = ""
            holder.insert(0, box)
            li.set("class", "task")


class AttachmentImageProcessor(Treeprocessor):
    """``![alt](photo.png)``: a bare file name means this page's attachment."""

    def __init__(self, md, state):
        super().__init__(md)
        self.state = state

    def run(self, root):
        attachment_url = self.state.get("attachment_url")
        if attachment_url is None:
            return
        for img in root.iter("img"):
            src = img.get("src", "")
            if BARE_NAME_RE.match(src):
                img.set("src", attachment_url(src))


class WikiExtension(Extension):
    """Wikilinks, task lists and attachment images, sharing one per-render state."""

    def __init__(self, state):
        super().__init__()
        self.state = state

    def extendMarkdown(self, md):
        md.inlinePatterns.register(WikiLinkInline(WIKILINK_RE, md, self.state), "wikilink", 175)
        md.treeprocessors.register(TaskListProcessor(md), "tasklist", 1)
        md.treeprocessors.register(AttachmentImageProcessor(md, self.state), "attachment_images", 2)


def sanitize(html):
    """The allowlist: only harmless tags, attributes and URL schemes survive."""
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


def render_page(source, resolve, attachment_url=None, embed=None):
    """Render wiki Markdown to sanitized HTML, its side TOC and the titles it links to."""
    state = {"resolve": resolve, "links": [], "attachment_url": attachment_url, "embed": embed}
    md = markdown.Markdown(extensions=EXTENSIONS + [WikiExtension(state)],
                           extension_configs=EXTENSION_CONFIGS, output_format="html")
    body = md.convert(source)
    toc = md.toc if getattr(md, "toc_tokens", None) else ""
    return Rendered(sanitize(body), sanitize(toc), state["links"])


def render_page_html(source, resolve):
    """``(html, links)`` for ``source``: the renderer other modules (API, previews) call."""
    rendered = render_page(source, resolve)
    return rendered.html, rendered.links
