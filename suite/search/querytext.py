"""Parsing what people type into a search box: words, "phrases", -exclusions, ``or`` and filters.

Filters: ``in:wiki|paste|bookmarks``, ``tag:x``, ``lang:python``, ``user:name``.
``or`` between two searched words or phrases finds either (``apples or oranges``);
anywhere else it is a word. A word with CJK characters is searched as the phrase of
its characters (``indextext``). Parsing never fails; the backends turn the parts
into their own safe syntax.
"""
import re
from dataclasses import dataclass, field
from typing import NamedTuple

from suite.search.indextext import cjk_phrase

MAX_QUERY = 500
KIND_ALIASES = {"wiki": "wiki", "wikis": "wiki", "page": "wiki", "pages": "wiki",
                "paste": "paste", "pastes": "paste", "pastebin": "paste",
                "bookmark": "bookmark", "bookmarks": "bookmark", "links": "bookmark"}
FILTER_LISTS = {"tag": "tags", "lang": "langs", "user": "users"}
TOKEN_RE = re.compile(r'(-?)"([^"]*)"?|(\S+)')
WORD_RE = re.compile(r"\w", re.UNICODE)
OR = "or"


class Term(NamedTuple):
    """One searched word or phrase."""

    text: str
    phrase: bool


@dataclass
class ParsedQuery:
    """The parts of one search: every one of ``words``, ``phrases`` and ``either`` must match."""

    words: list = field(default_factory=list)
    phrases: list = field(default_factory=list)
    either: list = field(default_factory=list)  # tuples of Terms joined by ``or``: one of each must match
    excluded: list = field(default_factory=list)
    kinds: list = field(default_factory=list)
    tags: list = field(default_factory=list)
    langs: list = field(default_factory=list)
    users: list = field(default_factory=list)
    unknown_kinds: list = field(default_factory=list)

    @property
    def has_terms(self):
        """True when there is something to match in the text itself."""
        return bool(self.words or self.phrases or self.either)

    @property
    def all_words(self):
        """Every searched word, alone or in an ``or``."""
        return self.words + [t.text for group in self.either for t in group if not t.phrase]

    @property
    def all_phrases(self):
        """Every searched phrase, alone or in an ``or``."""
        return self.phrases + [t.text for group in self.either for t in group if t.phrase]

    @property
    def has_phrases(self):
        """True when a phrase is searched, alone or in an ``or``."""
        return bool(self.all_phrases)

    @property
    def has_filters(self):
        """True when the query narrows by kind, tag, language or user."""
        return bool(self.kinds or self.tags or self.langs or self.users)


def _useful(text):
    return bool(WORD_RE.search(text))


def parse_query(text):
    """Split a search box's text into a ParsedQuery (long input is cut at 500 characters)."""
    parsed, groups, joining = ParsedQuery(), [], False
    for minus, phrase, bare in TOKEN_RE.findall((text or "")[:MAX_QUERY]):
        if bare.lower() == OR and groups and groups[-1] and not joining:
            joining = True  # right after a searched part: joins it to the next
            continue
        term = _term(parsed, minus, phrase, bare)
        if term is not None and joining:
            groups[-1] += (term,)
        else:
            if joining:  # an "or" not between two searched parts is a word
                groups.append((Term(OR, False),))
            groups.append((term,) if term else ())  # (): a filter or exclusion, nothing joins across it
        joining = False
    if joining:
        groups.append((Term(OR, False),))
    for group in filter(None, groups):
        if len(group) > 1:
            parsed.either.append(group)
        else:
            (parsed.phrases if group[0].phrase else parsed.words).append(group[0].text)
    return parsed


def _term(parsed, minus, phrase, bare):
    """The searched Term of one token, or None (a filter or an exclusion, added to ``parsed``; or nothing)."""
    if phrase or (minus and not bare):
        if not _useful(phrase):
            return None
        if minus:
            parsed.excluded.append(_searched(phrase.strip()))
            return None
        return Term(_searched(phrase.strip()), True)
    return _add_bare(parsed, bare)


def _searched(text):
    """A phrase as searched: CJK characters apart, as the index holds them."""
    return cjk_phrase(text) or text


def _add_bare(parsed, token):
    """Add a filter or an exclusion to ``parsed``; a searched word is returned as a Term."""
    name, sep, value = token.partition(":")
    name = name.lower()
    if sep and value and name in ("in", "tag", "lang", "user"):
        value = value.strip().lower() if name != "user" else value.strip()
        if name == "in":
            kind = KIND_ALIASES.get(value)
            (parsed.kinds if kind else parsed.unknown_kinds).append(kind or value)
        else:
            getattr(parsed, FILTER_LISTS[name]).append(value)
        return None
    if token.startswith("-") and len(token) > 1:
        if _useful(token[1:]):
            parsed.excluded.append(_searched(token[1:]))
        return None
    if not _useful(token):
        return None
    phrase = cjk_phrase(token)
    return Term(phrase, " " in phrase) if phrase else Term(token, False)
