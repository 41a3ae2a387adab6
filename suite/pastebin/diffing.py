"""Line diffs between two pastes (difflib), file by file, ready for a template to colour."""
import difflib
from dataclasses import dataclass, field

MAX_DIFF_LINES = 20000


@dataclass
class FileDiff:
    """The diff of one pair of files: names and (kind, old_no, new_no, text) rows."""

    old_name: str
    new_name: str
    rows: list = field(default_factory=list)
    truncated: bool = False

    @property
    def changed(self):
        """True when the two files differ."""
        return any(kind in ("add", "del") for kind, *_ in self.rows)


def diff_lines(old, new, context=3):
    """Rows for a unified diff of two texts: kind is ``hunk``, ``add``, ``del`` or ``same``."""
    rows = []
    matcher = difflib.SequenceMatcher(None, old, new)
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        rows.append(("hunk", None, None, f"@@ -{first[1] + 1},{last[2] - first[1]} "
                                         f"+{first[3] + 1},{last[4] - first[3]} @@"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                rows += [("same", i + 1, j + 1, old[i]) for i, j in zip(range(i1, i2), range(j1, j2), strict=True)]
                continue
            rows += [("del", i + 1, None, old[i]) for i in range(i1, i2)]
            rows += [("add", None, j + 1, new[j]) for j in range(j1, j2)]
    return rows


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
        rows = diff_lines(_lines(a), _lines(b))
        diffs.append(FileDiff(a.name if a else "", b.name if b else "", rows[:MAX_DIFF_LINES],
                              len(rows) > MAX_DIFF_LINES))
    return diffs
