"""Three-way merge of lines (diff3): what two people changed from a common base.

The classic algorithm (as in GNU diff3 and bzr's merge3): find the regions where
base, ours and theirs all agree, then decide each region in between: taken from
the side that changed it, or a conflict when both changed it differently.

Each two-way diff first drops the common head and tail, then anchors on lines that
occur once on each side (as patience diff does) and leaves only the gaps between
anchors to ``difflib``. That stays fast on big pages with many repeated lines;
what is still too costly (thousands of look-alike lines changed on both sides)
raises ``MergeTooCostly`` after ``MERGE_BUDGET`` line comparisons instead of
running for seconds.
"""
import bisect
import difflib
from collections import Counter
from dataclasses import dataclass

MERGE_BUDGET = 5_000_000  # line comparisons per merge: about half a second of difflib


class MergeTooCostly(Exception):
    """The two edits are too large and too alike to line up in reasonable time."""


@dataclass
class MergeResult:
    """The merged text and how many regions could not be merged."""

    text: str
    conflicts: int


def split_lines(text):
    """Lines with their endings, so joining them gives the text back."""
    return text.splitlines(keepends=True)


class _Budget:
    """Line comparisons left for one merge."""

    def __init__(self, comparisons):
        self.left = comparisons

    def spend(self, comparisons):
        self.left -= comparisons
        if self.left < 0:
            raise MergeTooCostly("These edits are too large to merge automatically.")


class _BudgetedMatcher(difflib.SequenceMatcher):
    """difflib without junk heuristics, charging each longest-match search to a budget first."""

    def __init__(self, a, b, budget):
        self.budget = budget
        super().__init__(None, a, b, autojunk=False)

    def find_longest_match(self, alo=0, ahi=None, blo=0, bhi=None):
        ahi = len(self.a) if ahi is None else ahi
        bhi = len(self.b) if bhi is None else bhi
        # The search visits, for each line of a[alo:ahi], every position of it in b below bhi.
        self.budget.spend(ahi - alo + sum(bisect.bisect_left(self.b2j.get(line, ()), bhi)
                                          for line in self.a[alo:ahi]))
        return super().find_longest_match(alo, ahi, blo, bhi)


def _unique_anchors(a, alo, ahi, b, blo, bhi):
    """(i, j) pairs of lines found exactly once in a[alo:ahi] and in b[blo:bhi], in order on both sides."""
    count_a, count_b = Counter(a[alo:ahi]), Counter(b[blo:bhi])
    where_b = {b[j]: j for j in range(blo, bhi) if count_b[b[j]] == 1}
    pairs = [(i, where_b[a[i]]) for i in range(alo, ahi) if count_a[a[i]] == 1 and a[i] in where_b]
    # Longest increasing run of b positions (patience sorting): the anchors that do not cross.
    tails, tail_index, previous = [], [], [None] * len(pairs)
    for n, (_, j) in enumerate(pairs):
        k = bisect.bisect_left(tails, j)
        previous[n] = tail_index[k - 1] if k else None
        if k == len(tails):
            tails.append(j)
            tail_index.append(n)
        else:
            tails[k], tail_index[k] = j, n
    chain, n = [], tail_index[-1] if tail_index else None
    while n is not None:
        chain.append(pairs[n])
        n = previous[n]
    return chain[::-1]


def _common_ends(a, b):
    """How many lines ``a`` and ``b`` share at their start, and then at their end."""
    head, shortest = 0, min(len(a), len(b))
    while head < shortest and a[head] == b[head]:
        head += 1
    tail = 0
    while tail < shortest - head and a[-1 - tail] == b[-1 - tail]:
        tail += 1
    return head, tail


def _joined(runs):
    """Runs without empty ones, touching runs made one."""
    out = []
    for i, j, n in runs:
        if n and out and out[-1][0] + out[-1][2] == i and out[-1][1] + out[-1][2] == j:
            out[-1] = (out[-1][0], out[-1][1], out[-1][2] + n)
        elif n:
            out.append((i, j, n))
    return out


def matching_blocks(a, b, budget):
    """(i, j, n) runs with ``a[i:i+n] == b[j:j+n]``, increasing on both sides, then (len a, len b, 0)."""
    head, tail = _common_ends(a, b)
    aend, bend = len(a) - tail, len(b) - tail
    runs, i, j = [(0, 0, head)], head, head
    for ai, bj in _unique_anchors(a, head, aend, b, head, bend) + [(aend, bend)]:
        if ai > i and bj > j:
            gap = _BudgetedMatcher(a[i:ai], b[j:bj], budget).get_matching_blocks()
            runs.extend((i + x, j + y, n) for x, y, n in gap)
        runs.append((ai, bj, 1))
        i, j = ai + 1, bj + 1
    runs[-1] = (aend, bend, tail)  # the closing pseudo-anchor is the common tail
    return _joined(runs) + [(len(a), len(b), 0)]


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
    spend = _Budget(MERGE_BUDGET if budget is None else budget)
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


def merge3(base, ours, theirs, budget=None):
    """Merge two edits of ``base``; conflicting regions keep ``ours`` and are counted (or MergeTooCostly)."""
    out, conflicts = [], 0
    for chunk in merge_chunks(split_lines(base), split_lines(ours), split_lines(theirs), budget):
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
