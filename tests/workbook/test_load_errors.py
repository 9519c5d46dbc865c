"""Bad input to the workbook loader: every case ends in one WorkbookError line a user can act on."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import Workbook as OpenpyxlWorkbook

import gdrivestats.workbook.book as book_module
from gdrivestats.errors import GdriveStatsError, WorkbookError
from gdrivestats.workbook import Sheet, load_workbook, sheet_from_frame
from gdrivestats.workbook.model import RawSheet

DATA = Path(__file__).parents[1] / "data"
KNBS = "knbs_population_projections.xlsx"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


def error_for(path: Path, **kwargs: str) -> WorkbookError:
    with pytest.raises(WorkbookError) as caught:
        load_workbook(path, **kwargs)
    error = caught.value
    message = str(error)
    assert "\n" not in message and "Traceback" not in message
    assert error.path == str(path)
    assert isinstance(error, GdriveStatsError) and isinstance(error, ValueError)
    return error


def test_missing_path(tmp_path: Path) -> None:
    error = error_for(tmp_path / "nope.xlsx")
    assert (
        str(error)
        == f"{tmp_path / 'nope.xlsx'}: file not found; check the path and that the file was downloaded"
    )


def test_folder_instead_of_file(tmp_path: Path) -> None:
    folder = tmp_path / "folder.xlsx"
    folder.mkdir()
    assert "is a folder, not a file" in str(error_for(folder))


@pytest.mark.parametrize("name", ["empty.xlsx", "empty.csv", "empty.ods", "empty.xls"])
def test_zero_byte_file(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(b"")
    assert str(error_for(path)).endswith("file is empty (0 bytes); download or export it again")


def test_unsupported_extension(tmp_path: Path) -> None:
    path = tmp_path / "report.pdf"
    path.write_bytes(b"%PDF-1.4")
    message = str(error_for(path))
    assert "unsupported file type '.pdf'; save it as one of .xlsx, .xlsm, .xls, .ods, .csv, .tsv" in message


def test_corrupt_xlsx_random_bytes(tmp_path: Path) -> None:
    path = tmp_path / "broken.xlsx"
    path.write_bytes(bytes(range(256)) * 20)
    assert "file is not a valid .xlsx workbook; it may be damaged, download it again" in str(error_for(path))


def test_truncated_xlsx(tmp_path: Path, shared_data: Path) -> None:
    data = (shared_data / KNBS).read_bytes()
    path = tmp_path / "half.xlsx"
    path.write_bytes(data[: len(data) // 2])
    error = error_for(path)
    assert "cannot read this .xlsx file, it may be damaged or only partly downloaded" in str(error)
    assert error.__cause__ is not None  # the library's own error is kept for debugging, not shown


def test_password_protected_xlsx(tmp_path: Path) -> None:
    # An encrypted xlsx is an OLE2 compound file holding an EncryptionInfo stream instead of a zip.
    path = tmp_path / "secret.xlsx"
    path.write_bytes(OLE_MAGIC + bytes(504) + "EncryptionInfo".encode("utf-16-le") + bytes(1024))
    assert str(error_for(path)).endswith("file is password-protected; save an unprotected copy and try again")


def test_real_password_protected_xlsx() -> None:
    path = DATA / "password_protected.xlsx"  # encrypted by msoffcrypto-tool
    assert str(error_for(path)).endswith("file is password-protected; save an unprotected copy and try again")


def test_corrupt_xls(tmp_path: Path) -> None:
    path = tmp_path / "old.xls"
    path.write_bytes(OLE_MAGIC + bytes(2048))
    assert "cannot read this .xls file" in str(error_for(path))


def test_web_page_saved_as_xls(tmp_path: Path) -> None:
    path = tmp_path / "export.xls"
    path.write_text("<html><body><table><tr><td>1</td></tr></table></body></html>")
    assert "file is a web page or XML export with a .xls name; open it and save it as .xlsx" in str(
        error_for(path)
    )


def test_binary_csv(tmp_path: Path) -> None:
    path = tmp_path / "data.csv"
    path.write_bytes(b"\x00\x01\x02" * 100)
    assert "file is not a text table (it holds binary data)" in str(error_for(path))


def test_csv_with_only_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "blank.csv"
    path.write_text("\n\n  \n")
    assert "file holds no data, only empty lines" in str(error_for(path))


def test_no_sheet_with_numbers(tmp_path: Path) -> None:
    book = OpenpyxlWorkbook()
    book.active.title = "Names"
    for values in (["Country", "Capital"], ["Kenya", "Nairobi"], ["Peru", "Lima"]):
        book.active.append(values)
    book.create_sheet("Empty")
    path = tmp_path / "names.xlsx"
    book.save(path)
    message = str(error_for(path))
    assert "nothing to analyse, no sheet has a table with numbers" in message
    assert "Skipped sheet 'Names': no column holds numbers" in message
    assert "Skipped sheet 'Empty': the sheet is empty" in message


def test_csv_without_numbers(tmp_path: Path) -> None:
    path = tmp_path / "names.csv"
    path.write_text("Country,Capital\nKenya,Nairobi\nPeru,Lima\n")
    assert "no column holds numbers" in str(error_for(path))


def test_unknown_sheet_name(tmp_path: Path, shared_data: Path) -> None:
    path = tmp_path / "k.xlsx"
    shutil.copy(shared_data / KNBS, path)
    message = str(error_for(path, sheet="Table 9"))
    assert message.endswith(
        "no sheet named 'Table 9'; the sheets are 'Table 19.1', 'Table 19.2', 'Table 19.3', 'Table 19.4'"
    )


def test_sheet_from_frame_without_numbers() -> None:
    with pytest.raises(WorkbookError, match="table 'names' cannot be analysed: no column holds numbers"):
        sheet_from_frame(pd.DataFrame({"Country": ["Kenya", "Peru"]}), name="names")


def test_a_bug_in_one_sheet_keeps_the_others(shared_data: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    real = book_module.clean_raw_sheet

    def broken_for_one_sheet(raw: RawSheet) -> Sheet:
        if raw.name == "Table 19.2":
            raise KeyError("boom")
        return real(raw)

    monkeypatch.setattr(book_module, "clean_raw_sheet", broken_for_one_sheet)
    book = load_workbook(shared_data / KNBS)
    assert [s.name for s in book.sheets] == ["Table 19.1", "Table 19.3", "Table 19.4"]
    assert book.notes == [
        "Skipped sheet 'Table 19.2': it could not be cleaned (KeyError); please report this"
    ]
