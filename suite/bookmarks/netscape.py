"""The Netscape bookmark file format (Firefox, Chrome, Pinboard, linkding, Karakeep): read and write.

A file is read the way ``suite.bookmarks.metadata`` reads a page: nh3 (html5ever, linear)
first, keeping the tags and attributes read here, then HTMLParser over that well-formed
text, since HTMLParser alone spends quadratic time on unclosed tags (CVE-2025-6069).
Whether the file was cut off is told from the file itself, before nh3 closes what it left open.
"""
import datetime
import html
import math
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import nh3

from suite.bookmarks.tags import phrase_tag
from suite.errors import InvalidInput

DOCTYPE = "<!DOCTYPE NETSCAPE-Bookmark-file-1>"
SPECIAL_FOLDERS = ("personal_toolbar_folder", "unfiled_bookmarks_folder")


@dataclass
class Entry:
    """One bookmark read from a file."""

    url: str
    title: str = ""
    description: str = ""
    notes: str = ""
    tags: list = field(default_factory=list)
    added: datetime.datetime = None
    private: bool = None
    unread: bool = False


def _timestamp(value):
    """ADD_DATE: seconds since 1970 (some tools write milli- or microseconds)."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    if not math.isfinite(number):  # "inf" would divide by 1000 forever
        return None
    while number > 1e11:
        number /= 1000
    try:
        return datetime.datetime.fromtimestamp(number, datetime.timezone.utc).replace(tzinfo=None)
    except (OverflowError, OSError, ValueError):
        return None


def _tags_of(value):
    """A link's TAGS: comma-separated, spaces inside a tag ("machine learning,deep learning" from
    Firefox or linkding) joined by "-" like a folder's name; without a comma, space-separated."""
    if "," in value:
        return [tag for tag in (phrase_tag(t) for t in value.split(",")) if tag]
    return value.split()


def _title_of(text, url):
    """A link's title from its text: none when the text is its address.

    An export writes the address as the text of an untitled bookmark (browsers show
    the text); read back as a title, it would stay for good, since the fetch fills
    only empty titles. Browsers do the same for pages without a title.
    """
    return "" if text == url else text[:500]


