"""Choosing a lexer and turning a file into stored, line-anchored HTML, bounded in time and size.

Pygments runs in a forked worker (``suite.workers``) killed after
``HIGHLIGHT_TIMEOUT``; files above ``HIGHLIGHT_MAX_BYTES`` or lexers that overrun
are shown as plain text with a notice. Results are stored in ``Highlight`` keyed
by content hash, lexer and Pygments version, so a view only reads them.

Only the ``pygments`` package itself (its version) is imported up front: its
lexer and formatter registries load on first use. The web process looks lexers up
by class (names, aliases) and never instantiates one, which would compile its
regular expressions: only the worker lexes.
"""
import hashlib
import os
import re
import time
from functools import lru_cache

import pygments
from flask import current_app
from markupsafe import escape
from peewee import IntegrityError

from suite.database import Prepared
from suite.errors import InvalidInput
from suite.extensions import db
from suite.pastebin.markup import render_markdown
from suite.pastebin.models import Highlight
from suite.workers import WorkerPool, WorkFailed, WorkTimeout

AUTO = "auto"
PLAIN = "text"
MARKDOWN = "markdown"
#: Pseudo-lexer under which rendered Markdown is stored.
RENDERED = "markdown-rendered"
GUESS_PREFIX = 4096
#: A guess without a file name counts only above this score (Pygments' ``analyse_text``, 0 to 1).
GUESS_CONFIDENCE = 0.6
#: Beginnings that name their language whatever a lexer's score says (Pygments gives an HTML
#: doctype 0.5, ``<?php`` 0.3, an XML declaration 0.45: under ``GUESS_CONFIDENCE``).
UNMISTAKABLE = ((re.compile(r"\A\s*<!doctype\s+html\b", re.IGNORECASE), "html"),
                (re.compile(r"\A\s*<\?php\b"), "php"),
                (re.compile(r"\A\s*<\?xml\s"), "xml"))
#: An import line as Python writes it: ``import os``, ``import a.b as c, d``, ``from x import (y``.
PYTHON_IMPORT = re.compile(r"^[ \t]*(?:from[ \t]+\.*[\w.]*[ \t]+import[ \t]+[\w(*]"
                           r"|import[ \t]+[\w.]+[ \t]*(?:,|as[ \t]|#|$))", re.MULTILINE)
VERSION = pygments.__version__
#: Placeholder for the per-file anchor prefix (escaped text never holds a bare "&").
ANCHOR = "&A;"


@lru_cache(maxsize=1)
def language_choices():
    """(alias, name) of every Pygments lexer, sorted by name."""
    from pygments.lexers import get_all_lexers
    return sorted(((aliases[0], name) for name, aliases, _, _ in get_all_lexers() if aliases),
                  key=lambda pair: pair[1].lower())


@lru_cache(maxsize=1)
def _names_to_alias():
    return {name.lower(): alias for alias, name in language_choices()}


def normalize_language(lang):
    """The canonical alias for a language name or alias; ``auto`` for empty; InvalidInput if unknown."""
    lang = (lang or "").strip()
    if not lang or lang.lower() == AUTO:
        return AUTO
    from pygments.lexers import find_lexer_class_by_name
    from pygments.util import ClassNotFound
    alias = _names_to_alias().get(lang.lower(), lang.lower())
    try:
        return find_lexer_class_by_name(alias).aliases[0]
    except ClassNotFound:
        raise InvalidInput(f"Unknown language {lang[:40]!r}: pick one from the list or use auto.") from None


def language_for_filename(filename):
    """The lexer alias for a file name's extension, or None (no content is looked at).

    An ambiguous extension (``.pl``: Perl or Prolog) gets Pygments' first choice; a name
    no pattern matches is tried again in lower case (``README.MD``, ``SCRIPT.PY``).
    """
    if not filename:
        return None
    from pygments.lexers import find_lexer_class_for_filename
    found = find_lexer_class_for_filename(filename) or find_lexer_class_for_filename(filename.lower())
    return found.aliases[0] if found is not None and found.aliases else None


def filename_candidates(filename):
    """Names of the lexers whose file patterns match ``filename`` (else its lower-case form).

    Read from Pygments' table of lexers: no lexer module is imported.
    """
    if not filename:
        return []
    from fnmatch import fnmatchcase

    from pygments.lexers import get_all_lexers
    for name in dict.fromkeys((filename, filename.lower())):
        found = [lexer for lexer, _aliases, patterns, _types in get_all_lexers()
                 if any(fnmatchcase(name, pattern) for pattern in patterns)]
        if found:
            return found
    return []


