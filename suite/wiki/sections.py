"""A page's sections, for editing one at a time as in MediaWiki.

Each heading at the top level of the page starts a section, which runs to the next heading of
its level or higher (its subsections are part of it). Headings are found as Python-Markdown
finds them: ``#`` to ``######`` at the start of a line, or a line underlined with ``===`` or
``---`` that starts a block, never inside a fenced code block. The renderer compares the headings
it made at the top level with these; only when they are as many, each with the same words, does
a page show its sections' edit links, so a heading this reading misses or takes wrongly (one in
a raw HTML block, say) never sends an edit to the wrong place.
"""
import re
from bisect import bisect_right

from suite.errors import InvalidInput
from suite.text import unix_line_ends

# an opening fence as Python-Markdown's fenced_code takes one: the fence, then at most a language or {attributes}
FENCE_RE = re.compile(r"^(`{3,}|~{3,})[ ]*(?:\{[^}\n]*\}|\.?[\w#.+-]*[ ]*(?:hl_lines=(\"|').*?\2)?)[ ]*$")
HASH_RE = re.compile(r"^(#{1,6})(.*?)#*[ \t]*$")
UNDERLINE_RE = re.compile(r"^(=+|-+)[ \t]*$")
STASHED_RE = re.compile("\x02[^\x03]*\x03")
RULE_RE = re.compile(r"^ {0,3}([-*_])(?: *\1){2,} *$")  # a horizontal rule ends a block, as a heading does


def headings(text):
    """``[(line index, level, words)]`` of the headings that start sections, in order."""
    lines = text.split("\n")
    closings = {}  # fence → the lines that could close it, in order: each opening looks its closing up
    for i, line in enumerate(lines):
        if line[:1] in "`~" and line.rstrip(" ") and line.rstrip(" ").strip(line[0]) == "":
            closings.setdefault(line.rstrip(" "), []).append(i)
    found, fence, block_start = [], None, True
    for i, line in enumerate(lines):
        if fence:
            if line.rstrip(" ") == fence:
                fence, block_start = None, True
            continue
        opening = FENCE_RE.match(line)
        later = closings.get(opening.group(1), []) if opening else []
        if opening and bisect_right(later, i) < len(later):  # unclosed, it is text
            fence = opening.group(1)
            continue
        hashed = HASH_RE.match(line)
        if hashed:
            found.append((i, len(hashed.group(1)), hashed.group(2).strip()))
            block_start = True
            continue
        if block_start and line.strip() and not line.startswith(("    ", "\t", "!!! ")) and i + 1 < len(lines) \
                and UNDERLINE_RE.match(lines[i + 1]):  # (an admonition's first line is not a heading's)
            found.append((i, 1 if lines[i + 1].startswith("=") else 2, line.strip()))
        block_start = not line.strip() or bool(RULE_RE.match(line))
    return found


def same_heading(shown, level, written):
    """Whether a heading element ``shown`` may have been written as the heading ``(level, written)``: of
    that level, and its letters and digits appear there in order (``*Install* [[Setup|now]]`` shows
    "Install now"); one without any is written as shown."""
    if shown.tag != f"h{level}":
        return False
    # the toc's permalink is in it by now, and Markdown's placeholders of entities and raw HTML
    text = STASHED_RE.sub("", "".join(shown.itertext()).replace("¶", ""))
    if not any(c.isalnum() for c in text):
        return text.strip() == written.strip()
    letters = iter(c for c in written.casefold() if c.isalnum())
    return all(c in letters for c in text.casefold() if c.isalnum())


def section_span(text, number):
    """``(first line, end line, words)`` of section ``number`` (1 is the first heading's), or InvalidInput."""
    found = headings(text)
    if not 1 <= number <= len(found):
        raise InvalidInput(f"This page has no section {number}: it has {len(found)}. "
                           "Edit the whole page, or open the section's edit link again.")
    start, level, words = found[number - 1]
    end = next((line for line, other, _ in found[number:] if other <= level), len(text.split("\n")))
    return start, end, words


def section_text(text, number):
    """The text of section ``number``: its heading, its body and its subsections."""
    start, end, _ = section_span(text, number)
    return "\n".join(text.split("\n")[start:end])


def replace_section(text, number, new):
    """``text`` with section ``number`` replaced by ``new`` (empty: the section is removed)."""
    start, end, _ = section_span(text, number)
    lines = text.split("\n")
    if not new.strip():
        return "\n".join(lines[:start] + lines[end:])
    new_lines = unix_line_ends(new).split("\n")
    while new_lines and new_lines[-1] == "":
        new_lines.pop()
    # it ends as the section did: the blank line before the next heading (one underlined with --- needs
    # it to stay a heading) is kept, whether or not the editor's text ended with a line end
    kept_end = len(lines[start:end]) - len("\n".join(lines[start:end]).rstrip("\n").split("\n"))
    return "\n".join(lines[:start] + new_lines + [""] * kept_end + lines[end:])
