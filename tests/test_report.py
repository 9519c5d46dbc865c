"""Tests of gdrivestats.report and gdrivestats._fs: what a Report holds and what save() writes."""

from __future__ import annotations

import base64
import json
import os
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from openpyxl import load_workbook

from gdrivestats import _fs, plots
from gdrivestats.errors import ConfigError
from gdrivestats.report import Report, build_report, is_report_folder, output_names
from gdrivestats.summary_xlsx import xlsx_sheet_name
from gdrivestats.workbook import Role, Sheet, Workbook

FORMULA_LIKE = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tTab"]


def countries_sheet() -> Sheet:
    labels = ["China", "India", "<b>Bold & Co</b>", *FORMULA_LIKE, "Chad", "Peru", "Fiji"]
    n = len(labels)
    data = pd.DataFrame(
        {
            "Country": labels,
            "Region": [
                "Asia",
                "Asia",
                "Europe",
                "Europe",
                "Africa",
                "Africa",
                "Asia",
                "Europe",
                "Africa",
                "Americas",
                "Oceania",
                "Asia",
            ][:n],
            "Population": [1400.0, 1300.0, 60.0, 5.0, 4.0, 3.0, 2.0, 1.0, 17.0, 33.0, 0.9, np.nan][:n],
            "Area": np.arange(1.0, n + 1),
            "Area x2": np.arange(1.0, n + 1) * 2,
        }
    )
    roles = {
        "Country": Role.LABEL,
        "Region": Role.CATEGORY,
        "Population": Role.NUMERIC,
        "Area": Role.NUMERIC,
        "Area x2": Role.NUMERIC,
    }
    set_aside = pd.DataFrame(
        {"Country": ["Total"], "Region": [None], "Population": [2825.9], "Area": [66.0], "Area x2": [132.0]}
    )
    return Sheet(
        name="Countries",
        data=data,
        roles=roles,
        label_column="Country",
        set_aside=set_aside,
        notes=["Header found on row 3.", "Removed <script>alert(1)</script> row."],
        footnotes=["Source: World Bank & <UN>"],
    )


def small_sheet() -> Sheet:
    data = pd.DataFrame({"Year": [2020.0, 2021.0, 2022.0], "Sales": [1.5, 2.5, np.nan]})
    return Sheet("Sales by year", data, {"Year": Role.NUMERIC, "Sales": Role.NUMERIC}, label_column=None)


def workbook(name: str = "World data") -> Workbook:
    return Workbook(
        name=name,
        source="drive:World/data.xlsx",
        sheets=[countries_sheet(), small_sheet()],
        notes=["Skipped sheet 'Empty': no table."],
    )


def tiny(name: str = "Tiny") -> Workbook:
    """A one-metric workbook: two charts, quick to save."""
    data = pd.DataFrame({"Item": ["a", "b", "c"], "Count": [3.0, 1.0, 2.0]})
    return Workbook(
        name, "tiny.csv", [Sheet("Items", data, {"Item": Role.LABEL, "Count": Role.NUMERIC}, "Item")]
    )


@pytest.fixture
def report() -> Report:
    return build_report(workbook(), top=3)


@pytest.fixture
def saved(report: Report, tmp_path: Path) -> Path:
    return report.save(tmp_path / "out")