def language_name(alias):
    """A lexer's display name ("Python" for ``python``)."""
    from pygments.lexers import find_lexer_class_by_name
    from pygments.util import ClassNotFound
    try:
        return find_lexer_class_by_name(alias).name
    except ClassNotFound:
        return alias


def choose_language(lang, filename, content, deadline=None):
    """The chosen language, else the file name's, else the ``#!`` line's, else a bounded guess.

    An extension several lexers claim (``.pl``: Perl or Prolog; ``.m``, ``.h``) is settled by
    the ``#!`` line, else by the text's first 4 KB within the time budget, else Pygments'
    first choice. A guess without a file name is ``text`` when unsure.
    """
    lang = normalize_language(lang)
    if lang != AUTO:
        return lang
    candidates = filename_candidates(filename)
    if len(candidates) != 1 and content.startswith("#!"):
        shebang = _shebang_language(content.split("\n", 1)[0])
        if shebang:
            return shebang
    if len(candidates) > 1:
        return _run_guess("guess_among", candidates, content[:GUESS_PREFIX], deadline=deadline) \
            or language_for_filename(filename)
    if candidates:
        return language_for_filename(filename)
    return _run_guess("guess", content[:GUESS_PREFIX], deadline=deadline) or PLAIN


def _run_guess(name, *args, deadline):
    """A guess in a worker within what is left of the budget; None when there is no time or it fails."""
    timeout = _timeout() if deadline is None else min(_timeout(), deadline - time.monotonic())
    if timeout < 0.05:
        return None
    try:
        return pool().run(name, *args, timeout=timeout)
    except (WorkTimeout, WorkFailed):
        return None


#: Programs of ``#!`` lines that name no lexer of theirs.
SHEBANG_PROGRAMS = {"node": "javascript", "nodejs": "javascript", "bun": "javascript", "deno": "typescript",
                    "ts-node": "typescript", "tsx": "typescript", "rscript": "r", "osascript": "applescript",
                    "runghc": "haskell", "runhaskell": "haskell", "jshell": "java"}


def _shebang_language(line):
    words = [w for w in line[2:].split() if not w.startswith("-") and "=" not in w]
    if words and os.path.basename(words[0]) == "env":
        words = words[1:]
    program = os.path.basename(words[0]) if words else ""
    program = re.sub(r"[\d.]+$", "", program)
    program = SHEBANG_PROGRAMS.get(program.lower(), program)
    from pygments.lexers import find_lexer_class_by_name
    from pygments.util import ClassNotFound
    try:
        return find_lexer_class_by_name(program).aliases[0] if program else None
    except ClassNotFound:
        return None


# --- what runs inside the worker -------------------------------------------------------------

def _guess(prefix):
    """Pygments' guess for text without a file name, or ``text`` unless it is a confident one.

    Confident: named by an editor modeline (``vim: ft=``), an ``UNMISTAKABLE`` beginning, or scored above
    ``GUESS_CONFIDENCE`` by the lexer's own test. Pygments hands out 0.5 for any
    ``[name]`` (T-SQL: YAML and Markdown were "tsql"), and 1.0 to Python for any
    ``import `` (Go's ``import "fmt"``, Java's), so a Python guess also needs an import
    line written the Python way.
    """
    from pygments.lexers import get_lexer_by_name, guess_lexer
    from pygments.modeline import get_filetype_from_buffer
    from pygments.util import ClassNotFound, shebang_matches
    try:
        named = get_filetype_from_buffer(prefix)
        if named:
            return get_lexer_by_name(named).aliases[0]
    except (ClassNotFound, IndexError):
        pass
    for start, alias in UNMISTAKABLE:
        if start.match(prefix):
            return alias
    try:
        lexer = type(guess_lexer(prefix))
    except ClassNotFound:
        return PLAIN
    if not lexer.aliases or lexer.analyse_text(prefix) <= GUESS_CONFIDENCE:
        return PLAIN
    if lexer.aliases[0] == "python" and not PYTHON_IMPORT.search(prefix) \
            and not shebang_matches(prefix, r"pythonw?(3(\.\d+)?)?"):
        return PLAIN
    return lexer.aliases[0]


def _guess_among(names, prefix):
    """The lexer among ``names`` (full names) whose ``analyse_text`` likes ``prefix`` best, None at no evidence."""
    from pygments.lexers import find_lexer_class
    scored = []
    # Plain text claims every .txt with a token 0.01: CMakeLists.txt and todo.txt went to it by that alone.
    for name in [n for n in names if n != "Text only"]:
        lexer = find_lexer_class(name)  # imports that lexer's module only
        if lexer is not None and lexer.aliases:
            scored.append((lexer.analyse_text(prefix), lexer.priority, lexer.aliases[0]))
    best = max(scored, default=None)
    return best[2] if best is not None and best[0] > 0 else None


