"""Tests of gdrivestats.report.pdf: a multi-page PDF with the key tables as text and one page per chart."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from gdrivestats.report import build_report
from tests.report.support import wide_workbook


def pdf_pages(path: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page[^s]", path.read_bytes()))


def test_pdf_has_a_title_page_table_pages_and_a_page_per_chart(saved_once: Path) -> None:
    pdf = saved_once / "report.pdf"
    assert pdf.read_bytes().startswith(b"%PDF-")
    charts = len(list((saved_once / "charts").glob("*.png")))
    assert pdf_pages(pdf) == 1 + 2 + charts  # title, one table page per sheet, the charts


@pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext missing (apt-get install poppler-utils)"
)
def test_pdf_text_holds_the_tables(saved_once: Path) -> None:
    text = subprocess.run(
        ["pdftotext", "-layout", str(saved_once / "report.pdf"), "-"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "World data" in text and "Sheet Countries" in text and "Summary statistics" in text
    assert re.search(r"Population\s+11\s+256\.9\s+0\.9\s+5\s+1,400\s+2,825\.9\s+0", text)
    assert "Top and bottom 3" in text and "<b>Bold & Co</b>" in text  # shown literally
    assert "Header found on row 3." in text


@pytest.mark.skipif(
    shutil.which("pdftoppm") is None, reason="pdftoppm missing (apt-get install poppler-utils)"
)
def test_pdf_pages_render(saved_once: Path, tmp_path: Path) -> None:
    subprocess.run(
        [
            "pdftoppm",
            "-r",
            "30",
            "-png",
            "-f",
            "1",
            "-l",
            "3",
            str(saved_once / "report.pdf"),
            str(tmp_path / "p"),
        ],
        check=True,
        capture_output=True,
    )
    assert len(list(tmp_path.glob("p-*.png"))) == 3


@pytest.mark.slow  # 70 metrics analysed, drawn and laid out in a PDF
@pytest.mark.skipif(
    shutil.which("pdftotext") is None, reason="pdftotext missing (apt-get install poppler-utils)"
)
def test_long_tables_are_cut_with_a_pointer_to_the_xlsx(tmp_path: Path) -> None:
    out = build_report(wide_workbook(sheets=1, rows=30, metrics=70)).save(tmp_path / "out")
    pdf = out / "report.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert "… 14 more rows in summary.xlsx" in text  # 70 metrics, 56 shown
    assert "Sheet Table 1 (continued)" in text  # the statistics ran over onto a second page
    assert "Top and bottom 5 (first 3 metrics)" in text
