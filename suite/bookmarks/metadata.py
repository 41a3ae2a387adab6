"""What a fetched HTML page says about itself: title, description, images, readable text.

A fetched page is anyone's markup, and the standard library's HTMLParser (before
Python 3.11.13, CVE-2025-6069) spends quadratic time, or worse, on unclosed tags: 120 KB
of ``<a b='`` took it 66 s. So the page first goes through nh3 (html5ever: linear, as
browsers parse), keeping only what is read here, and HTMLParser reads nh3's well-formed
output: every tag closed, every attribute quoted, every ``<`` in text escaped.
"""
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin

import nh3

MAX_TEXT_CHARS = 100_000
SKIPPED = {"script", "style", "noscript", "template", "svg", "head", "nav", "footer", "iframe", "object"}
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
BLOCKS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "pre",
          "blockquote", "dd", "dt"}


@dataclass
class PageMeta:
    """Metadata found in one page (URLs made absolute)."""

    title: str = ""
    description: str = ""
    image: str = ""
    favicon: str = ""
    canonical: str = ""
    text: str = ""
    icons: list = field(default_factory=list)


class _MetaParser(HTMLParser):
    """Collects <title>, <meta>, <link> and the visible text outside scripts and chrome."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.meta, self.links = {}, []
        self.title, self.text = [], []
        self._in_title = False
        self._skip = []
        self._chars = 0

    def handle_starttag(self, tag, attrs):
        attrs = {k.lower(): (v or "") for k, v in attrs}
        if tag == "title":
            self._in_title = True
        elif tag == "meta":
            key = (attrs.get("property") or attrs.get("name") or "").lower()
            if key and "content" in attrs:
                self.meta.setdefault(key, attrs["content"].strip())
        elif tag == "link":
            self.links.append(((attrs.get("rel") or "").lower().split(), attrs.get("href", ""),
                               attrs.get("sizes", "")))
        if tag in SKIPPED and tag not in VOID:
            self._skip.append(tag)
        if tag in BLOCKS:
            self.text.append("\n")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if self._skip and tag == self._skip[-1]:
            self._skip.pop()
        if tag in BLOCKS:
            self.text.append("\n")

    def handle_data(self, data):
        if self._in_title:
            self.title.append(data)
        elif not self._skip and self._chars < MAX_TEXT_CHARS:
            self.text.append(data)
            self._chars += len(data)


def _squash(text):
    return re.sub(r"[ \t\r\f\v]+", " ", text).strip()


def well_formed(html):
    """The parts of a page read here (title, meta, link, block tags for line breaks, text), well-formed."""
    return nh3.clean(html, tags=BLOCKS | {"title", "meta", "link"}, clean_content_tags=SKIPPED - VOID - {"head"},
                     attributes={"meta": {"name", "property", "content"}, "link": {"rel", "href", "sizes"}},
                     link_rel=None, strip_comments=True)


def parse_html(html, base_url):
    """Parse a page's HTML; never raises on broken markup."""
    parser = _MetaParser()
    try:
        parser.feed(well_formed(html))
        parser.close()
    except (AssertionError, ValueError):  # html.parser gives up on some garbage; keep what it found
        pass
    meta, page = parser.meta, PageMeta()
    page.title = _squash(meta.get("og:title") or "".join(parser.title))[:500]
    if "".join(parser.title).strip():
        page.title = _squash("".join(parser.title))[:500]
    page.description = _squash(meta.get("description") or meta.get("og:description")
                               or meta.get("twitter:description") or "")[:2000]
    image = meta.get("og:image") or meta.get("og:image:url") or meta.get("twitter:image") or ""
    page.image = urljoin(base_url, image) if image else ""
    for rel, href, _sizes in parser.links:
        if not href:
            continue
        if "canonical" in rel and not page.canonical:
            page.canonical = urljoin(base_url, href)
        if "icon" in rel or "apple-touch-icon" in rel:
            page.icons.append(urljoin(base_url, href))
    page.favicon = page.icons[0] if page.icons else urljoin(base_url, "/favicon.ico")
    lines = (_squash(line) for line in "".join(parser.text).split("\n"))
    page.text = "\n".join(line for line in lines if line)[:MAX_TEXT_CHARS]
    return page
