"""The three-way merge: changes from both sides combine; overlapping changes are conflicts."""
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from suite.linediff import Budget, matching_blocks
from suite.wiki.merge import MergeResult, MergeTooCostly, diff_rows, merge3

BASE = "one\ntwo\nthree\nfour\nfive\n"


def test_changes_in_different_places_merge_cleanly():
    result = merge3(BASE, BASE.replace("one", "ONE"), BASE.replace("five", "FIVE"))
    assert result.conflicts == 0
    assert result.text == "ONE\ntwo\nthree\nfour\nFIVE\n"


def test_same_change_on_both_sides_is_not_a_conflict():
    same = BASE.replace("three", "3")
    assert merge3(BASE, same, same).text == same


def test_overlapping_changes_conflict():
    assert merge3(BASE, BASE.replace("three", "A"), BASE.replace("three", "B")).conflicts == 1


def test_insertions_at_both_ends_merge():
    result = merge3(BASE, "zero\n" + BASE, BASE + "six\n")
    assert result.conflicts == 0
    assert result.text == "zero\n" + BASE + "six\n"


def test_deletion_and_distant_edit_merge():
    result = merge3(BASE, BASE.replace("two\n", ""), BASE.replace("five", "5"))
    assert result.text == "one\nthree\nfour\n5\n"


def test_both_creating_from_empty_base_conflicts():
    assert merge3("", "mine\n", "theirs\n").conflicts == 1


@pytest.mark.parametrize("ours", [BASE, BASE.replace("two", "deux")])
def test_unchanged_side_takes_the_other(ours):
    assert merge3(BASE, ours, BASE).text == ours
    assert merge3(BASE, BASE, ours).text == ours


def test_diff_rows_mark_removed_and_added_lines():
    rows = diff_rows("a\nb\n", "a\nc\n").rows
    assert ("del", 2, None, "b") in rows and ("add", None, 2, "c") in rows and ("same", 1, 1, "a") in rows


LOOK_ALIKE = st.lists(st.sampled_from(["a\n", "b\n", "\n", "c\n", "# head\n"]), max_size=14)


def edited(draw, lines):
    """``lines`` with a few lines replaced, inserted or removed."""
    lines = list(lines)
    for _ in range(draw(st.integers(0, 3))):
        at = draw(st.integers(0, len(lines)))
        op = draw(st.sampled_from("rid"))
        if op == "i" or at == len(lines):
            lines.insert(at, draw(st.sampled_from(["X\n", "a\n", "\n"])))
        elif op == "r":
            lines[at] = draw(st.sampled_from(["Y\n", "b\n"]))
        else:
            del lines[at]
    return "".join(lines)


@st.composite
def three_versions(draw):
    """A base and two edits of it, from a few look-alike lines (the hard case for line matching)."""
    base = draw(LOOK_ALIKE)
    return "".join(base), edited(draw, base), edited(draw, base)


@settings(max_examples=400, deadline=None)
@given(three_versions())
def test_merge_properties_hold_for_any_edits(versions):
    base, ours, theirs = versions
    assert merge3(base, ours, base) == MergeResult(ours, 0)
    assert merge3(base, base, theirs) == MergeResult(theirs, 0)
    assert merge3(base, ours, ours) == MergeResult(ours, 0)
    result, swapped = merge3(base, ours, theirs), merge3(base, theirs, ours)
    assert result.conflicts == swapped.conflicts
    if not result.conflicts:
        assert result.text == swapped.text


@settings(max_examples=200, deadline=None)
@given(st.lists(st.sampled_from(["a\n", "b\n", "\n", "x\n"]), max_size=30),
       st.lists(st.sampled_from(["a\n", "b\n", "\n", "y\n"]), max_size=30))
def test_matching_blocks_are_equal_runs_in_order(a, b):
    blocks = matching_blocks(a, b, Budget(10**9))
    end_a = end_b = 0
    for i, j, n in blocks[:-1]:
        assert n > 0 and i >= end_a and j >= end_b and a[i:i + n] == b[j:j + n]
        end_a, end_b = i + n, j + n
    assert blocks[-1] == (len(a), len(b), 0)


def test_big_page_with_many_repeated_lines_still_merges():
    base = ["\n" if n % 4 == 0 else f"paragraph {n}\n" for n in range(8000)]
    ours = ["edited top\n"] + base[1:-1] + ["edited bottom\n"]
    theirs = base[:4001] + ["theirs in the middle\n"] + base[4002:]
    result = merge3("".join(base), "".join(ours), "".join(theirs))
    assert result.conflicts == 0
    assert result.text == "".join(["edited top\n"] + theirs[1:-1] + ["edited bottom\n"])


def test_edits_too_large_and_alike_to_line_up_give_up_instead_of_running_for_seconds():
    rng = random.Random(0)
    base, ours, theirs = ("".join(rng.choice("ab") + "\n" for _ in range(8000)) for _ in range(3))
    with pytest.raises(MergeTooCostly):
        merge3(base, ours, theirs)
