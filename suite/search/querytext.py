"""Parsing what people type into a search box: words, "phrases", -exclusions and filters.

Filters: ``in:wiki|paste|bookmarks``, ``tag:x``, ``lang:python``, ``user:name``.
Parsing never fails; the backends turn the parts into their own safe syntax.
"""
import re
from dataclasses import dataclass, field

MAX_QUERY = 500
KIND_ALIASES = {"wiki": "wiki", "wikis": "wiki", "page": "wiki", "pages": "wiki",
                "paste": "paste", "pastes": "paste", "pastebin": "paste",
                "bookmark": "bookmark", "bookmarks": "bookmark", "links": "bookmark"}
FILTER_LISTS = {"tag": "tags", "lang": "langs", "user": "users"}
TOKEN_RE = re.compile(r'(-?)"([^"]*)"?|(\S+)')
WORD_RE = re.compile(r"\w", re.UNICODE)


@dataclass
class ParsedQuery:
    """The parts of one search."""

    words: list = field(default_factory=list)
    phrases: list = field(default_factory=list)
    excluded: list = field(default_factory=list)
    kinds: list = field(default_factory=list)
    tags: list = field(default_factory=list)
    langs: list = field(default_factory=list)
    users: list = field(default_factory=list)
    unknown_kinds: list = field(default_factory=list)

    @property
    def has_terms(self):
        """True when there is something to match in the text itself."""
        return bool(self.words or self.phrases)

    @property
    def has_filters(self):
        """True when the query narrows by kind, tag, language or user."""
        return bool(self.kinds or self.tags or self.langs or self.users)


def _useful(text):
    return bool(WORD_RE.search(text))


def parse_query(text):
    """Split a search box's text into a ParsedQuery (long input is cut at 500 characters)."""
    parsed = ParsedQuery()
    for minus, phrase, bare in TOKEN_RE.findall((text or "")[:MAX_QUERY]):
        if phrase or (minus and not bare):
            if _useful(phrase):
                (parsed.excluded if minus else parsed.phrases).append(phrase.strip())
            continue
        _add_bare(parsed, bare)
    return parsed


def _add_bare(parsed, token):
    name, sep, value = token.partition(":")
    name = name.lower()
    if sep and value and name in ("in", "tag", "lang", "user"):
        value = value.strip().lower() if name != "user" else value.strip()
        if name == "in":
            kind = KIND_ALIASES.get(value)
            (parsed.kinds if kind else parsed.unknown_kinds).append(kind or value)
        else:
            getattr(parsed, FILTER_LISTS[name]).append(value)
        return
    if token.startswith("-") and len(token) > 1:
        if _useful(token[1:]):
            parsed.excluded.append(token[1:])
        return
    if _useful(token):
        parsed.words.append(token)
