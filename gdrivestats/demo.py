"""``gdrivestats demo``: the whole daily job against a local Drive emulator, step by step, offline.

It starts the emulator in this process, seeds My Drive with the bundled sample and two more workbooks under
``Colab Notebooks/``, and runs ``run`` through the real Drive API path (google-api-python-client, auth by
access token): a first run, a run with nothing changed, then one workbook changed on Drive and a run that
updates only its outputs. Finally it copies the outputs from the emulated Drive to a local folder.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from openpyxl import Workbook as XlsxWorkbook
from openpyxl import load_workbook as open_xlsx

from gdrivestats._fs import atomic_folder
from gdrivestats.drive.api import ApiDrive
from gdrivestats.drive.base import Drive
from gdrivestats.pipeline import RunResult, run
from gdrivestats.reader import sample_path

FOLDER = "Colab Notebooks"
OUT_FOLDER = f"{FOLDER}/gdrivestats"
CHANGED = f"{FOLDER}/Reports/largest_countries.xlsx"


def run_demo(out: Path, say: Callable[[str], None] = print) -> int:
    """Run the demo, copy the outputs into ``out``, and return the exit status (0 when every step worked)."""
    from google.oauth2.credentials import Credentials

    from gdrivestats.emulator import start_emulator

    rows = _sample_rows()
    with tempfile.TemporaryDirectory(prefix="gdrivestats-demo-") as tmp:
        seed = Path(tmp) / "seed"
        _write_seed(seed, rows)
        with start_emulator(seed=seed) as emu:
            say(
                f"1. Started a Drive v3 emulator at {emu.url} and seeded My Drive/{FOLDER}/ with 3 workbooks:"
            )
            for path in sorted(p.relative_to(seed).as_posix() for p in seed.rglob("*") if p.is_file()):
                say(f"     {path}")
            drive = ApiDrive(Credentials("demo-access-token"), root_url=emu.url)
            cache = Path(tmp) / "cache"

            def step(title: str) -> RunResult:
                emu.log.clear()
                result = run(drive, FOLDER, cache, progress=False)
                calls = emu.log.count()
                say(f"{title} ({calls} Drive API call(s)):")
                for line in result.summary().splitlines():
                    say(f"     {line}")
                return result

            first = step(
                f"2. First run: sync {FOLDER}/, analyse every workbook, write outputs to {OUT_FOLDER}/"
            )
            again = step("3. Run again with nothing changed")
            entry = drive.stat(CHANGED)
            emu.state.update_content(entry.id, _largest_countries(rows, limit=20))
            say(f"4. Changed {CHANGED} on Drive (now the 20 largest countries instead of 30).")
            third = step(
                "5. Run again: only the changed workbook is downloaded, analysed and updated in place"
            )
            if not (first.analysed or third.analysed):
                say(
                    f"6. Nothing to copy: no workbook was analysed (see the failures above); {out}/ untouched"
                )
                return 1
            _copy_outputs(drive, out)
            say(f"6. Copied the outputs ({OUT_FOLDER}/) to {out}/; open {out}/countries/report.html")
    ok = first.ok and again.ok and third.ok and not again.analysed and third.analysed == [_rel(CHANGED)]
    return 0 if ok else 1


def _rel(path: str) -> str:
    return path[len(FOLDER) + 1 :]


def _sample_rows() -> list[list[Any]]:
    """The sample's countries: [country, iso3, continent, population, area, gdp, gdp per capita]."""
    sheet = open_xlsx(sample_path(), read_only=True, data_only=True)["Countries"]
    rows = [list(r) for r in sheet.iter_rows(min_row=4, values_only=True)]
    return [r for r in rows if r and isinstance(r[3], int | float)]


def _write_seed(seed: Path, rows: list[list[Any]]) -> None:
    reports = seed / FOLDER / "Reports"
    reports.mkdir(parents=True)
    shutil.copyfile(sample_path(), seed / FOLDER / "countries.xlsx")
    (reports / "largest_countries.xlsx").write_bytes(_largest_countries(rows, limit=30))
    (reports / "gdp_by_continent.csv").write_text(_continent_csv(rows), encoding="utf-8")


def _largest_countries(rows: list[list[Any]], limit: int) -> bytes:
    """An xlsx like a user's: a title row, a unit row, the N largest countries by area, and a Total row."""
    book = XlsxWorkbook()
    sheet = book.worksheets[0]
    sheet.title = "Largest"
    sheet.append([f"The {limit} largest countries by area"])
    sheet.append(["Area in km², population in people"])
    sheet.append(["Country", "Continent", "Area (km²)", "Population"])
    largest = sorted(rows, key=lambda r: -float(r[4]))[:limit]
    for r in largest:
        sheet.append([r[0], r[2], r[4], r[3]])
    total_area = sum(float(r[4]) for r in largest)
    sheet.append(["Total", None, total_area, sum(float(r[3]) for r in largest)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _continent_csv(rows: list[list[Any]]) -> str:
    """A semicolon CSV with decimal commas, as a European spreadsheet exports it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=";", lineterminator="\n")
    writer.writerow(["Country", "Continent", "GDP per capita", "Population (millions)"])
    for r in rows:
        per_capita = f"{float(r[6]):.2f}".replace(".", ",")
        millions = f"{float(r[3]) / 1e6:.3f}".replace(".", ",")
        writer.writerow([r[0], r[2], per_capita, millions])
    return buffer.getvalue()


def _copy_outputs(drive: Drive, out: Path) -> None:
    """Download every output under OUT_FOLDER into ``out``, replacing it as a whole."""
    with atomic_folder(out) as tmp:
        for entry in drive.list(OUT_FOLDER, recursive=True):
            if not entry.is_folder:
                drive.download(entry, Path(tmp) / entry.path[len(OUT_FOLDER) + 1 :])
