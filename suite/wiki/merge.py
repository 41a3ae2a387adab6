"""Three-way merge of lines (diff3): what two people changed from a common base.

The classic algorithm (as in GNU diff3 and bzr's merge3): find the regions where
base, ours and theirs all agree, then decide each region in between: taken from
the side that changed it, or a conflict when both changed it differently.
"""
import difflib
from dataclasses import dataclass


@dataclass
class MergeResult:
    """The merged text and how many regions could not be merged."""

    text: str
    conflicts: int


def split_lines(text):
    """Lines with their endings, so joining them gives the text back."""
    return text.splitlines(keepends=True)


def _sync_regions(base, a, b):
    """(base_start, base_end, a_start, a_end, b_start, b_end) of regions equal in all three."""
    amatches = difflib.SequenceMatcher(None, base, a, autojunk=False).get_matching_blocks()
    bmatches = difflib.SequenceMatcher(None, base, b, autojunk=False).get_matching_blocks()
    regions, ia, ib = [], 0, 0
    while ia < len(amatches) and ib < len(bmatches):
        abase, amatch, alen = amatches[ia]
        bbase, bmatch, blen = bmatches[ib]
        start, end = max(abase, bbase), min(abase + alen, bbase + blen)
        if start < end:
            asub, bsub = amatch + (start - abase), bmatch + (start - bbase)
            regions.append((start, end, asub, asub + end - start, bsub, bsub + end - start))
        if abase + alen < bbase + blen:
            ia += 1
        else:
            ib += 1
    regions.append((len(base), len(base), len(a), len(a), len(b), len(b)))
    return regions


def merge_chunks(base, a, b):
    """Yield ("same", lines) or ("conflict", base_lines, a_lines, b_lines) in order."""
    iz = ia = ib = 0
    for zmatch, zend, amatch, aend, bmatch, bend in _sync_regions(base, a, b):
        base_chunk, a_chunk, b_chunk = base[iz:zmatch], a[ia:amatch], b[ib:bmatch]
        if a_chunk == b_chunk or b_chunk == base_chunk:
            yield ("same", a_chunk)
        elif a_chunk == base_chunk:
            yield ("same", b_chunk)
        else:
            yield ("conflict", base_chunk, a_chunk, b_chunk)
        yield ("same", base[zmatch:zend])
        iz, ia, ib = zend, aend, bend


def merge3(base, ours, theirs):
    """Merge two edits of ``base``; conflicting regions keep ``ours`` in the text and are counted."""
    out, conflicts = [], 0
    for chunk in merge_chunks(split_lines(base), split_lines(ours), split_lines(theirs)):
        if chunk[0] == "conflict":
            conflicts += 1
            out.extend(chunk[2])
        else:
            out.extend(chunk[1])
    return MergeResult("".join(out), conflicts)


def unified_diff(old, new, old_label="old", new_label="new"):
    """A unified diff of two texts, as a list of lines."""
    return list(difflib.unified_diff(split_lines(old), split_lines(new), old_label, new_label, n=3))


def diff_rows(old, new):
    """Rows for a side-by-side-free diff view: (kind, line) with kind in ' ', '-', '+', '@'."""
    rows = []
    for line in unified_diff(old, new)[2:]:
        kind = line[:1] if line[:1] in "-+@" else " "
        rows.append((kind, line[1:].rstrip("\n") if kind != "@" else line.rstrip("\n")))
    return rows
