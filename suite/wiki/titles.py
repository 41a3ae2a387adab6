"""Page titles: validation, the case-insensitive key, and the readable URL form (spaces as ``_``)."""
import re
import unicodedata

from suite.errors import InvalidInput
from suite.text import sort_key

MAX_TITLE = 200
HOME = "Home"
# Last path segments that name an action on a page (``/wiki/<title>/edit``); such a part of a title is
# capitalized (``Company/History``), as URLs match case.
ACTIONS = {"edit", "history", "history.atom", "diff", "backlinks", "revert", "rename", "delete",
           "restore", "protect", "attachments", "raw", "watch", "move"}
# Top-level names that belong to wiki-wide pages.
SPECIAL = {"recent", "recent.atom", "search", "export", "import", "pages", "watchlist"}
# First parts whose subpages the wiki's own addresses take (/wiki/static/<file>, /wiki/import/<run>).
PREFIXES = {"static", "import"}
FORBIDDEN_CHARS = set('[]{}|#?<>:"\\%*^`~')


#: Format characters words need: Persian and Indic scripts spell with the zero-width non-joiner and
#: joiner (U+200C, U+200D), and so do emoji sequences. Every other C* character (controls, bidi
#: overrides, unassigned code points) stays refused.
JOINERS = frozenset("\u200c\u200d")


def clean_title(raw):
    """The canonical title for ``raw`` (URL or typed form), or InvalidInput saying what is wrong."""
    title = unicodedata.normalize("NFC", (raw or "").replace("_", " "))
    title = re.sub(r"\s+", " ", title).strip()
    if not title:
        raise InvalidInput("A page title cannot be empty.")
    if len(title) > MAX_TITLE:
        raise InvalidInput(f"A page title can have at most {MAX_TITLE} characters.")
    if len(title_key(title)) > MAX_TITLE:  # the key column holds MAX_TITLE characters too
        raise InvalidInput(f"A page title can have at most {MAX_TITLE} characters once its case is set aside "
                           "(“ß” counts as “ss”); shorten it a little.")
    if any(unicodedata.category(c).startswith("C") and c not in JOINERS for c in title):
        raise InvalidInput("A page title cannot contain control characters.")
    bad = sorted(set(title) & FORBIDDEN_CHARS)
    if bad:
        raise InvalidInput("A page title cannot contain " + " ".join(bad) + ".")
    if title.startswith("/") or title.endswith("/"):
        raise InvalidInput("A page title cannot start or end with a slash.")
    segments = [s.strip() for s in title.split("/")]
    for seg in segments:
        _check_segment(seg)
    return "/".join(_apart_from_addresses(segments))


def _apart_from_addresses(segments):
    """``segments`` with each part that would read as one of the wiki's own addresses capitalized.

    Those are lower case and URLs match case, so ``Company/history`` is the page
    ``/wiki/Company/History``, never the history of Company; ``search`` the page ``Search``.
    """
    last = len(segments) - 1
    return [seg.capitalize() if seg == "attachments" or i == last and seg in ACTIONS
            or i == 0 and (seg in SPECIAL and last == 0 or seg in PREFIXES and last > 0) else seg
            for i, seg in enumerate(segments)]


def link_title(target, page_title=None):
    """The title a wikilink's ``target`` names on the page ``page_title``, or InvalidInput.

    As in MediaWiki: ``/Child`` is a subpage of the page itself, ``../Sibling`` one of its parent's
    (``../`` climbs once per step), and a trailing slash is left out of the title. Anything else is a title.
    """
    name = target.strip()
    if page_title is None or not (name.startswith("/") or name == ".." or name.startswith("../")):
        return clean_title(name)
    parts = page_title.split("/")
    while name == ".." or name.startswith("../"):
        if len(parts) == 1:
            raise InvalidInput(f"“{target.strip()}” climbs above “{page_title}”, which has no parent page.")
        parts.pop()
        name = name[3:]
    name = name.strip("/")
    return clean_title("/".join(parts + [name] if name else parts))


def _check_segment(seg):
    if not seg:
        raise InvalidInput("A page title cannot contain an empty part (“//”).")
    if seg.startswith(".") or seg.endswith("."):
        raise InvalidInput("A part of a page title cannot start or end with a dot (“..” included).")
    if not any(c.isalnum() for c in seg):
        raise InvalidInput("Each part of a page title needs at least one letter or digit.")


def title_key(title):
    """The lookup key: titles match whatever their case."""
    return title.casefold()


def title_columns(title):
    """A page row's columns that follow from its title (``sort_key`` files it in A–Z lists)."""
    return {"title": title, "key": title_key(title), "sort_key": sort_key(title)[:MAX_TITLE]}


def url_title(title):
    """The title as it appears in URLs: spaces as underscores."""
    return title.replace(" ", "_")


def parent_titles(title):
    """``A/B/C`` → ``["A", "A/B"]``: the breadcrumbs of a subpage."""
    parts = title.split("/")
    return ["/".join(parts[:i]) for i in range(1, len(parts))]
