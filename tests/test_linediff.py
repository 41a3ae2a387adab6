"""Line diffs (suite.linediff): correct always, smallest when affordable, never a minute of CPU for one page."""
import random

from hypothesis import given, settings
from hypothesis import strategies as st

from suite.linediff import Budget, TooCostly, diff_lines, matching_blocks

WHOLE = 10**6  # context: every unchanged line is a row, so the rows give both texts back


def sides(diff):
    """(the old text's lines, the new text's lines) as the rows tell them."""
    old = [text for kind, _a, _b, text in diff.rows if kind in ("same", "del")]
    new = [text for kind, _a, _b, text in diff.rows if kind in ("same", "add")]
    return old, new


def look_alike(seed, lines, values=150):
    """``lines`` lines drawn from few values: each repeats, so nothing anchors and difflib's search is costly."""
    rng = random.Random(seed)
    return [str(rng.randrange(values)) for _ in range(lines)]


def test_rows_carry_kinds_and_line_numbers():
    diff = diff_lines(["a", "b", "c"], ["a", "x", "c"])
    assert diff.rows == [("hunk", None, None, "@@ -1,3 +1,3 @@"), ("same", 1, 1, "a"), ("del", 2, None, "b"),
                         ("add", None, 2, "x"), ("same", 3, 3, "c")]
    assert diff.changed and not diff.approximate and not diff.truncated


def test_equal_texts_have_no_rows():
    assert diff_lines(["a", "b"], ["a", "b"]).rows == []
    assert not diff_lines([], []).changed


def test_unchanged_stretches_beyond_the_context_are_left_out():
    old = [f"line {n}" for n in range(100)]
    new = old[:50] + ["changed"] + old[51:]
    rows = diff_lines(old, new).rows
    assert rows[0] == ("hunk", None, None, "@@ -48,7 +48,7 @@")
    assert len(rows) == 1 + 3 + 2 + 3


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["a", "b", "", "x"]), max_size=40),
       st.lists(st.sampled_from(["a", "b", "", "y"]), max_size=40),
       st.sampled_from([0, 5, 50, 10**9]))
def test_the_rows_give_both_texts_back_whatever_the_budget(old, new, budget):
    diff = diff_lines(old, new, context=WHOLE, budget=budget)
    assert sides(diff) == (old, new) if diff.rows else old == new


def test_an_affordable_diff_is_the_smallest():
    old, new = look_alike(1, 300, values=20), look_alike(2, 300, values=20)
    diff = diff_lines(old, new, context=WHOLE)
    assert not diff.approximate
    blocks = matching_blocks(old, new, Budget(10**12))
    assert sum(kind == "same" for kind, *_ in diff.rows) == sum(n for _i, _j, n in blocks)


def test_look_alike_texts_past_the_budget_are_shown_replaced_whole_not_lined_up_for_a_minute():
    # 100,000 lines of 150 values: plain difflib takes about a minute on this pair.
    old, new = look_alike(1, 100_000), look_alike(2, 100_000)
    budget = Budget(2_000_000)
    try:
        matching_blocks(old, new, budget)
    except TooCostly:
        pass
    assert budget.spent  # lining them up would cost more than the budget

    diff = diff_lines(old, new, context=WHOLE, max_rows=10**6)
    assert diff.approximate and not diff.truncated
    assert sides(diff) == (old, new)


def test_long_diffs_are_cut_and_say_so():
    diff = diff_lines([f"old {n}" for n in range(500)], [f"new {n}" for n in range(500)], max_rows=100)
    assert len(diff.rows) == 100 and diff.truncated