class _NetscapeParser(HTMLParser):
    """Walks <DL>/<DT>/<H3>/<A>/<DD>: folders become tags, descriptions attach to the entry above."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.entries, self.folders = [], []
        self.depth, self.max_depth = 0, 0
        self._pending_folder = None
        self._text, self._mode = [], None  # mode: "a", "h3", "dd"
        self._attrs = {}
        self._described = None  # the entry a <DD> describes: the link just read, not a folder

    def _finish(self):
        text = "".join(self._text).strip()
        if self._mode == "a":
            self.entries[-1].title = _title_of(text, self.entries[-1].url)
        elif self._mode == "h3":
            special = any(self._attrs.get(k, "").lower() == "true" for k in SPECIAL_FOLDERS)
            self._pending_folder = None if special else phrase_tag(text)
        elif self._mode == "dd" and self._described is not None:
            self._described.description, self._described.notes = split_notes(text)
        self._text, self._mode = [], None

    def handle_starttag(self, tag, attrs):
        if tag in ("a", "h3", "dd", "dt", "dl"):
            self._finish()
        attrs = {k.lower(): v or "" for k, v in attrs}
        if tag == "dl":
            self.depth += 1
            self.max_depth = max(self.max_depth, self.depth)
            self.folders.append(self._pending_folder)
            self._pending_folder, self._described = None, None
        elif tag == "h3":
            self._mode, self._attrs = "h3", attrs
            self._described = None  # a folder's <DD> describes the folder: it is not kept
        elif tag == "dd":
            self._mode = "dd"
        elif tag == "a" and "href" in attrs:
            tags = _tags_of(attrs.get("tags", "")) + [f for f in self.folders if f]
            private = attrs.get("private")
            self.entries.append(Entry(url=attrs["href"].strip(), tags=tags, added=_timestamp(attrs.get("add_date")),
                                      private=None if private is None else private.strip() == "1",
                                      unread=attrs.get("toread", "") == "1"))
            self._mode, self._described = "a", self.entries[-1]

    def handle_endtag(self, tag):
        if tag in ("a", "h3") and self._mode == tag:
            self._finish()
        elif tag == "dl":
            self._finish()
            self._described = None  # a <DD> after a closed folder belongs to no link
            self.depth -= 1
            if self.folders:
                self.folders.pop()

    def handle_data(self, data):
        if self._mode:
            self._text.append(data)


def decode(data):
    """File bytes as text: UTF-8 (with or without BOM), else Windows-1252."""
    if b"\x00" in data[:4096]:
        raise InvalidInput("This is not a bookmark file: it looks binary. Export your bookmarks as HTML.")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


# Links of other schemes are kept to be counted as skipped (only http/https are imported); nh3 drops the rest.
SCHEMES = {"http", "https", "ftp", "file", "mailto", "javascript", "place", "data", "about", "chrome", "edge", "feed",
           "chrome-extension", "moz-extension", "view-source", "magnet", "tel", "irc", "ssh", "news"}
ATTRIBUTES = {"a": {"href", "add_date", "tags", "private", "toread"},
              "h3": set(SPECIAL_FOLDERS)}
DL_OPEN, DL_CLOSE = re.compile(r"<dl\b", re.I), re.compile(r"</dl\s*>", re.I)


def well_formed(text):
    """The lists, folders, links and descriptions of a bookmark file, as well-formed HTML."""
    return nh3.clean(text, tags={"dl", "dt", "dd", "a", "h3"}, attributes=ATTRIBUTES, url_schemes=SCHEMES,
                     link_rel=None, strip_comments=True)


def _cut_off(text):
    """True when the file ends before its lists are closed, or inside a tag."""
    tail = text.rstrip()
    return len(DL_OPEN.findall(text)) > len(DL_CLOSE.findall(text)) or tail.rfind("<") > tail.rfind(">")


#: A link's start tag; ``[^<>]`` keeps each try to one tag, so a file of unclosed tags is counted in linear time.
LINK = re.compile(r"<a\s[^<>]*\bhref\s*=", re.I)


def check(data):
    """How many links a Netscape bookmark file (bytes) holds, read with a few regular expressions
    and no parse (an upload answers at once; the import task parses); InvalidInput when it is no
    such file, is cut off or holds no link."""
    return _checked(decode(data) if isinstance(data, bytes) else data)[1]


def _checked(text):
    """``(text, links)`` of a file that passes ``check``."""
    head = text[:4096].lstrip().upper()
    if not head.startswith(DOCTYPE.upper()) and not ("<DL" in head and "<A " in text[:65536].upper()):
        raise InvalidInput("This is not a Netscape bookmark file (the HTML export of Firefox, Chrome, "
                           "Pinboard, linkding or Karakeep); it should start with "
                           f"{DOCTYPE}.")
    links = len(LINK.findall(text))
    if _cut_off(text) or not DL_OPEN.search(text):
        raise InvalidInput(f"This bookmark file is incomplete (truncated?): it ends before its lists are closed. "
                           f"{links:,} links were readable; nothing was imported. "
                           "Export the file again and upload the whole file.")
    if not links:
        raise InvalidInput("This bookmark file holds no bookmarks.")
    return text, links


def parse(data):
    """Read a Netscape bookmark file (bytes); InvalidInput when ``check`` refuses it."""
    text, _links = _checked(decode(data) if isinstance(data, bytes) else data)
    parser = _NetscapeParser()
    parser.feed(well_formed(text))
    parser.close()
    return parser.entries


CONTROL_CHARS = dict.fromkeys(c for c in range(32) if chr(c) not in "\t\n\r")


#: linkding's way of keeping notes in a Netscape file (its export writes it, its import reads it):
#: ``<DD>description[linkding-notes]notes[/linkding-notes]``. The suite writes and reads it too.
NOTES = re.compile(r"\[linkding-notes\](.*?)\[/linkding-notes\]", re.S)


def split_notes(text):
    """A ``<DD>``'s text as ``(description, notes)``."""
    notes = "\n\n".join(m.strip() for m in NOTES.findall(text))
    return NOTES.sub("", text).strip()[:5000], notes[:100_000]


def _text(value):
    """Escaped text without control characters (a NUL would make our own importer call the file binary)."""
    return html.escape(str(value).translate(CONTROL_CHARS))


def export(bookmarks):
    """Write bookmarks (objects with url, title, description, notes, tag_names, created_at, ...) as a file, in pieces."""
    yield "\n".join([DOCTYPE, "<!-- This is an automatically generated file. It will be read and overwritten. -->",
                     '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">',
                     "<TITLE>Bookmarks</TITLE>", "<H1>Bookmarks</H1>", "<DL><p>"]) + "\n"
    for b in bookmarks:
        stamp = int(b.created_at.replace(tzinfo=datetime.timezone.utc).timestamp())
        modified = int(b.updated_at.replace(tzinfo=datetime.timezone.utc).timestamp())
        entry = (f'<DT><A HREF="{_text(b.url)}" ADD_DATE="{stamp}" LAST_MODIFIED="{modified}" '
                 f'PRIVATE="{1 if b.is_private else 0}" TOREAD="{1 if b.unread else 0}" '
                 f'TAGS="{_text(",".join(b.tag_names))}">{_text(b.title or b.url)}</A>\n')
        described = _text(b.description) + (f"[linkding-notes]{_text(b.notes)}[/linkding-notes]" if b.notes else "")
        yield entry + (f"<DD>{described}\n" if described else "")
    yield "</DL><p>\n"
