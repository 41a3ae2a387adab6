"""The wiki's Python-Markdown extension: ``[[wikilinks]]``, task lists and attachment images.

Imported by ``suite.wiki.markup.render_page`` on first use, with Markdown itself.
"""
import xml.etree.ElementTree as etree
from urllib.parse import quote

from markdown.extensions import Extension
from markdown.extensions.toc import slugify_unicode
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

from suite.errors import InvalidInput
from suite.wiki.attachments import FILE_TYPES, IMAGE_TYPES
from suite.wiki.markup import BARE_NAME_RE, TASK_RE, WIKILINK_RE
from suite.wiki.sections import same_heading
from suite.wiki.titles import link_title

ATTACHABLE = frozenset(IMAGE_TYPES) | frozenset(FILE_TYPES)


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
        if not name.strip():  # [[#Section]]: a heading of this page
            if not fragment.strip():
                return None, None, None
            link = etree.Element("a", {"href": _heading_href(fragment), "class": "wikilink"})
            link.text = label or target
            return link, m.start(0), m.end(0)
        try:
            title = link_title(name, self.state["page_title"])
        except InvalidInput:
            return None, None, None
        href, exists = self.state["resolve"](title)
        if fragment.strip() and exists:
            href += _heading_href(fragment)
        link = etree.Element("a", {"href": href,
                                   "class": "wikilink" if exists else "wikilink missing",
                                   "title": title if exists else f"{title} (page does not exist)"})
        # [[/Child/]] reads "Child", as in MediaWiki
        link.text = label or (name.strip().strip("/").rpartition("/")[2] if name.strip().endswith("/") else target)
        if title not in self.state["links"]:
            self.state["links"].append(title)
        return link, m.start(0), m.end(0)


def _heading_href(fragment):
    """``#`` and the id the toc extension gives the heading ``fragment``, percent-encoded."""
    return "#" + quote(slugify_unicode(fragment.strip(), "-"), safe="")


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
    """``![alt](photo.png)`` and ``[the spec](spec.pdf)``: a bare file name (for a link, one of a type that
    may be attached) means this page's attachment."""

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
        for link in root.iter("a"):
            href = link.get("href", "")
            if BARE_NAME_RE.match(href) and href.rpartition(".")[2].lower() in ATTACHABLE:
                link.set("href", attachment_url(href))


class SectionEditProcessor(Treeprocessor):
    """An "edit" link in each top-level heading, to edit its section alone (``suite.wiki.sections``)."""

    def __init__(self, md, state):
        super().__init__(md)
        self.state = state

    def run(self, root):
        edit_url = self.state.get("edit_url")
        found = [child for child in root if child.tag in HEADINGS]
        written = self.state["sections"]
        if edit_url is None or len(found) != len(written) or not all(
                same_heading(shown, *heading) for shown, heading in zip(found, written, strict=True)):
            return  # the source's headings were read otherwise than sections.headings reads them
        for number, heading in enumerate(found, 1):
            link = etree.SubElement(heading, "a", {"href": edit_url(number), "class": "section-edit",
                                                   "title": "Edit this section"})
            link.text = "edit"


HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


class WikiExtension(Extension):
    """Wikilinks, task lists and attachment images, sharing one per-render state."""

    def __init__(self, state):
        super().__init__()
        self.state = state

    def extendMarkdown(self, md):
        md.inlinePatterns.register(WikiLinkInline(WIKILINK_RE, md, self.state), "wikilink", 175)
        md.treeprocessors.register(TaskListProcessor(md), "tasklist", 1)
        md.treeprocessors.register(AttachmentImageProcessor(md, self.state), "attachment_images", 2)
        md.treeprocessors.register(SectionEditProcessor(md, self.state), "section_edit", 0)  # after the toc (5)
