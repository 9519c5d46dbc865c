"""Tests of gdrivestats.report.model: what a Report holds, its colours, and that it has no side effects."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from matplotlib.figure import Figure

from gdrivestats.report import Report, build_report
from tests.report.support import tiny, workbook


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


def test_one_colour_per_metric_across_the_whole_report() -> None:
    first, second = workbook("A"), workbook("B")
    second.sheets[0].data = second.sheets[0].data[["Country", "Region", "Area", "Population", "Area x2"]]
    report = build_report([first, second])
    colours = [sheet.colours for sheet in report.sheets]
    assert all(c["Population"] == colours[0]["Population"] for c in colours if "Population" in c)
    assert colours[0]["Population"] != colours[0]["Area"]
    # "Sales" first appears in the second sheet and keeps its colour in every sheet that has it
    assert report.sheet("Sales by year").colours["Sales"] == report.colours["Sales"]
    assert len(set(report.colours.values())) == len(report.colours)


def test_report_registers_no_ipython_formatter(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[object] = []

    class Shell:
        def __getattr__(self, name: str) -> object:
            calls.append(name)
            raise AttributeError(name)

    fake = type(sys)("IPython")
    fake.get_ipython = Shell  # type: ignore[attr-defined]
    fake.version_info = (9, 0, 0)  # type: ignore[attr-defined]  # matplotlib looks at it
    monkeypatch.setitem(sys.modules, "IPython", fake)
    report = build_report(tiny())
    assert calls == [] and "<table" in report._repr_html_()


def test_notebook_view_has_the_html_sections_collapsible(report: Report) -> None:
    view = report._repr_html_()
    assert view.count("data:image/png;base64,") == sum(len(s.plan.charts) for s in report.sheets)
    for section in ("Summary statistics", "Top and bottom 3", "By Region", "Correlations (Pearson r)"):
        assert f"<summary>{section}</summary>" in view
    assert "<details open><summary>Sheet Countries" in view  # the first sheet open, the others folded
    assert "<details><summary>Sheet Sales by year" in view
    assert "&lt;b&gt;Bold &amp; Co&lt;/b&gt;" in view and "<b>Bold" not in view and "<script" not in view


def test_repr_names_workbooks_and_sheets(report: Report) -> None:
    assert repr(report) == "<Report of 'World data': 2 sheet(s)>"
    assert repr(report.sheets[0]) == "<SheetReport 'Countries': 11 rows, 3 numeric columns>"


def test_the_model_imports_none_of_its_writers() -> None:
    import ast

    from gdrivestats.report import model

    tree = ast.parse(Path(model.__file__).read_text("utf-8"))
    top_level = [n for n in tree.body if isinstance(n, ast.Import | ast.ImportFrom)]
    modules = {n.module for n in top_level if isinstance(n, ast.ImportFrom)}
    modules |= {alias.name for n in top_level if isinstance(n, ast.Import) for alias in n.names}
    assert not {m for m in modules if m and m.startswith("gdrivestats.report")}, modules
