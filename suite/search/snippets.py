"""Snippets of a search hit's text, made in Python when that is cheap and certain.

FTS5's ``snippet()`` tokenizes the whole column of every shown row (about 65 µs
for a 5 KB wiki page, 1.3 ms for a page of results). When every searched word is
a single token found as a whole word in the text, the same kind of fragment —
about 16 tokens around the best cluster of matches, matches wrapped in markers,
``…`` where text was cut — comes from a few ``str.find`` calls instead.

``quick_highlight`` marks a title the same way. Both return None whenever they cannot be sure (a phrase, a word that
only matches through stemming or accent folding, odd case folding); the caller
then asks FTS5.
"""
import re
from itertools import islice

from suite.search.indextext import CJK, SEPARATOR

START, STOP = "\x02", "\x03"
CJK_MARKED = re.compile(f"{START}([{CJK}{SEPARATOR}]+){STOP}")
TOKENS = 16
LEAD = 2  # tokens shown before the first match of the fragment…
SENTENCE_LEAD = 5  # …or up to this many, to start at the beginning of a sentence
MAX_HITS = 64
NEAR = 100  # characters after a hit in which other words count towards choosing it
TOKEN = re.compile(r"[^\W_]+")  # letters and digits, as FTS5's unicode61 tokenizer sees words
TOKEN_CHAR = re.compile(r"[^\W_]")


def _single_token(word):
    return TOKEN.fullmatch(word) is not None


def _whole_word_hits(low, words):
    """(start, end, word index) of each whole-word occurrence, in text order."""
    hits = []
    for index, word in enumerate(words):
        at = 0
        while len(hits) < MAX_HITS:
            found = low.find(word, at)
            if found < 0:
                break
            end = found + len(word)
            if not (found and TOKEN_CHAR.match(low, found - 1)) and not TOKEN_CHAR.match(low, end):
                hits.append((found, end, index))
            at = end
    hits.sort()
    return hits


def _starts_sentence(text, at):
    before = text[max(0, at - 4):at].rstrip(" \t")
    return at == 0 or not before or before[-1] in ".!?\n"


def _window(text, hit_start):
    """(start, end) of about TOKENS tokens around a hit.

    A few tokens lead in (more near the end of the text, so the fragment stays
    full), starting at a sentence's first word when one is among them.
    """
    rest = [m.span() for m in islice(TOKEN.finditer(text, hit_start), TOKENS)]
    fill = TOKENS - len(rest)
    want = max(SENTENCE_LEAD, fill)
    scan_from = max(0, hit_start - 24 * (want + 1))
    lead = [m.span() for m in TOKEN.finditer(text, scan_from, hit_start)]
    if scan_from and lead and lead[0][0] == scan_from:
        lead = lead[1:]  # it may have been cut at the scan's start
    lead = lead[-want:]
    starts = [k for k in range(len(lead)) if _starts_sentence(text, lead[k][0])]
    lead = lead[starts[-1]:] if starts else lead[-max(LEAD, fill):] if max(LEAD, fill) else []
    spans = (lead + rest)[:TOKENS]
    return spans[0][0], spans[-1][1]


def quick_snippet(text, words):
    """A marked fragment of ``text`` around the words, or None when FTS5 should make it."""
    if not text or not words or not all(_single_token(w) for w in words):
        return None
    low = text.lower()
    if len(low) != len(text):  # a character whose lower case is longer: offsets would drift
        return None
    words = list(dict.fromkeys(w.lower() for w in words))
    hits = _whole_word_hits(low, words)
    if not hits:  # the match is in the title, tags or URL: FTS5 shows the text's first words
        return _opening(text, words) if _surely_unmatched(low, words) else None
    start = hits[0][0]
    if len(words) > 1:  # start at the hit with the most distinct words close after it
        most = 0
        for hit_start, _end, _index in hits:
            near = len({i for s, _e, i in hits if hit_start <= s < hit_start + NEAR})
            if near > most:
                most, start = near, hit_start
            if near == len(words):
                break
    lo, hi = _window(text, start)
    out, at = [], lo
    for start, end, _index in hits:
        if start >= lo and end <= hi:
            out += [text[at:start], START, text[start:end], STOP]
            at = end
    more_after = TOKEN_CHAR.search(text, hi) is not None
    out.append(text[at:hi] if more_after else text[at:])  # the text's last words keep their full stop
    before = "…" if TOKEN_CHAR.search(text, 0, lo) else ""
    after = "…" if more_after else ""
    return before + " ".join("".join(out).split()) + after


def _surely_unmatched(low, words):
    """True when the index cannot match any of ``words`` in ``low`` (ASCII, and no word sharing a
    searched word's first two letters, which porter might stem to the same; see ``quick_highlight``)."""
    if not low.isascii() or not all(w.isascii() for w in words):
        return False
    heads = {w[:2] for w in words}
    return not any(m.group()[:2] in heads for m in TOKEN.finditer(low))


def _opening(text, words):
    """FTS5's snippet of a text without matches: its first TOKENS tokens, ``…`` when more follow."""
    spans = [m.span() for m in islice(TOKEN.finditer(text), TOKENS)]
    if not spans:
        return text.strip() or None
    more_after = TOKEN_CHAR.search(text, spans[-1][1]) is not None
    end = spans[-1][1] if more_after else len(text)
    return " ".join(text[:end].split()) + ("…" if more_after else "")


def quick_highlight(text, words):
    """``text`` with every whole-word match marked, or None when FTS5 might mark other words too.

    The index stems (porter) and folds accents, so a title word that shares its
    first two letters with a searched word without being it ("prisms" for "prism"),
    or any letter outside ASCII, leaves the marking to FTS5.
    """
    if not words or not all(_single_token(w) and w.isascii() for w in words) or not text.isascii():
        return None
    low = text.lower()
    words = list(dict.fromkeys(w.lower() for w in words))
    heads = {w[:2] for w in words}
    if any(m.group() not in words and m.group()[:2] in heads for m in TOKEN.finditer(low)):
        return None
    out, at = [], 0
    for start, end, _index in _whole_word_hits(low, words):
        out += [text[at:start], START, text[start:end], STOP]
        at = end
    out.append(text[at:])
    return "".join(out)


FRAGMENTS = " ... "  # what ts_headline puts between fragments
PIECES = re.compile(f"([{START}{STOP}]|{re.escape(FRAGMENTS)})")


def unfolded(marked, original, folded):
    """A fragment PostgreSQL marked in ``folded`` (``original`` with accents folded, one character
    for one) with ``original``'s characters again; unchanged when nothing was folded (``folded`` None).

    A piece of text not found as such (ts_headline put a space for an HTML tag) stays folded.
    """
    if not marked or folded is None:
        return marked
    out, at = [], 0
    for piece in PIECES.split(marked):
        found = -1 if PIECES.fullmatch(piece) else folded.find(piece, at)
        if found < 0 and piece and not PIECES.fullmatch(piece):
            found = folded.find(piece)  # a fragment before the one shown first
        if found < 0:
            out.append(piece)
        else:
            out.append(original[found:found + len(piece)])
            at = found + len(piece)
    return "".join(out)


def cjk_marked(marked, phrases):
    """A fragment in which ts_headline marked each character of a CJK phrase wherever it stands
    (北京 for 東京), with only the ``phrases`` (as the index holds them) marked."""
    if not marked or not phrases:
        return marked
    marked = CJK_MARKED.sub(r"\1", marked)
    for phrase in phrases:
        marked = marked.replace(phrase, START + phrase + STOP)
    return marked
