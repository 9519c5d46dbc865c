"""Tests of gdrivestats.report.html: one escaped page, headings that fit the sheet, readable times."""

from __future__ import annotations

import base64
import datetime as dt
from pathlib import Path

import pandas as pd

from gdrivestats.report import build_report
from gdrivestats.report.html import display, readable_time
from gdrivestats.workbook import Role, Sheet, Workbook


def test_html_is_one_escaped_page_with_embedded_charts(saved_once: Path) -> None:
    page = (saved_once / "report.html").read_text("utf-8")
    assert page.startswith("<!DOCTYPE html>") and page.count("<html") == 1
    assert "&lt;b&gt;Bold &amp; Co&lt;/b&gt;" in page and "<b>Bold" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script" not in page
    assert "Source: World Bank &amp; &lt;UN&gt;" in page
    images = page.split('src="data:image/png;base64,')[1:]
    assert len(images) == len(list((saved_once / "charts").glob("*.png")))
    assert base64.b64decode(images[0].split('"', 1)[0]).startswith(b"\x89PNG")
    assert "Skipped sheet &#x27;Empty&#x27;: no table." in page
    assert "Rows set aside (1)" in page


def test_headings_count_the_rows_really_ranked(tmp_path: Path) -> None:
    data = pd.DataFrame({"Name": list("abcde"), "V": [5.0, 4.0, 3.0, 2.0, 1.0]})
    sheet = Sheet("Five", data, {"Name": Role.LABEL, "V": Role.NUMERIC}, "Name")
    page = build_report(Workbook("five", "five.csv", [sheet])).to_html()
    assert "<h3>Top and bottom 5</h3>" in page and "Top and bottom 10" not in page


def test_timestamps_are_readable() -> None:
    moment = dt.datetime(2026, 12, 1, 9, 5, tzinfo=dt.UTC)
    assert readable_time(moment) == "1 December 2026, 09:05 UTC"
    assert display(pd.Timestamp("2024-03-01")) == "2024-03-01"
    assert display(pd.Timestamp("2024-03-01 14:30:10")) == "2024-03-01 14:30"


def test_report_time_is_not_raw_iso(saved_once: Path) -> None:
    page = (saved_once / "report.html").read_text("utf-8")
    assert "Report made " in page and "+00:00" not in page.split("Report made ", 1)[1][:60]


def test_metric_colour_marks_the_statistics_table(saved_once: Path) -> None:
    page = (saved_once / "report.html").read_text("utf-8")
    assert '<span class="swatch" style="background:#1f77b4"></span>Population' in page
    assert '<span class="swatch" style="background:#ff7f0e"></span>Area' in page


def test_nothing_has_a_fixed_width_wider_than_a_phone(saved_once: Path) -> None:
    page = (saved_once / "report.html").read_text("utf-8")
    css = page.split("<style>", 1)[1].split("</style>", 1)[0]
    assert "minmax(min(100%," in css and "minmax(4" not in css.replace("minmax(min(100%,", "")
    assert ".table-wrap{overflow-x:auto" in css
