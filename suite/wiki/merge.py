"""Three-way merge of lines (diff3): what two people changed from a common base.

The classic algorithm (as in GNU diff3 and bzr's merge3): find the regions where
base, ours and theirs all agree, then decide each region in between: taken from
the side that changed it, or a conflict when both changed it differently.

Each two-way diff is ``suite.linediff``'s: the common head and tail dropped, anchors on
lines that occur once on each side (as patience diff does), only the gaps between
anchors left to ``difflib``. That stays fast on big pages with many repeated lines;
what is still too costly (thousands of look-alike lines changed on both sides)
raises ``MergeTooCostly`` after ``MERGE_BUDGET`` line comparisons instead of
running for seconds.
"""
from dataclasses import dataclass

from suite.linediff import Budget, TooCostly, diff_lines, matching_blocks

MERGE_BUDGET = 5_000_000  # line comparisons per merge: about half a second of difflib
MergeTooCostly = TooCostly  # the two edits are too large and too alike to line up in reasonable time


@dataclass
class MergeResult:
    """The merged text and how many regions could not be merged."""

    text: str
    conflicts: int


def split_lines(text):
    """Lines with their endings, so joining them gives the text back."""
    return text.splitlines(keepends=True)


def _sync_regions(base, a, b, budget):
    """(base_start, base_end, a_start, a_end, b_start, b_end) of regions equal in all three."""
    amatches = matching_blocks(base, a, budget)
    bmatches = matching_blocks(base, b, budget)
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


def merge_chunks(base, a, b, budget=None):
    """Yield ("same", lines) or ("conflict", base_lines, a_lines, b_lines) in order; may raise MergeTooCostly."""
    iz = ia = ib = 0
    spend = Budget(MERGE_BUDGET if budget is None else budget)
    for zmatch, zend, amatch, aend, bmatch, bend in _sync_regions(base, a, b, spend):
        base_chunk, a_chunk, b_chunk = base[iz:zmatch], a[ia:amatch], b[ib:bmatch]
        if a_chunk == b_chunk or b_chunk == base_chunk:
            yield ("same", a_chunk)
        elif a_chunk == base_chunk:
            yield ("same", b_chunk)
        else:
            yield ("conflict", base_chunk, a_chunk, b_chunk)
        yield ("same", base[zmatch:zend])
        iz, ia, ib = zend, aend, bend


def _ended(lines):
    """``lines`` whose last line ends with a newline (a marker must start a line of its own)."""
    return lines[:-1] + [lines[-1] + "\n"] if lines and not lines[-1].endswith("\n") else lines


def merge3(base, ours, theirs, budget=None, markers=None):
    """Merge two edits of ``base``; conflicting regions are counted (or MergeTooCostly).

    A conflicting region keeps ``ours``; with ``markers=(our_label, their_label)`` it shows both
    sides between git-style markers instead::

        <<<<<<< our_label
        our lines
        =======
        their lines
        >>>>>>> their_label
    """
    out, conflicts = [], 0
    for chunk in merge_chunks(split_lines(base), split_lines(ours), split_lines(theirs), budget):
        if chunk[0] != "conflict":
            out.extend(chunk[1])
            continue
        conflicts += 1
        if markers is None:
            out.extend(chunk[2])
        else:
            out += [f"<<<<<<< {markers[0]}\n", *_ended(chunk[2]), "=======\n", *_ended(chunk[3]),
                    f">>>>>>> {markers[1]}\n"]
    return MergeResult("".join(out), conflicts)


def diff_rows(old, new):
    """A diff view's ``LineDiff`` of two page texts (lines without their endings)."""
    return diff_lines(old.splitlines(), new.splitlines())
