"""What PostgreSQL ranks a search by: a smaller query that gives every match the same score.

A search asks for English-or-simple lexemes, ``english || simple``: stemmed words and
words as typed (tags, URLs), less items holding an excluded word in either form
(``&& !!excluded``, outside both halves). ts_rank_cd's cost grows with the query, so for
a search of words (each half an AND of lexemes) and excluded words two things can go
(tested against the whole query's scores):

- The excluded words: no match holds them, so they add no position, and their NOT is
  true all along. Ranking without them: the bench's 20 two-word searches at 100,000
  items, each with one excluded word, 363 → 230 ms in all.
- The simple half, for a match holding none of that half's own lexemes when the half
  needs one of them: both queries see the same positions, and the simple half is false
  all along. "marble tapestry" ('marbl' & 'tapestri' | 'marble' & 'tapestry'), 7,693
  matches: 72 → 45 ms.
"""
import re
from functools import lru_cache
from typing import NamedTuple

from suite.extensions import db
from suite.search.indextext import PG_FOLD, PG_STEMMED

HALVES = (f"SELECT websearch_to_tsquery('{PG_STEMMED}', {PG_FOLD}(%s))::text, "
          f"websearch_to_tsquery('simple', {PG_FOLD}(%s))::text")
AND_OPERAND = re.compile(r"!?'(?:[^']|'')*'")


class Shorter(NamedTuple):
    """What ranks a search's matches as its whole query does."""

    english: str       # the English half's wanted lexemes, ANDed (a tsquery)
    simple_own: str    # the simple half's own lexemes, ORed: a match holding one needs the whole query
                       # ('' when the halves are the same query)


def shorter(text):
    """The ``Shorter`` of a websearch text, or None when only its whole query ranks it (phrases, OR,
    halves that differ only in what they exclude). Kept per text."""
    return _shorter(db.database, text)


@lru_cache(maxsize=4096)
def _shorter(database, text):
    halves = db.execute_sql(HALVES, (text, text)).fetchone()
    english, simple = (_and_operands(half) for half in halves)
    if english is None or simple is None:
        return None
    wanted = [operand for operand in english if not operand.startswith("!")]
    if not wanted:
        return None
    if halves[0] == halves[1]:
        return Shorter(" & ".join(wanted), "")
    own = {operand.lstrip("!") for operand in simple} - {operand.lstrip("!") for operand in english}
    if not any(operand in own for operand in simple):  # the simple half needs no lexeme of its own
        return None
    return Shorter(" & ".join(wanted), " | ".join(sorted(own)))


def _and_operands(tsquery_text):
    """The operands of a tsquery that only ANDs lexemes and negated lexemes, or None."""
    operands = tsquery_text.split(" & ") if tsquery_text else []
    return operands if operands and all(AND_OPERAND.fullmatch(o) for o in operands) else None
