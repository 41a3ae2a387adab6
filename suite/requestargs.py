"""Numbers and links taken from the query string, bounded so that odd input never reaches the database.

A page or revision number too large for a database integer used to reach SQLite as an
OverflowError (a 500); a negative page made PostgreSQL refuse a negative OFFSET. Every view
reads them through here instead.
"""
from urllib.parse import urlencode

from flask import request

MAX_PAGE = 100_000
MAX_NUMBER = 2**31 - 1  # the largest value an INTEGER column holds on both engines


def page_number(name="page", maximum=MAX_PAGE):
    """A page number from the query string: 1 when missing or not a number, else clamped to 1..maximum."""
    try:
        return max(1, min(int(request.args.get(name, 1)), maximum))
    except ValueError:
        return 1


def whole_number(name, default=None, source=None):
    """An id or revision number from the query string (or ``source``), or ``default`` when missing or
    not a number; values beyond what the database stores are clamped, so they are simply not found."""
    values = request.args if source is None else source
    try:
        return max(-MAX_NUMBER, min(int(values.get(name, "")), MAX_NUMBER))
    except ValueError:
        return default


def url_with(**changes):
    """The current URL with some query arguments replaced: pagination links keep every filter.

    Built by hand rather than by ``url_for``, whose own keywords (``_anchor``, ``_external``,
    ``endpoint``…) a visitor could otherwise set from the query string.
    """
    args = request.args.to_dict(flat=False)
    args.update({key: [str(value)] for key, value in changes.items()})
    return request.script_root + request.path + "?" + urlencode(args, doseq=True)
