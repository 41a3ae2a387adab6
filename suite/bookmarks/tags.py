"""Tag names: typed text, an API's array and an imported file's tags all become tags the same way."""
import re

from suite import search
from suite.errors import InvalidInput

MAX_TAGS = 50


def phrase_tag(text):
    """One tag from a phrase, the spaces inside becoming "-": "Machine learning" → "machine-learning"."""
    return re.sub(r"\s+", "-", text.strip().lower())


def tags_of_items(items):
    """Tags from a list whose every item is one tag (an API's array, an imported link's tags and folders).

    Each is normalized like a typed tag (a leading ``#`` and characters tags do not hold dropped); de-duplicated.
    """
    return search.normalize_tags(phrase_tag(item).lstrip("#") for item in items)


def parse_tags(text):
    """Tags from typed text "a, b c #d" (split on commas and spaces) or from a list (each item one tag).

    Lower-cased and de-duplicated; more than ``MAX_TAGS`` is InvalidInput.
    """
    if isinstance(text, (list, tuple)):
        tags = tags_of_items(text)
    else:
        tags = search.normalize_tags(word.lstrip("#") for word in re.split(r"[,\s]+", text or ""))
    if len(tags) > MAX_TAGS:
        raise InvalidInput(f"At most {MAX_TAGS} tags per bookmark.")
    return tags
