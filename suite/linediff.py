"""Line diffs with a cost budget: what the wiki's merge and diff views and the pastebin's diff share.

difflib alone can take a minute on two big texts made of few distinct lines (100,000
lines of 150 values: 62 s), and a diff page is one GET anyone can send again. So each
diff first drops the common head and tail, anchors on lines that occur once on each
side (as patience diff does), leaves only the gaps between anchors to ``difflib`` and
charges each of its longest-match searches to a ``Budget`` of line comparisons.

When the budget runs out, a merge gives up (``TooCostly``: it cannot tell what two
people changed); a diff view shows the gaps not yet lined up as replaced whole: still a
correct diff (applying it gives the new text), only not the smallest one, as git does
past its own cost limit. ``LineDiff.approximate`` says so, for the page to say it too.
"""
import bisect
import difflib
from collections import Counter
from dataclasses import dataclass, field

DIFF_BUDGET = 2_000_000  # line comparisons per diff view: about 0.2 s of difflib
MAX_ROWS = 20_000        # rows a diff view shows (the rest is cut, and the page says so)


class TooCostly(Exception):
    """The two texts are too large and too alike to line up in reasonable time."""


class Budget:
    """Line comparisons left for one diff or merge."""

    def __init__(self, comparisons):
        self.left = comparisons

    @property
    def spent(self):
        """True once a search was refused for want of comparisons."""
        return self.left < 0

    def spend(self, comparisons):
        self.left -= comparisons
        if self.left < 0:
            raise TooCostly("These texts are too large and too alike to line up.")


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


def matching_blocks(a, b, budget, give_up=True):
    """(i, j, n) runs with ``a[i:i+n] == b[j:j+n]``, increasing on both sides, then (len a, len b, 0).

    When ``budget`` runs out: TooCostly, or with ``give_up=False`` the gaps left are not lined up.
    """
    head, tail = _common_ends(a, b)
    aend, bend = len(a) - tail, len(b) - tail
    runs, i, j = [(0, 0, head)], head, head
    for ai, bj in _unique_anchors(a, head, aend, b, head, bend) + [(aend, bend)]:
        if ai > i and bj > j:
            try:
                gap = _BudgetedMatcher(a[i:ai], b[j:bj], budget).get_matching_blocks()
            except TooCostly:
                if give_up:
                    raise
                gap = []
            runs.extend((i + x, j + y, n) for x, y, n in gap)
        runs.append((ai, bj, 1))
        i, j = ai + 1, bj + 1
    runs[-1] = (aend, bend, tail)  # the closing pseudo-anchor is the common tail
    return _joined(runs) + [(len(a), len(b), 0)]


class _Lined(difflib.SequenceMatcher):
    """difflib's opcodes and grouping over matching blocks found here (difflib's own attributes, set)."""

    def __init__(self, a, b, blocks):  # no super().__init__: it would index ``b`` for nothing
        self.a, self.b, self.opcodes = a, b, None
        self.matching_blocks = [difflib.Match(*block) for block in blocks]


@dataclass
class LineDiff:
    """A unified diff as rows (kind, old line number, new line number, text); kind is
    ``hunk``, ``add``, ``del`` or ``same`` (line numbers count from 1; None where a side has no line)."""

    rows: list = field(default_factory=list)
    truncated: bool = False    # rows past MAX_ROWS were cut
    approximate: bool = False  # the budget ran out: some changed stretches are shown replaced whole

    @property
    def changed(self):
        """True when the two texts differ."""
        return any(kind in ("add", "del") for kind, *_ in self.rows)


def diff_lines(old, new, context=3, budget=DIFF_BUDGET, max_rows=MAX_ROWS):
    """The ``LineDiff`` of two lists of lines, with ``context`` unchanged lines around each change."""
    spend = Budget(budget)
    matcher = _Lined(old, new, matching_blocks(old, new, spend, give_up=False))
    rows = []
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
        if len(rows) > max_rows:
            break
    return LineDiff(rows[:max_rows], len(rows) > max_rows, spend.spent)
