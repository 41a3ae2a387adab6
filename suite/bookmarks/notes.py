"""Bookmark notes as HTML: Python-Markdown, with its link parsing bounded, then sanitized.

Python-Markdown looks for a link at every "[": it scans ahead for the matching "]" (and,
after it, for the closing ")"), to the end of the paragraph when there is none. Notes of
10,000 "[" took 18 s, 100,000 would take half an hour of a web worker. Here one scan of a
paragraph's text finds where all its brackets close, and the characters scanned for
brackets and for "(…)" are bounded per render (``SCAN_BUDGET``). Notes of ordinary
paragraphs, and any link of ordinary size (text up to ``MAX_LINK_TEXT``, target up to
``MAX_LINK_TARGET`` characters), render exactly as before; past the budget, a bracket is text.
"""
import re

import markdown
import nh3
from markdown.extensions import Extension
from markupsafe import Markup, escape

MAX_LINK_TEXT = 5_000
MAX_LINK_TARGET = 5_000
SCAN_BUDGET = 1_000_000  # characters read looking for "]" and ")" per render, all links together
TAG_START, TAG_REACH, MAX_UNCLOSED_TAGS = re.compile(r"<[A-Za-z!/?]"), 500, 50
LINK_PATTERNS = ("reference", "link", "image_link", "image_reference", "short_reference", "short_image_ref")


def render_notes(text):
    """Notes as sanitized HTML (Markdown is not safe by itself)."""
    text = text or ""
    md = markdown.Markdown(extensions=["fenced_code", "sane_lists", BoundedLinks()])
    if unclosed_tags(text) > MAX_UNCLOSED_TAGS:
        md.preprocessors.deregister("html_block")  # see unclosed_tags: raw HTML stays inline HTML
    try:
        html = md.convert(text)
    except RecursionError:  # lists nested thousands deep: shown as they were typed
        html = f"<pre>{escape(text)}</pre>"
    return Markup(nh3.clean(html, link_rel="noopener noreferrer nofollow"))


def unclosed_tags(text):
    """How many "<" start a tag with no ">" in the next ``TAG_REACH`` characters.

    Python-Markdown hands raw HTML blocks to the standard library's HTMLParser, which
    (before Python 3.11.13, CVE-2025-6069) reads from every unclosed "<a" to the end of
    the text: 33,000 of them took 165 s. Past ``MAX_UNCLOSED_TAGS`` the notes are no
    HTML anyone wrote, and render without raw HTML blocks.
    """
    return sum(1 for m in TAG_START.finditer(text) if text.find(">", m.end(), m.end() + TAG_REACH) < 0)


class Scanner:
    """Where the brackets of the text being parsed close, found within a budget of characters.

    The text changes whenever Python-Markdown replaces a link it found, so what is known
    holds for one text; a scan from a "[" also settles every "[" it passes.
    """

    def __init__(self, budget=SCAN_BUDGET):
        self.budget, self.data, self.closes = budget, None, {}

    def close_of(self, data, opening):
        """The position of the "]" closing the "[" at ``opening``, or None (none, or past the budget)."""
        if data is not self.data:
            self.data, self.closes = data, {}
        if opening not in self.closes:
            self._scan(data, opening)
        return self.closes[opening]

    def _scan(self, data, start):
        stack, end = [], min(len(data), start + max(self.budget, 0))
        for pos in range(start, end):
            char = data[pos]
            if char == "[":
                stack.append(pos)
            elif char == "]" and stack:
                self.closes[stack.pop()] = pos
                if not stack:
                    break
        self.budget -= pos + 1 - start if end > start else 0
        self.closes.update(dict.fromkeys(stack))  # still open: at the end of the text, or of the budget
        self.closes.setdefault(start, None)

    def spend(self, count):
        """Take ``count`` characters of the budget; False when it is spent."""
        self.budget -= count
        return self.budget >= 0


class _Bounded:
    """What the link processors share: ``getText`` and ``getLink`` in bounded work."""

    def getText(self, data, index):  # noqa: N802 (Python-Markdown's name)
        """The text between the "[" before ``index`` and its "]", as the original reads it."""
        if index < 1 or data[index - 1] != "[":
            return super().getText(data, index)
        close = self.md.bracket_scanner.close_of(data, index - 1)
        if close is None or close - index > MAX_LINK_TEXT:
            return "", index, False
        return data[index:close], close + 1, True

    def getLink(self, data, index):  # noqa: N802
        """The original's "(href "title")" reading, within a window and the render's budget."""
        scanner = self.md.bracket_scanner
        if not data.startswith("(", index) or scanner.budget <= 0:
            return "", None, index, False
        reach = min(MAX_LINK_TARGET, scanner.budget)
        if len(data) - index <= reach:  # the original reads at most this far
            href, title, end, handled = super().getLink(data, index)
            scanner.spend(end - index if handled and end > index else len(data) - index)
            return href, title, end, handled
        href, title, end, handled = super().getLink(data[index:index + reach], 0)
        scanner.spend(end if handled and end > 0 else reach)
        return href, title, index + end, handled and end > 0


class BoundedLinks(Extension):
    """Replaces Python-Markdown's link and image processors by bounded ones (same names, priorities)."""

    def extendMarkdown(self, md):  # noqa: N802
        md.bracket_scanner = Scanner()
        priorities = {item.name: item.priority for item in md.inlinePatterns._priority}
        for name in LINK_PATTERNS:
            original = md.inlinePatterns[name]
            bounded = type("Bounded" + type(original).__name__, (_Bounded, type(original)), {})
            md.inlinePatterns.register(bounded(original.pattern, md), name, priorities[name])
