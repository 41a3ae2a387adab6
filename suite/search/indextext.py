"""The text the search index holds, and the text it shows again.

Both engines' tokenizers take a run of Chinese, Japanese or Korean characters up to
the next space or punctuation as one word, so a word inside a sentence ("東京" in
"明日は東京タワーに行きます") could never be found. As engines without a dictionary do,
every CJK character becomes a word of its own: the indexed text gets ``SEPARATOR``
between them (a character both tokenizers split at, taken out of what is shown), and
a searched CJK word becomes a phrase of its characters. Text without CJK is unchanged,
but for ``INTERNAL`` characters (the separator and the snippet markers), which become
spaces: as separators they were never part of a word.
"""
import re

SEPARATOR = "\x01"
# PostgreSQL (migration 0022): english's stemmer without its stop words (FTS5 has none either), and a
# function folding accented Latin letters one for one (FTS5's remove_diacritics; no unaccent extension).
PG_STEMMED = "search_english"
PG_FOLD = "search_fold"
INTERNAL = re.compile("[\x01\x02\x03]")  # SEPARATOR, snippets.START and snippets.STOP
# Han, Hiragana, Katakana, Hangul, Bopomofo and their extensions; 々〆〇; half-width Katakana.
CJK = ("\u1100-\u11ff\u2e80-\u2fdf\u3005-\u3007\u3040-\u30ff\u3100-\u31ff\u3400-\u4dbf\u4e00-\u9fff"
       "\ua960-\ua97f\uac00-\ud7ff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003ffff")
# Between a CJK character and a letter or digit (CJK or not) on either side.
CJK_BOUNDARY = re.compile(f"(?<=[{CJK}])(?=\\w)|(?<=\\w)(?=[{CJK}])")
HAS_CJK = re.compile(f"[{CJK}]")


def indexed_text(text):
    """``text`` as the index holds it: internal characters out, CJK characters apart."""
    text = INTERNAL.sub(" ", text or "")
    return CJK_BOUNDARY.sub(SEPARATOR, text) if HAS_CJK.search(text) else text


def cjk_phrase(word):
    """A searched word with CJK characters as the phrase of its pieces ("東京" → "東 京"), else None."""
    return CJK_BOUNDARY.sub(" ", word) if HAS_CJK.search(word) else None


def shown_text(text):
    """Indexed text as it is shown: without the separators."""
    return (text or "").replace(SEPARATOR, "")
