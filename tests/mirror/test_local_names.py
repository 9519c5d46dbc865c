"""paths: hostile Drive names always map to safe, distinct, stable local paths inside the root."""

from __future__ import annotations

import random
import string
from datetime import UTC, datetime, timedelta
from pathlib import Path, PurePosixPath

import pytest

from gdrivestats.drive.base import SPREADSHEET_MIME, Entry
from gdrivestats.mirror.local_names import local_names, local_paths, resolve_inside, safe_relpath
from gdrivestats.names import MAX_NAME_BYTES, safe_name

HOSTILE = [
    "",
    ".",
    "..",
    "...",
    "/",
    "//",
    "\\",
    "../../etc/passwd",
    "..\\..\\windows",
    "/etc/passwd",
    "a/../../b",
    "CON",
    "con.txt",
    "NUL.tar.gz",
    "COM1",
    "lpt9.xlsx",
    "aux ",
    "trailing. . .",
    "trailing   ",
    "\x00\x01\x1f\x7f",
    "new\nline.csv",
    'what?*<>|":.xlsx',
    "é" * 200 + ".xlsx",
    "x" * 1000,
    "日本語" * 100 + ".csv",
    " leading space",
    "~",
    "-rf",
    "$HOME",
    "%APPDATA%",
    "a\u202eb.txt",
]


def _random_names(count: int, seed: int = 7) -> list[str]:
    rnd = random.Random(seed)
    alphabet = string.printable + "./\\\x00\x7féß日\u0301"
    return ["".join(rnd.choice(alphabet) for _ in range(rnd.randint(0, 300))) for _ in range(count)]


WINDOWS_BAD = set('<>:"/\\|?*') | {chr(c) for c in range(32)} | {"\x7f"}


@pytest.mark.parametrize("name", HOSTILE + _random_names(300))
def test_safe_name_is_one_harmless_component(name: str, tmp_path: Path) -> None:
    safe = safe_name(name)
    assert safe not in ("", ".", "..")
    assert not (set(safe) & WINDOWS_BAD)
    assert not safe.endswith((".", " "))
    assert len(safe.encode("utf-8")) <= MAX_NAME_BYTES
    assert safe.split(".")[0].upper() not in {"CON", "PRN", "AUX", "NUL", "COM1", "LPT9"}
    assert resolve_inside(tmp_path, safe).parent == tmp_path.resolve()
    (tmp_path / safe).write_bytes(b"ok")  # the file system accepts it


@pytest.mark.parametrize("path", [*HOSTILE, "a/b/../../..", "x/./y", "/abs/olute", *_random_names(100, 3)])
def test_safe_relpath_stays_inside(path: str, tmp_path: Path) -> None:
    rel = safe_relpath(path)
    assert not rel.is_absolute()
    assert ".." not in rel.parts
    target = resolve_inside(tmp_path, rel)
    assert target == tmp_path.resolve() or target.is_relative_to(tmp_path.resolve())


def test_known_mappings() -> None:
    assert safe_name("sales/2024.xlsx") == "sales_2024.xlsx"
    assert safe_name("..") == "_"
    assert safe_name("CON") == "_CON"
    assert safe_name("con.txt") == "_con.txt"
    assert safe_name("report. ") == "report"
    assert safe_name("a:b") == "a_b"
    assert safe_relpath("/x/../y") == PurePosixPath("x/_/y")


def test_long_names_keep_extension_and_stay_distinct() -> None:
    a = safe_name("x" * 300 + "A.xlsx")
    b = safe_name("x" * 300 + "B.xlsx")
    assert a != b
    assert a.endswith(".xlsx") and b.endswith(".xlsx")
    assert len(a.encode()) == MAX_NAME_BYTES
    multibyte = safe_name("é" * 200 + ".csv")
    assert multibyte.endswith(".csv")
    assert len(multibyte.encode()) <= MAX_NAME_BYTES
    multibyte.encode().decode("utf-8")  # cut on a character boundary