@pytest.fixture(scope="module")
def saved_once(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One saved report shared by the tests that only read it."""
    return build_report(workbook(), top=3).save(tmp_path_factory.mktemp("once") / "out")


def test_report_exposes_tables_figures_and_notes(report: Report) -> None:
    sheet = report.sheets[0]
    assert sheet.describe.loc["Population", "sum"] == pytest.approx(2825.9)
    assert sheet.top["Population"]["label"].tolist() == ["China", "India", "<b>Bold & Co</b>"]
    assert sheet.groups["Region"].loc["Asia", ("Population", "sum")] == pytest.approx(2702.0)
    assert isinstance(sheet.figures["top:Population"], Figure)
    assert report.sheet("Sales by year").top["Sales"]["label"].tolist() == ["row 2", "row 1"]
    assert "Skipped sheet 'Empty': no table." in report.notes
    assert "Countries: Header found on row 3." in report.notes
    with pytest.raises(KeyError):
        report.sheet("missing")


def test_save_writes_every_output(saved_once: Path) -> None:
    assert sorted(p.name for p in saved_once.iterdir()) == [
        "charts",
        "report.html",
        "summary.json",
        "summary.xlsx",
    ]
    pngs = sorted((saved_once / "charts").glob("*.png"))
    assert "countries-top-population.png" in [p.name for p in pngs]
    assert all(p.read_bytes().startswith(b"\x89PNG") for p in pngs)
    assert [p for p in saved_once.parent.iterdir() if p.name != "out"] == []  # no temporary folder left


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


def test_summary_xlsx_names_header_formats_and_text_cells(saved_once: Path) -> None:
    xlsx = load_workbook(saved_once / "summary.xlsx")
    names = xlsx.sheetnames
    assert "Countries Describe" in names and "Notes" in names and "Countries By Region" in names
    assert all(len(n) <= 31 for n in names) and len({n.lower() for n in names}) == len(names)
    describe = xlsx["Countries Describe"]
    assert describe["A1"].value == "Metric" and describe["A1"].font.bold
    assert describe["B1"].value == "count" and describe["B2"].value == 11
    assert describe["B2"].number_format == "#,##0"
    sums = {describe.cell(row=r, column=1).value: describe.cell(row=r, column=10) for r in range(2, 5)}
    assert (
        sums["Population"].value == pytest.approx(2825.9) and sums["Population"].number_format == "#,##0.00"
    )
    assert describe.freeze_panes == "A2"
    assert describe.column_dimensions["A"].width >= len("Population")
    top = xlsx["Countries Top"]
    rows = list(top.iter_rows(values_only=True))
    assert rows[0] == ("Metric", "Rank", "Country", "Value")
    assert rows[1] == ("Population", 1, "China", 1400)
    assert xlsx["Countries Set aside"]["A2"].value == "Total"


def test_formula_like_text_is_stored_as_text(tmp_path: Path) -> None:
    labels = [*FORMULA_LIKE, '=HYPERLINK("http://x")']
    data = pd.DataFrame({"=Name": labels, "Kind": ["=A1", "b"] * 3, "V": np.arange(6.0)})
    sheet = Sheet("=Sheet", data, {"=Name": Role.LABEL, "Kind": Role.CATEGORY, "V": Role.NUMERIC}, "=Name")
    out = build_report(Workbook("f", "f.csv", [sheet])).save(tmp_path / "out")
    xlsx = load_workbook(out / "summary.xlsx")
    cells = {
        c.value: c for ws in xlsx.worksheets for row in ws.iter_rows() for c in row if c.value is not None
    }
    for text in [*labels, "=Name", "=A1"]:
        assert cells[text].data_type == "s", text  # the literal text, never a formula
    assert not [c for c in cells.values() if c.data_type == "f"]
    top = list(xlsx["Top"].iter_rows(values_only=True))
    assert top[1] == ("V", 1, '=HYPERLINK("http://x")', 5)


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


def test_failed_save_keeps_the_previous_output(
    report: Report, saved: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = {p.relative_to(saved): p.read_bytes() for p in saved.rglob("*") if p.is_file()}

    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(plots, "plot_histogram", broken)
    with pytest.raises(RuntimeError, match="disk on fire"):
        build_report(workbook(), top=5).save(saved)
    after = {p.relative_to(saved): p.read_bytes() for p in saved.rglob("*") if p.is_file()}
    assert after == before
    assert sorted(p.name for p in saved.parent.iterdir()) == ["out"]  # no temporary folder left behind


def test_save_replaces_an_earlier_report(report: Report, saved: Path) -> None:
    (saved / "charts" / "stale.png").write_bytes(b"old")
    build_report(workbook(), top=2).save(saved)
    assert not (saved / "charts" / "stale.png").exists()
    summary = json.loads((saved / "summary.json").read_text("utf-8"))
    assert len(summary["workbooks"][0]["sheets"][0]["top"]["Population"]) == 2
    assert sorted(p.name for p in saved.parent.iterdir()) == ["out"]


def test_save_refuses_a_folder_of_other_files(report: Report, tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("precious")
    with pytest.raises(ConfigError, match="not an earlier gdrivestats report"):
        report.save(tmp_path)
    assert (tmp_path / "mine.txt").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.txt"]


def test_several_workbooks_go_to_subfolders(tmp_path: Path) -> None:
    report = build_report([tiny("Sales/2024"), tiny("sales/2024")], top=2)
    out = report.save(tmp_path / "out")
    folders = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert folders == ["Sales_2024", "sales_2024-2"]
    assert all(is_report_folder(out / f) for f in folders)
    index = (out / "index.html").read_text("utf-8")
    assert 'href="Sales_2024/report.html"' in index and 'href="sales_2024-2/report.html"' in index
    assert not is_report_folder(out)


def test_one_workbook_in_a_subfolder_when_asked(tmp_path: Path) -> None:
    build_report(tiny("World data")).save(tmp_path, per_workbook=True)
    assert is_report_folder(tmp_path / "World data")


def test_notebook_view_is_light_html(report: Report) -> None:
    view = report._repr_html_()
    assert "<table" in view and view.count("data:image/png;base64,") == 2  # one overview per sheet
    assert "&lt;b&gt;Bold &amp; Co&lt;/b&gt;" not in view or "<b>Bold" not in view
    assert "<script" not in view
    assert "Countries" in view


def test_to_dict_matches_saved_json_shape(report: Report) -> None:
    summary = report.to_dict()
    json.dumps(summary, allow_nan=False)
    assert summary["workbooks"][0]["sheets"][0]["top"]["Area"][0] == {"label": "Fiji", "value": 11.0}


def test_xlsx_sheet_names_are_short_unique_and_valid() -> None:
    used: set[str] = set()
    long = "A very long sheet name: with [bad] chars?"
    first = xlsx_sheet_name(long, "Describe", used)
    second = xlsx_sheet_name(long, "Describe", used)
    assert len(first) <= 31 and len(second) <= 31 and first != second
    assert first.endswith("Describe") and not set("[]:*?/\\") & set(first)
    assert xlsx_sheet_name("", "notes", used) == "notes"
    assert xlsx_sheet_name("", "NOTES", used) == "NOTES (2)"


def test_output_names_are_safe_and_distinct() -> None:
    assert output_names(["a/b", "A/B", "con", ".hidden", ""]) == [
        "a_b",
        "A_B-2",
        "_con",
        "hidden",
        "workbook",
    ]


def test_atomic_write_bytes_replaces_or_keeps(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "f.bin"
    _fs.atomic_write_bytes(target, b"one")
    _fs.atomic_write_bytes(target, b"two")
    assert target.read_bytes() == b"two"

    def refuse(src: object, dst: object) -> None:
        raise OSError("no")

    monkeypatch.setattr(_fs.os, "replace", refuse)
    with pytest.raises(OSError):
        _fs.atomic_write_bytes(target, b"three")
    assert target.read_bytes() == b"two" and os.listdir(tmp_path) == ["f.bin"]


@pytest.mark.parametrize("exchange", [True, False])
def test_atomic_folder_swaps_whole_folders(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    if not exchange:
        monkeypatch.setattr(_fs, "_exchange", lambda a, b: False)  # the two-rename fallback
    target = tmp_path / "out"
    with _fs.atomic_folder(target) as tmp:
        (tmp / "a").write_text("1")
    with _fs.atomic_folder(target) as tmp:
        (tmp / "b").write_text("2")
    assert sorted(os.listdir(target)) == ["b"]
    with pytest.raises(ValueError), _fs.atomic_folder(target) as tmp:
        (tmp / "c").write_text("3")
        raise ValueError("boom")
    assert sorted(os.listdir(target)) == ["b"] and os.listdir(tmp_path) == ["out"]


def test_atomic_folder_restores_old_folder_when_second_rename_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "out"
    target.mkdir()
    (target / "old").write_text("good")
    monkeypatch.setattr(_fs, "_exchange", lambda a, b: False)
    real_replace = os.replace
    calls: list[str] = []

    def flaky(src: str | Path, dst: str | Path) -> None:
        calls.append(Path(src).name)
        if len(calls) == 2:  # the new folder cannot be moved into place
            raise OSError("interrupted")
        real_replace(src, dst)

    monkeypatch.setattr(_fs.os, "replace", flaky)
    with pytest.raises(OSError, match="interrupted"), _fs.atomic_folder(target) as tmp:
        (tmp / "new").write_text("x")
    assert (target / "old").read_text() == "good" and os.listdir(tmp_path) == ["out"]


def test_empty_and_blank_sheets_still_save(tmp_path: Path) -> None:
    empty = Sheet("Empty", pd.DataFrame({"V": pd.Series([], dtype="float64")}), {"V": Role.NUMERIC}, None)
    blank = Sheet("Blank", pd.DataFrame({"V": [np.nan, np.nan]}), {"V": Role.NUMERIC}, None)
    text = Sheet("Text", pd.DataFrame({"T": ["a"]}), {"T": Role.TEXT}, None)
    out = build_report(Workbook("e", "e.xlsx", [empty, blank, text])).save(tmp_path / "out")
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    sheets = summary["workbooks"][0]["sheets"]
    assert [s["rows"] for s in sheets] == [0, 2, 1]
    assert sheets[1]["columns"]["V"]["sum"] is None and sheets[1]["top"]["V"] == []
    assert list((out / "charts").iterdir()) == []
    assert any("No charts for 'V'" in note for note in sheets[1]["notes"])


def test_save_through_a_symlink_keeps_the_link(tmp_path: Path) -> None:
    report = build_report(tiny())
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real, target_is_directory=True)
    report.save(link)
    assert link.is_symlink() and is_report_folder(real)
    report.save(link)
    assert link.is_symlink() and is_report_folder(real)


def test_figures_display_in_ipython_without_pyplot(monkeypatch: pytest.MonkeyPatch) -> None:
    registered: dict[type, object] = {}

    class PngFormatter:
        def lookup_by_type(self, kind: type) -> object:
            return registered[kind]

        def for_type(self, kind: type, func: object) -> None:
            registered[kind] = func

    class Shell:
        display_formatter = type("DisplayFormatter", (), {"formatters": {"image/png": PngFormatter()}})()

    fake = type(sys)("IPython")
    fake.get_ipython = Shell  # type: ignore[attr-defined]
    fake.version_info = (9, 0, 0)  # type: ignore[attr-defined]  # matplotlib looks at it
    monkeypatch.setitem(sys.modules, "IPython", fake)
    report = build_report(tiny())
    png = registered[Figure](report.sheets[0].figures["overview"])  # type: ignore[operator]
    assert png.startswith(b"\x89PNG")
