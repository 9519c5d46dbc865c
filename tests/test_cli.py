"""The analyze command as a user runs it: the sample, several sources with bad ones, and drive: paths."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from gdrivestats.cli import main
from gdrivestats.emulator import start_emulator
from tests.support import small_csv


def _summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def _sheet(summary: dict, name: str) -> dict:
    sheets = (
        [s for wb in summary["workbooks"] for s in wb["sheets"]]
        if "workbooks" in summary
        else summary["sheets"]
    )
    return next(s for s in sheets if s["name"] == name)


def test_sample_analysis_as_the_readme_runs_it(tmp_path: Path) -> None:
    out = tmp_path / "gdrivestats-sample"
    done = subprocess.run(
        [sys.executable, "-m", "gdrivestats", "analyze", "--sample", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Analysed 1 workbook(s), 0 failed." in done.stdout
    countries = _sheet(_summary(out), "Countries")
    assert countries["rows"] == 142 and countries["label_column"] == "Country"
    assert countries["top"]["Population"][0] == {"label": "China", "value": 1318683096}
    assert countries["groups"]["Continent"]["Population"]["Asia"]["count"] == 33
    assert (out / "report.html").stat().st_size > 10_000 and (out / "summary.xlsx").is_file()
    assert any(p.suffix == ".png" for p in (out / "charts").iterdir())


def test_several_sources_get_subfolders_and_bad_ones_one_line_each(tmp_path: Path, capsys) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.csv").write_bytes(small_csv())
    (tmp_path / "in" / "a.tsv").write_bytes(small_csv(2).replace(b",", b"\t"))
    (tmp_path / "in" / "broken.xlsx").write_bytes(b"PK\x03\x04 not a zip")
    (tmp_path / "in" / "~$a.xlsx").write_bytes(b"an Excel lock file, skipped")
    code = main(
        ["analyze", str(tmp_path / "in"), str(tmp_path / "missing.csv"), "--out", str(tmp_path / "out")]
    )
    captured = capsys.readouterr()
    assert code == 1
    errors = sorted(line for line in captured.err.splitlines() if line.startswith("gdrivestats: error:"))
    assert len(errors) == 2
    assert (
        "broken.xlsx: cannot read this .xlsx file" in errors[0] and "missing.csv: no such file" in errors[1]
    )
    assert "Traceback" not in captured.err
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_dir()) == ["a-csv", "a-tsv"]
    top = _sheet(_summary(tmp_path / "out" / "a-tsv"), "a")["top"]["population"]
    assert [(t["label"], t["value"]) for t in top[:2]] == [("Japan", 250), ("Kenya", 106)]


def test_no_source_is_a_usage_error(tmp_path: Path, capsys) -> None:
    assert main(["analyze", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip() == (
        "gdrivestats: error: give at least one SOURCE (a workbook, a folder or drive:PATH), or --sample"
    )


def test_analyze_a_workbook_straight_from_drive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    seed = tmp_path / "seed" / "Colab Notebooks"
    seed.mkdir(parents=True)
    (seed / "countries.csv").write_bytes(small_csv())
    with start_emulator(seed=tmp_path / "seed") as emu:
        monkeypatch.setenv("GDRIVESTATS_DRIVE_URL", emu.url)
        monkeypatch.setenv("GDRIVESTATS_ACCESS_TOKEN", "test-token")
        assert main(["analyze", "drive:Colab Notebooks/countries.csv", "--out", str(tmp_path / "out")]) == 0
        assert emu.log.count(kind="media") == 1
        assert main(["analyze", "drive:Colab Notebooks/nope.xlsx", "--out", str(tmp_path / "out2")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "gdrivestats: error: Colab Notebooks/nope.xlsx: not found on Drive"
        " (no 'nope.xlsx' in 'Colab Notebooks')"
    ]
    summary = _summary(tmp_path / "out")
    assert _sheet(summary, "countries")["top"]["population"][0] == {"label": "Japan", "value": 125}
