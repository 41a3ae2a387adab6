"""Line diffs between two pastes, file by file, ready for a template to colour (``suite.linediff``)."""
from dataclasses import dataclass

from suite.linediff import LineDiff, diff_lines


@dataclass
class FileDiff(LineDiff):
    """The diff of one pair of files: their labels and ``LineDiff``'s rows and flags.

    A side's label is the file's name, "File N" for an unnamed file, or "(removed)" /
    "(added)" when the file is missing on that side.
    """

    old_name: str = ""
    new_name: str = ""


def _label(paste_file, position, missing):
    if paste_file is None:
        return missing
    return paste_file.name or f"File {position + 1}"


def _lines(paste_file):
    if paste_file is None:
        return []
    lines = paste_file.content.split("\n")
    return lines[:-1] if lines[-1] == "" else lines


def diff_pastes(old, new):
    """FileDiffs pairing the files of two pastes by position."""
    olds, news = old.files, new.files
    diffs = []
    for i in range(max(len(olds), len(news))):
        a = olds[i] if i < len(olds) else None
        b = news[i] if i < len(news) else None
        found = diff_lines(_lines(a), _lines(b))
        diffs.append(FileDiff(found.rows, found.truncated, found.approximate,
                              _label(a, i, "(added)"), _label(b, i, "(removed)")))
    return diffs
