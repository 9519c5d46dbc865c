"""Tests of gdrivestats.report.summary_json: the structure and values of summary.json."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gdrivestats.report import Report, jsonable


def test_summary_json_structure_and_values(saved_once: Path) -> None:
    text = (saved_once / "summary.json").read_text("utf-8")
    summary = json.loads(text, parse_constant=lambda c: pytest.fail(f"invalid JSON constant {c}"))
    assert summary["generator"] == "gdrivestats"
    book = summary["workbooks"][0]
    assert book["name"] == "World data" and book["notes"] == ["Skipped sheet 'Empty': no table."]
    sheet = book["sheets"][0]
    assert sheet["name"] == "Countries" and sheet["rows"] == 11 and sheet["label_column"] == "Country"
    assert sheet["columns"]["Population"]["kind"] == "numeric"
    assert sheet["columns"]["Population"]["sum"] == pytest.approx(2825.9)
    assert sheet["columns"]["Population"]["count"] == 11 and sheet["columns"]["Region"]["kind"] == "category"
    assert sheet["top"]["Population"] == [
        {"label": "China", "value": 1400.0},
        {"label": "India", "value": 1300.0},
        {"label": "<b>Bold & Co</b>", "value": 60.0},
    ]
    assert sheet["bottom"]["Area"][0] == {"label": "China", "value": 1.0}
    asia = sheet["groups"]["Region"]["Population"]["Asia"]
    assert asia == {"sum": 2702.0, "mean": pytest.approx(2702.0 / 3), "count": 3}
    assert sheet["correlations"]["Area"]["Area x2"] == pytest.approx(1.0)
    assert sheet["notes"][:2] == ["Header found on row 3.", "Removed <script>alert(1)</script> row."]
    assert sheet["set_aside"][0]["Country"] == "Total" and sheet["set_aside"][0]["Region"] is None
    assert any(c["file"] == "charts/countries-top-population.png" for c in sheet["charts"])
    sales = book["sheets"][1]
    assert sales["label_column"] is None
    assert sales["columns"]["Sales"]["std"] == pytest.approx(np.std([1.5, 2.5], ddof=1))
    assert sales["columns"]["Sales"]["missing"] == 1
    assert sales["correlations"]["Year"]["Sales"] is None  # too few pairs: NaN becomes null


def test_summary_json_carries_the_describe_statistics(saved_once: Path) -> None:
    sheet = json.loads((saved_once / "summary.json").read_text("utf-8"))["workbooks"][0]["sheets"][0]
    describe = sheet["describe"]
    assert list(describe) == ["Population", "Area", "Area x2"]
    assert list(describe["Area"]) == [
        "count",
        "mean",
        "std",
        "min",
        "25%",
        "50%",
        "75%",
        "max",
        "sum",
        "missing",
    ]
    assert describe["Area"]["mean"] == pytest.approx(6.0) and describe["Area"]["max"] == 11.0
    assert describe["Population"]["50%"] == pytest.approx(5.0) and describe["Population"]["missing"] == 0


def test_to_dict_matches_saved_json_shape(report: Report) -> None:
    summary = report.to_dict()
    json.dumps(summary, allow_nan=False)
    assert summary["workbooks"][0]["sheets"][0]["top"]["Area"][0] == {"label": "Fiji", "value": 11.0}
    assert summary["workbooks"][0]["sheets"][0]["charts"] == []  # no chart files without save(charts=True)


def test_jsonable_turns_numpy_pandas_and_nan_into_json() -> None:
    value = {1: [np.int64(3), np.float32(0.5), float("nan"), np.bool_(True), pd.NaT]}
    value[2] = [pd.Timestamp("2024-01-02"), dt.date(2024, 1, 3), np.inf, None, "x"]
    assert jsonable(value) == {
        "1": [3, 0.5, None, True, None],
        "2": ["2024-01-02T00:00:00", "2024-01-03", None, None, "x"],
    }
