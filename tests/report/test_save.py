"""Tests of gdrivestats.report.save: which files save() writes, atomic replacement, names, index.html."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from gdrivestats import plots
from gdrivestats.errors import ConfigError
from gdrivestats.names import distinct_names, slug
from gdrivestats.report import OUTPUTS, Report, build_report, is_report_folder, output_names, write_index
from gdrivestats.workbook import Role, Sheet, Workbook
from tests.report.support import tiny, wide_workbook, workbook


def test_save_writes_the_fixed_set_of_outputs(saved: Path) -> None:
    assert sorted(p.name for p in saved.iterdir()) == sorted(OUTPUTS)
    assert sorted(OUTPUTS) == ["report.html", "report.pdf", "summary.json", "summary.xlsx"]
    assert [p for p in saved.parent.iterdir() if p.name != "out"] == []  # no temporary folder left


def test_chart_files_only_when_asked(saved_once: Path) -> None:
    assert sorted(p.name for p in saved_once.iterdir()) == sorted([*OUTPUTS, "charts"])
    pngs = sorted(p.name for p in (saved_once / "charts").glob("*.png"))
    assert "countries-top-population.png" in pngs and "countries-overview.png" in pngs
    assert all((saved_once / "charts" / p).read_bytes().startswith(b"\x89PNG") for p in pngs)
    summary = json.loads((saved_once / "summary.json").read_text("utf-8"))
    listed = [c["file"] for s in summary["workbooks"][0]["sheets"] for c in s["charts"]]
    assert sorted(Path(f).name for f in listed) == pngs


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


def test_save_replaces_an_earlier_report(tmp_path: Path) -> None:
    out = build_report(tiny(), top=3).save(tmp_path / "out", charts=True)
    (out / "charts" / "stale.png").write_bytes(b"old")
    build_report(tiny(), top=2).save(out)
    assert not (out / "charts").exists()
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    assert len(summary["workbooks"][0]["sheets"][0]["top"]["Count"]) == 2  # of 3 rows: the second report's
    assert sorted(p.name for p in out.parent.iterdir()) == ["out"]


def test_save_refuses_a_folder_of_other_files(report: Report, tmp_path: Path) -> None:
    (tmp_path / "mine.txt").write_text("precious")
    with pytest.raises(ConfigError, match="not an earlier gdrivestats report"):
        report.save(tmp_path)
    assert (tmp_path / "mine.txt").read_text() == "precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mine.txt"]


def test_several_workbooks_go_to_subfolders_with_an_index(tmp_path: Path) -> None:
    report = build_report([tiny("Sales/2024"), tiny("sales/2024")], top=2)
    out = report.save(tmp_path / "out")
    folders = sorted(p.name for p in out.iterdir() if p.is_dir())
    assert folders == ["Sales_2024", "sales_2024-2"]
    assert all(is_report_folder(out / f) for f in folders)
    index = (out / "index.html").read_text("utf-8")
    assert 'href="Sales_2024/report.html"' in index and 'href="sales_2024-2/report.html"' in index
    assert 'href="Sales_2024/report.pdf"' in index
    assert not is_report_folder(out)


def test_index_of_reports_saved_one_by_one(tmp_path: Path) -> None:
    saved = []
    for name in ("north", "south"):
        report = build_report(tiny(f"{name} data"))
        report.save(tmp_path / name)
        saved.append((name, report))
    write_index(tmp_path, saved)
    index = (tmp_path / "index.html").read_text("utf-8")
    assert 'href="north/report.html">north data</a>' in index and 'href="south/report.pdf"' in index
    assert index.count("<li>") == 2


def test_index_of_someone_else_is_not_replaced(tmp_path: Path) -> None:
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "index.html").write_text("<p>my page</p>")
    build_report([tiny("a"), tiny("b")]).save(tmp_path / "out")
    assert (tmp_path / "out" / "index.html").read_text() == "<p>my page</p>"


def test_one_workbook_in_a_subfolder_when_asked(tmp_path: Path) -> None:
    build_report(tiny("World data")).save(tmp_path, per_workbook=True)
    assert is_report_folder(tmp_path / "World data")


def test_output_names_are_safe_and_distinct() -> None:
    assert output_names(["a/b", "A/B", "con", ".hidden", ""]) == [
        "a_b",
        "A_B-2",
        "_con",
        "hidden",
        "workbook",
    ]


def test_names_module_holds_the_one_rule() -> None:
    assert distinct_names(["x.", "  x  ", "COM1.txt", "a:b"]) == ["x", "x-2", "_COM1.txt", "a_b"]
    assert distinct_names(["..", "..."], fallback="sheet") == ["sheet", "sheet-2"]
    assert slug("Area (km²)") == "area-km2" and slug("Ünïcode — Straße", limit=7) == "unicode"
    assert slug("日本") == ""


def test_empty_and_blank_sheets_still_save(tmp_path: Path) -> None:
    empty = Sheet("Empty", pd.DataFrame({"V": pd.Series([], dtype="float64")}), {"V": Role.NUMERIC}, None)
    blank = Sheet("Blank", pd.DataFrame({"V": [np.nan, np.nan]}), {"V": Role.NUMERIC}, None)
    text = Sheet("Text", pd.DataFrame({"T": ["a"]}), {"T": Role.TEXT}, None)
    out = build_report(Workbook("e", "e.xlsx", [empty, blank, text])).save(tmp_path / "out", charts=True)
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    sheets = summary["workbooks"][0]["sheets"]
    assert [s["rows"] for s in sheets] == [0, 2, 1]
    assert sheets[1]["columns"]["V"]["sum"] is None and sheets[1]["top"]["V"] == []
    assert list((out / "charts").iterdir()) == []
    assert any("No charts for 'V'" in note for note in sheets[1]["notes"])
    assert (out / "report.pdf").read_bytes().startswith(b"%PDF")


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


def test_matplotlib_warnings_go_to_the_log(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    data = pd.DataFrame({"Name": ["\U0001f600 smile", "b", "c"], "V": [1.0, 2.0, 3.0]})
    book = Workbook("w", "w.csv", [Sheet("S", data, {"Name": Role.LABEL, "V": Role.NUMERIC}, "Name")])
    with caplog.at_level("WARNING", logger="py.warnings"):
        build_report(book).save(tmp_path / "out")
    assert "Glyph" in caplog.text and "missing from font" in caplog.text  # the emoji has no glyph
    assert "Glyph" not in capfd.readouterr().err


@pytest.mark.slow  # about a minute: 20 sheets analysed, drawn and written
def test_size_budget_of_a_20_sheet_workbook(tmp_path: Path) -> None:
    out = build_report(wide_workbook(sheets=20)).save(tmp_path / "out")
    sizes = {p.name: p.stat().st_size for p in out.iterdir()}
    assert sorted(sizes) == sorted(OUTPUTS)  # 4 files, whatever the number of sheets
    assert sizes["report.html"] <= 3_000_000, sizes
    assert sizes["report.pdf"] <= 3_000_000, sizes
    summary = json.loads((out / "summary.json").read_text("utf-8"))
    charts = [len(s["charts"]) for s in summary["workbooks"][0]["sheets"]]
    assert charts == [0] * 20  # no chart files unless asked
    html = (out / "report.html").read_text("utf-8")
    assert html.count("data:image/png;base64,") == 20 * plots.MAX_CHARTS  # the cap: 6 charts a sheet
