"""The parse cache: an unchanged file comes from Parquet, equal to a fresh parse; a change re-parses."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from gdrivestats.mirror import parsed as parsed_cache
from gdrivestats.mirror.parsed import content_key, load_cached
from gdrivestats.pipeline import sample_path
from gdrivestats.workbook import load_workbook


def test_second_load_comes_from_the_cache_and_equals_a_fresh_parse(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fresh = load_workbook(sample_path())
    first = load_cached(sample_path(), tmp_path)
    assert len(list(tmp_path.iterdir())) == 1

    def no_parsing(*args: object, **kwargs: object) -> None:
        raise AssertionError("an unchanged workbook must not be parsed again")

    monkeypatch.setattr(parsed_cache, "load_workbook", no_parsing)
    cached = load_cached(sample_path(), tmp_path)
    for a, b, c in zip(fresh.sheets, first.sheets, cached.sheets, strict=True):
        pd.testing.assert_frame_equal(a.data, c.data, check_dtype=False)
        assert b.roles == c.roles and b.label_column == c.label_column and b.notes == c.notes
        assert b.footnotes == c.footnotes and len(b.set_aside) == len(c.set_aside)
    countries = cached.sheets[0].data.set_index("Country")
    assert countries.loc["China", "Population"] == 1318683096


def test_changed_content_or_a_damaged_entry_is_parsed_again(tmp_path: Path) -> None:
    book = tmp_path / "t.csv"
    book.write_text("name,value\na,1\nb,2\n")
    key = content_key(book)
    assert load_cached(book, tmp_path / "c").sheets[0].data["value"].tolist() == [1, 2]
    book.write_text("name,value\na,10\nb,20\n")
    assert content_key(book) != key
    assert load_cached(book, tmp_path / "c").sheets[0].data["value"].tolist() == [10, 20]
    (tmp_path / "c" / content_key(book) / "0-data.parquet").write_bytes(b"damaged")
    assert load_cached(book, tmp_path / "c").sheets[0].data["value"].tolist() == [10, 20]


def test_every_sheet_field_survives_the_cache(tmp_path: Path) -> None:
    """A field added to Sheet is stored too (or the workbook is not cached): never silently dropped."""
    import dataclasses

    fresh = load_workbook(sample_path())
    load_cached(sample_path(), tmp_path / "c")
    cached = load_cached(sample_path(), tmp_path / "c")
    for a, b in zip(fresh.sheets, cached.sheets, strict=True):
        for f in dataclasses.fields(a):
            x, y = getattr(a, f.name), getattr(b, f.name)
            if isinstance(x, pd.DataFrame):
                pd.testing.assert_frame_equal(x, y, check_dtype=False)
            else:
                assert x == y, f.name


def test_a_field_json_cannot_hold_is_not_cached(tmp_path: Path) -> None:
    book = load_workbook(sample_path())
    book.sheets[0].notes = [("a tuple", 1)]  # type: ignore[list-item]  # JSON would make it a list
    parsed_cache._write(tmp_path / "entry", book)
    assert not (tmp_path / "entry").exists()
