"""The one "distinct names with a counter" rule (names.numbered), as the output folders of a Mirror use it."""

from __future__ import annotations

from gdrivestats.names import distinct_names, numbered


def test_numbered_counts_past_names_taken_case_insensitively() -> None:
    taken = {"a", "a-2"}
    assert numbered("A", taken) == "A-3" and "a-3" in taken
    assert numbered("b", taken) == "b" and numbered("B", taken) == "B-2"


def test_numbered_can_fit_a_limit_and_another_suffix() -> None:
    taken = {"x" * 31}
    assert numbered("X" * 31, taken, suffix=" ({n})", limit=31) == "X" * 27 + " (2)"


def test_distinct_names_still_number_repeats() -> None:
    assert distinct_names(["r", "R", "r"]) == ["r", "R-2", "r-3"]
