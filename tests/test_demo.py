"""`gdrivestats demo`, the README's main job: every step against the emulator, outputs copied locally."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from gdrivestats.demo import run_demo

pytestmark = pytest.mark.slow  # the whole demo: emulator, three runs (about 12 s)


def test_demo_runs_every_step_and_copies_the_outputs(tmp_path: Path) -> None:
    lines: list[str] = []
    out = tmp_path / "gdrivestats-demo"
    assert run_demo(out, say=lines.append) == 0
    text = "\n".join(lines)
    calls = [int(n) for n in re.findall(r"\((\d+) Drive API call\(s\)\)", text)]
    assert len(calls) == 3 and calls[1] <= 2  # the no-change run costs at most 2 calls
    assert "Analysed 3 changed workbook(s), 0 failed" in text
    assert "Analysed 0 changed workbook(s), 0 failed; uploaded 0 output file(s)" in text
    assert "1 downloaded" in text and "Analysed 1 changed workbook(s), 0 failed" in text
    assert sorted(p.name for p in out.iterdir()) == ["Reports", "countries"]
    assert sorted(p.name for p in (out / "Reports").iterdir()) == ["gdp_by_continent", "largest_countries"]
    largest = json.loads((out / "Reports" / "largest_countries" / "summary.json").read_text())
    sheet = largest["sheets"][0] if "sheets" in largest else largest["workbooks"][0]["sheets"][0]
    assert sheet["rows"] == 20  # the changed version: 20 countries, the Total row set aside
    assert sheet["top"]["Area (km²)"][0]["label"] == "Canada"  # the Gapminder excerpt has no Russia
    assert (out / "countries" / "report.html").stat().st_size > 10_000


def test_a_demo_whose_analyses_fail_says_so_and_copies_nothing(tmp_path: Path, monkeypatch) -> None:
    import gdrivestats.demo

    def broken_seed(seed: Path, rows: object) -> None:
        for name in ("countries.xlsx", "Reports/largest_countries.xlsx", "Reports/gdp_by_continent.csv"):
            path = seed / "Colab Notebooks" / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(b"PK\x03\x04 not a workbook" if name.endswith(".xlsx") else b"")

    monkeypatch.setattr(gdrivestats.demo, "_write_seed", broken_seed)
    monkeypatch.setattr(
        gdrivestats.demo, "_largest_countries", lambda rows, limit: b"PK\x03\x04 still broken"
    )
    lines: list[str] = []
    assert run_demo(tmp_path / "out", say=lines.append) == 1
    assert "Analysed 0 changed workbook(s), 3 failed" in "\n".join(lines)
    assert lines[-1].startswith("6. Nothing to copy: no workbook was analysed")
    assert not (tmp_path / "out").exists()