def _lex(code, alias):
    from pygments import highlight as pygments_highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import get_lexer_by_name
    formatter = HtmlFormatter(nowrap=True)
    return pygments_highlight(code, get_lexer_by_name(alias, stripnl=False, ensurenl=False), formatter)


WORK = {"guess": _guess, "guess_among": _guess_among, "lex": _lex, "markdown": render_markdown}
_pool = {"pool": None}


def pool():
    """The process-wide worker pool."""
    if _pool["pool"] is None:
        _pool["pool"] = WorkerPool(WORK)
    return _pool["pool"]


def _timeout():
    return current_app.config["HIGHLIGHT_TIMEOUT"]


# --- stored, line-anchored HTML --------------------------------------------------------------

def content_hash(content):
    """SHA-256 of a file's text, the key of its stored highlight."""
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def numbered_lines(html_lines):
    """Wrap each line of HTML in an anchored block with a line-number link (the stored form).

    The newline sits inside each line's span so copying the ``<pre>`` yields the text.
    """
    return "".join(f'<span class="line" id="{ANCHOR}L{n}"><a class="ln" href="#{ANCHOR}L{n}" '
                   f'data-n="{n}"></a>{line}\n</span>' for n, line in enumerate(html_lines, 1))


def _split(text):
    lines = text.split("\n")
    if len(lines) > 1 and lines[-1] == "":
        lines.pop()
    return lines


def plain_html(content):
    """The stored form of a file shown without highlighting."""
    return numbered_lines(_split(str(escape(content))))


def highlight_file(content, lang, timeout=None):
    """(html, notice): Pygments in a worker, or plain text with a notice when too big or too slow.

    ``lang == RENDERED`` renders Markdown (sanitized) instead; its fallback is empty HTML.
    "Too slow" is a verdict only on a run that had the full ``HIGHLIGHT_TIMEOUT``:
    when a shorter ``timeout`` (what was left of a request's budget) runs out,
    WorkTimeout is raised instead, so nothing is stored and the file can be retried.
    """
    limit = current_app.config["HIGHLIGHT_MAX_BYTES"]
    fallback = "" if lang == RENDERED else None
    if lang == PLAIN:
        return plain_html(content), ""
    if len(content.encode("utf-8")) > limit:
        return _fallback(content, fallback), f"Shown as source: the file is over {limit // 1024} KB."
    try:
        if lang == RENDERED:
            return pool().run("markdown", content, timeout=timeout or _timeout()), ""
        html = pool().run("lex", content, lang, timeout=timeout or _timeout())
    except WorkTimeout:
        if timeout is not None and timeout < _timeout():
            raise
        return _fallback(content, fallback), "Shown without highlighting: it took too long."
    except WorkFailed:
        return _fallback(content, fallback), "Shown without highlighting: the highlighter failed."
    return numbered_lines(_split(html)), ""


def _fallback(content, fallback):
    return plain_html(content) if fallback is None else fallback


STORED = Prepared(lambda digest, lang: Highlight.select().where(
    Highlight.content_hash == digest, Highlight.lexer == lang, Highlight.version == VERSION).limit(1))


def stored_highlight(content, lang):
    """The stored Highlight for this text and lexer, or None (views call this, never Pygments)."""
    return STORED.first(content_hash(content), lang)


def ensure_highlight(content, lang, timeout=None):
    """The stored Highlight, computing and saving it first when missing.

    None when a ``timeout`` shorter than the full budget ran out: nothing is
    stored, and the caller leaves the file to a run with the full budget.
    """
    found = stored_highlight(content, lang)
    if found is not None:
        return found
    try:
        html, notice = highlight_file(content, lang, timeout)
    except WorkTimeout:
        return None
    try:
        with db.atomic():
            return Highlight.create(content_hash=content_hash(content), lexer=lang, version=VERSION,
                                    html=html, notice=notice)
    except IntegrityError:  # another request stored it first
        return stored_highlight(content, lang)


def anchored(html, position):
    """Stored HTML with the anchors of the file at ``position`` (``L3`` first, ``f2-L3`` later)."""
    return html.replace(ANCHOR, "" if position == 0 else f"f{position + 1}-")


def stylesheet(style):
    """CSS for one Pygments style, scoped to ``.code`` (served as a static file)."""
    from pygments.formatters import HtmlFormatter
    return HtmlFormatter(style=style).get_style_defs(".code")
