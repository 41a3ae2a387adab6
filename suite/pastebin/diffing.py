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


def _keys(files):
    """Each file's pairing key: its name and which file of that name it is (unnamed files: "")."""
    seen, keys = {}, []
    for f in files:
        seen[f.name] = seen.get(f.name, 0) + 1
        keys.append((f.name, seen[f.name]))
    return keys


def pair_files(olds, news):
    """(old index, new index) pairs, None for the side a file is missing on, in reading order.

    Files of the same name pair up (the first README.md with the first, the second with the
    second); unnamed files pair by their order among the unnamed. So a file added in front,
    or files put in another order, leave every other file paired with itself. Pairs follow
    the new version's order; a removed file comes before the first pair that followed it.
    """
    old_keys, new_keys = _keys(olds), _keys(news)
    old_at, kept = {key: i for i, key in enumerate(old_keys)}, set(new_keys)
    removed = [i for i, key in enumerate(old_keys) if key not in kept]
    pairs = []
    for j, key in enumerate(new_keys):
        i = old_at.get(key)
        while i is not None and removed and removed[0] < i:
            pairs.append((removed.pop(0), None))
        pairs.append((i, j))
    return pairs + [(i, None) for i in removed]


def diff_pastes(old, new):
    """FileDiffs of two pastes' files, paired by name (``pair_files``)."""
    olds, news = old.files, new.files
    diffs = []
    for i, j in pair_files(olds, news):
        a = None if i is None else olds[i]
        b = None if j is None else news[j]
        found = diff_lines(_lines(a), _lines(b))
        diffs.append(FileDiff(found.rows, found.truncated, found.approximate,
                              _label(a, i, "(added)"), _label(b, j, "(removed)")))
    return diffs
