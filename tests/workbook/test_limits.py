"""Hostile workbooks are refused before parsing, in one line, fast and with little memory."""

from __future__ import annotations

import io
import os
import resource
import time
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook as XlsxWorkbook

from gdrivestats.errors import WorkbookError
from gdrivestats.workbook import limits, load_workbook
from gdrivestats.workbook.limits import check_limits


def _xlsx_with(tmp_path: Path, name: str, members: dict[str, bytes]) -> Path:
    """A real small xlsx with extra or replaced zip members."""
    book = XlsxWorkbook()
    book.active.append(["name", "value"])
    book.active.append(["a", 1])
    buffer = io.BytesIO()
    book.save(buffer)
    path = tmp_path / name
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as src, zipfile.ZipFile(path, "w") as out:
        for item in src.infolist():
            if item.filename not in members:
                out.writestr(item, src.read(item.filename), compress_type=zipfile.ZIP_DEFLATED)
        for member, data in members.items():
            out.writestr(member, data, compress_type=zipfile.ZIP_DEFLATED)
    return path


@pytest.mark.slow  # a size budget: over a GB compressed to build the bomb
def test_a_zip_bomb_is_refused_quickly_and_cheaply(tmp_path: Path) -> None:
    bomb = _xlsx_with(tmp_path, "bomb.xlsx", {"xl/media/padding.bin": b"\0" * (1100 << 20)})
    assert bomb.stat().st_size < 8 << 20  # a few MB on disk, over a GB unpacked
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.monotonic()
    with pytest.raises(WorkbookError, match=r"bomb\.xlsx: unpacks to 1,100 MB .* it may be a zip bomb"):
        load_workbook(bomb)
    assert time.monotonic() - started < 10
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 200_000  # KiB: no unpacking


def test_huge_shared_strings_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(limits, "MAX_SHARED_STRINGS_BYTES", 1 << 20)  # 1 MiB here instead of 256
    text = os.urandom(1 << 20).hex().encode()  # 2 MiB of text that compresses only about 2x
    strings = b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><si><t>'
    book = _xlsx_with(tmp_path, "strings.xlsx", {"xl/sharedStrings.xml": strings + text + b"</t></si></sst>"})
    with pytest.raises(WorkbookError, match=r"strings\.xlsx: holds 2 MB of text cells \(at most 1 MB\)"):
        load_workbook(book)


def test_a_big_sheet_declaring_too_many_columns_is_refused(tmp_path: Path) -> None:
    head = b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    head += b'<dimension ref="A1:FXSHRXW1"/>'
    sheet = (
        head.replace(b"FXSHRXW1", b"XFD2000")
        + b"<sheetData>"
        + b" " * (20 << 20)
        + b"</sheetData></worksheet>"
    )
    wide = _xlsx_with(tmp_path, "wide.xlsx", {"xl/worksheets/sheet1.xml": sheet})
    with pytest.raises(WorkbookError, match=r"sheet sheet1 spans 16,384 columns and 2,000 rows"):
        check_limits(wide)


def test_a_small_sheet_formatted_to_the_last_column_is_read(tmp_path: Path) -> None:
    book = XlsxWorkbook()
    book.active.append(["name", "value"])
    book.active.append(["a", 1])
    book.active.append(["b", 2])
    book.active.cell(row=1, column=16384).value = None  # Excel then declares A1:XFD3
    path = tmp_path / "formatted.xlsx"
    book.save(path)
    check_limits(path)
    assert load_workbook(path).sheets[0].data["value"].tolist() == [1, 2]


def test_a_csv_field_longer_than_the_csv_modules_limit_is_read(tmp_path: Path) -> None:
    path = tmp_path / "long.csv"
    path.write_text('name,notes,value\na,"' + "x" * 200_000 + '",1\nb,short,2\n')
    sheet = load_workbook(path).sheets[0]
    assert sheet.data["value"].tolist() == [1, 2]
