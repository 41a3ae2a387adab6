"""Plain text rules shared by the apps: the characters nobody types and XML 1.0 cannot hold,
and text no database can hold (``encodable``).

C0 control characters other than tab and line ends (ANSI escapes from terminal logs, form
feeds) and U+FFFE/U+FFFF: an Atom feed holding one is not XML, and feed readers refuse it
whole. The apps drop them from titles and summaries when saving; ``xml_text``, a template
filter of every app, drops them again when a feed is written (rows saved earlier, pastes,
which keep their bytes).
"""
import re
import unicodedata

from markupsafe import Markup, escape

NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def strip_control(value):
    """``value`` as text without the characters XML 1.0 forbids (tab and line ends stay)."""
    return NOT_IN_XML.sub("", "" if value is None else str(value))


def unix_line_ends(text):
    """Text with every line end as LF (CRLF and lone CR become LF).

    Browsers send a textarea's line ends as CRLF whatever they showed, and API clients send what
    their platform writes. Stored text has LF only, whichever way it came: counted with its CRs, a
    text saved at a length limit would be "too long" on every later edit, and a diff would show
    every line changed.
    """
    return text.replace("\r\n", "\n").replace("\r", "\n") if text else text


def word_characters(text, keep="", between=""):
    """``text`` in NFC with each run of characters that are not letters, marks, digits, ``_``
    or in ``keep`` made into ``between`` (nothing by default).

    Python's ``\\w`` leaves out marks: the vowel signs of हिन्दी, தமிழ், ภาษาไทย, and an
    accent typed apart as macOS does (``cafe`` + U+0301), so a name cleaned with it lost them.
    """
    out, in_run = [], False
    for char in unicodedata.normalize("NFC", text):
        if char == "_" or char in keep or unicodedata.category(char)[0] in "LMN":
            out.append(char)
            in_run = False
        elif not in_run:
            out.append(between)
            in_run = True
    return "".join(out)


def encodable(value):
    """Whether every string in ``value``, at any depth (dicts, lists), can be stored: JSON's
    "\\ud800" escapes decode to lone surrogates, which UTF-8 (and so no database) cannot hold."""
    pending = [value]
    while pending:  # a walk, not recursion: nesting depth is the parser's business, not this one's
        item = pending.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return True


TRAILING_SPACE = re.compile(r"[ \t]+$")


def diff_line(line, kind):
    """A diff row's text as HTML, its trailing spaces and tabs made visible on changed rows.

    A change of trailing spaces alone (two make a Markdown line break) would otherwise show as a
    removed and an added line that look the same.
    """
    found = TRAILING_SPACE.search(line) if kind in ("add", "del") else None
    if found is None:
        return escape(line)
    marks = found.group().replace(" ", "·").replace("\t", "→")
    return escape(line[:found.start()]) + Markup('<span class="trailing-space" title="trailing spaces and tabs">'
                                                 '{}</span>').format(marks)


def init_app(app):
    """Register ``xml_text`` for the feeds' templates and ``diff_line`` for the diff views."""
    app.add_template_filter(strip_control, "xml_text")
    app.add_template_filter(diff_line, "diff_line")


def sort_key(text):
    """Where a text files in A–Z lists: case and accents aside, so Ärger sits beside Apfel and
    Éclair among the E's (NFKD, case-folded, without combining marks)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))