def test_resolve_inside_rejects_escape(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        resolve_inside(tmp_path, "../x")
    with pytest.raises(ValueError):
        resolve_inside(tmp_path, "/etc/passwd")


T0 = datetime(2024, 1, 1, tzinfo=UTC)


def _file(
    id_: str, name: str, created_days: int | None = 0, parent: str = "P", mime: str = "text/csv"
) -> Entry:
    created = None if created_days is None else T0 + timedelta(days=created_days)
    return Entry(
        id=id_,
        name=name,
        path=f"f/{name}",
        is_folder=False,
        parents=(parent,),
        created=created,
        mime_type=mime,
    )


def test_duplicates_get_distinct_names_oldest_keeps_plain() -> None:
    entries = [_file("zz99newer", "a.csv", 5), _file("aa11older", "a.csv", 1), _file("mm55", "A.CSV", 3)]
    names = local_names(entries)
    assert names == {"aa11older": "a.csv", "mm55": "A (mm55).CSV", "zz99newer": "a (zz99newe).csv"}


def test_duplicate_names_are_stable_when_a_newer_duplicate_appears() -> None:
    old = [_file("id-old", "r.xlsx", 1), _file("id-mid", "r.xlsx", 2)]
    before = local_names(old)
    after = local_names([*old, _file("id-new", "r.xlsx", 9)])
    assert {k: after[k] for k in before} == before
    assert len(set(after.values())) == 3
    assert local_names(list(reversed(old))) == before  # order of the input does not matter


def test_same_created_time_ties_break_by_id_and_unknown_times_go_last() -> None:
    names = local_names([_file("b", "x", 0), _file("a", "x", 0), _file("0", "x", None)])
    assert names["a"] == "x"
    assert names["b"] == "x (b)"
    assert names["0"] == "x (0)"


def test_generated_name_never_takes_a_real_name() -> None:
    entries = [_file("abcdefgh1", "a", 1), _file("abcdefgh2", "a", 2), _file("real", "a (abcdefgh)", 3)]
    names = local_names(entries)
    assert names["real"] == "a (abcdefgh)"
    assert len({n.casefold() for n in names.values()}) == 3


def test_native_sheet_gets_export_extension_and_clashes_with_real_xlsx() -> None:
    sheet = _file("s1", "Sales", 2, mime=SPREADSHEET_MIME)
    xlsx = _file("x1", "Sales.xlsx", 1)
    assert local_names([sheet, xlsx]) == {"x1": "Sales.xlsx", "s1": "Sales (s1).xlsx"}


def test_many_hostile_duplicates_all_distinct(tmp_path: Path) -> None:
    entries = [_file(f"id{i:04d}", name, i % 7) for i, name in enumerate(HOSTILE * 3)]
    names = local_names(entries)
    assert len({n.casefold() for n in names.values()}) == len(entries)
    for name in names.values():
        (tmp_path / name).write_bytes(b"x")
    assert len(list(tmp_path.iterdir())) == len(entries)


def test_local_paths_follow_folder_ids_for_duplicate_folders() -> None:
    f1 = Entry(id="F1", name="2024", path="r/2024", is_folder=True, parents=("R",), created=T0)
    f2 = Entry(id="F2", name="2024", path="r/2024", is_folder=True, parents=("R",), created=T0 + timedelta(1))
    a = Entry(id="A", name="a.csv", path="r/2024/a.csv", is_folder=False, parents=("F1",))
    b = Entry(id="B", name="a.csv", path="r/2024/a.csv", is_folder=False, parents=("F2",))
    got = local_paths([f1, f2, a, b])
    assert got == {
        "F1": PurePosixPath("r/2024"),
        "F2": PurePosixPath("r/2024 (F2)"),
        "A": PurePosixPath("r/2024/a.csv"),
        "B": PurePosixPath("r/2024 (F2)/a.csv"),
    }
