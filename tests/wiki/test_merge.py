"""The three-way merge: changes from both sides combine; overlapping changes are conflicts."""
import pytest

from suite.wiki.merge import diff_rows, merge3

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
    rows = diff_rows("a\nb\n", "a\nc\n")
    assert ("-", "b") in rows and ("+", "c") in rows and (" ", "a") in rows
