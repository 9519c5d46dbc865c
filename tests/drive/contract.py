"""The contract every Drive backend passes: mix ``DriveContract`` into a test class that provides ``drive``.

The ``drive`` fixture must yield an empty backend root; ``tmp_path`` is used for local downloads only.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

from gdrivestats.drive.base import Drive, Entry
from gdrivestats.errors import DriveError, NotFound


def _md5(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


class DriveContract:
    """Behaviour shared by every backend; each test starts from an empty root."""

    # ---- folders ---------------------------------------------------------------------------------

    def test_makedirs_creates_parents_and_is_idempotent(self, drive: Drive) -> None:
        first = drive.makedirs("a/b/c")
        again = drive.makedirs("a/b/c")
        assert first.is_folder and again.is_folder
        assert (first.id, first.path, first.name) == (again.id, "a/b/c", "c")
        assert drive.stat("a/b").is_folder
        assert [e.path for e in drive.list("", recursive=True)] == ["a", "a/b", "a/b/c"]

    def test_makedirs_of_existing_prefix_adds_only_the_rest(self, drive: Drive) -> None:
        top = drive.makedirs("x")
        deep = drive.makedirs("x/y")
        assert drive.stat("x").id == top.id
        assert deep.parents == (top.id,)

    # ---- writing and reading ---------------------------------------------------------------------

    def test_write_then_stat_and_read(self, drive: Drive) -> None:
        drive.makedirs("reports")
        written = drive.write_bytes("reports", "sales.csv", b"a,b\n1,2\n")
        assert (written.name, written.path, written.is_folder, written.size) == (
            "sales.csv",
            "reports/sales.csv",
            False,
            8,
        )
        got = drive.stat("reports/sales.csv")
        assert got.id == written.id
        assert got.size == 8
        assert drive.read_bytes("reports/sales.csv") == b"a,b\n1,2\n"
        assert drive.read_bytes(got) == b"a,b\n1,2\n"
        assert drive.read_text("reports/sales.csv") == "a,b\n1,2\n"
        assert got.modified is not None and got.modified.tzinfo is not None

    def test_write_into_root(self, drive: Drive) -> None:
        entry = drive.write_bytes("", "top.bin", b"\x00\x01")
        assert entry.path == "top.bin"
        assert drive.read_bytes("top.bin") == b"\x00\x01"

    def test_upsert_twice_keeps_one_file_same_id_new_content(self, drive: Drive) -> None:
        drive.makedirs("out")
        first = drive.write_bytes("out", "summary.json", b'{"v": 1}')
        second = drive.write_bytes("out", "summary.json", b'{"v": 22}')
        assert second.id == first.id
        assert second.version != first.version
        assert [e.name for e in drive.list("out")] == ["summary.json"]
        assert drive.read_bytes("out/summary.json") == b'{"v": 22}'
        assert drive.checksum("out/summary.json") == _md5(b'{"v": 22}')

    def test_upload_local_file_is_an_upsert_too(self, drive: Drive, tmp_path: Path) -> None:
        src = tmp_path / "chart.png"
        src.write_bytes(b"\x89PNG" + bytes(range(256)) * 40)
        drive.makedirs("charts")
        first = drive.upload(src, "charts")
        src.write_bytes(b"\x89PNG changed")
        second = drive.upload(src, "charts")
        renamed = drive.upload(src, "charts", name="other.png")
        assert first.id == second.id != renamed.id
        assert sorted(e.name for e in drive.list("charts")) == ["chart.png", "other.png"]
        assert drive.read_bytes("charts/chart.png") == b"\x89PNG changed"

    def test_empty_file(self, drive: Drive, tmp_path: Path) -> None:
        entry = drive.write_bytes("", "empty.txt", b"")
        assert entry.size == 0
        assert drive.read_bytes("empty.txt") == b""
        assert drive.download("empty.txt", tmp_path / "e.txt").read_bytes() == b""

    def test_unicode_and_spaces_in_names(self, drive: Drive) -> None:
        drive.makedirs("Ventes 2024/Région Est")
        drive.write_bytes("Ventes 2024/Région Est", "bilan (final) ü.csv", b"x")
        assert drive.read_bytes("Ventes 2024/Région Est/bilan (final) ü.csv") == b"x"
        assert [e.name for e in drive.list("Ventes 2024/Région Est")] == ["bilan (final) ü.csv"]

    # ---- listing ---------------------------------------------------------------------------------

    def _tree(self, drive: Drive) -> None:
        drive.makedirs("data/2023")
        drive.makedirs("data/2024/q1")
        drive.write_bytes("data", "readme.txt", b"r")
        drive.write_bytes("data/2023", "a.csv", b"a")
        drive.write_bytes("data/2024", "b.csv", b"bb")
        drive.write_bytes("data/2024/q1", "c.xlsx", b"ccc")

    def test_list_one_level(self, drive: Drive) -> None:
        self._tree(drive)
        entries = drive.list("data")
        assert [(e.path, e.is_folder) for e in entries] == [
            ("data/2023", True),
            ("data/2024", True),
            ("data/readme.txt", False),
        ]
        data_id = drive.stat("data").id
        assert all(e.parents == (data_id,) for e in entries)

    def test_list_recursive(self, drive: Drive) -> None:
        self._tree(drive)
        entries = drive.list("data", recursive=True)
        assert [e.path for e in entries] == [
            "data/2023",
            "data/2023/a.csv",
            "data/2024",
            "data/2024/b.csv",
            "data/2024/q1",
            "data/2024/q1/c.xlsx",
            "data/readme.txt",
        ]
        sizes = {e.name: e.size for e in entries if not e.is_folder}
        assert sizes == {"a.csv": 1, "b.csv": 2, "c.xlsx": 3, "readme.txt": 1}

    def test_list_of_a_file_is_an_error(self, drive: Drive) -> None:
        drive.write_bytes("", "f.txt", b"f")
        with pytest.raises(DriveError):
            drive.list("f.txt")

    def test_walk_and_find(self, drive: Drive) -> None:
        self._tree(drive)
        walked = [
            (top, [f.name for f in folders], [f.name for f in files])
            for top, folders, files in drive.walk("data")
        ]
        assert walked == [
            ("data", ["2023", "2024"], ["readme.txt"]),
            ("data/2023", [], ["a.csv"]),
            ("data/2024", ["q1"], ["b.csv"]),
            ("data/2024/q1", [], ["c.xlsx"]),
        ]
        assert [e.path for e in drive.find("data", "*.CSV")] == ["data/2023/a.csv", "data/2024/b.csv"]
        assert drive.exists("data/2024/q1/c.xlsx")
        assert not drive.exists("data/2024/q1/none.xlsx")
        assert drive.is_folder("data/2024") and not drive.is_folder("data/readme.txt")

    # ---- downloads -------------------------------------------------------------------------------

    def test_download_is_byte_identical_and_checked(self, drive: Drive, tmp_path: Path) -> None:
        payload = bytes(range(256)) * 1000 + b"tail"
        drive.makedirs("in")
        entry = drive.write_bytes("in", "big.bin", payload)
        dest = tmp_path / "out" / "sub" / "big.bin"
        assert drive.download(entry, dest) == dest
        assert dest.read_bytes() == payload
        assert drive.checksum("in/big.bin") == _md5(payload)
        assert [p.name for p in dest.parent.iterdir()] == ["big.bin"]  # no temporary file left

    def test_download_replaces_an_existing_file(self, drive: Drive, tmp_path: Path) -> None:
        drive.write_bytes("", "f.txt", b"new")
        dest = tmp_path / "f.txt"
        dest.write_bytes(b"old content")
        drive.download("f.txt", dest)
        assert dest.read_bytes() == b"new"

    # ---- errors ----------------------------------------------------------------------------------

    @pytest.mark.parametrize("path", ["missing.txt", "no/such/folder.txt"])
    def test_missing_paths_raise_not_found(self, drive: Drive, tmp_path: Path, path: str) -> None:
        with pytest.raises(NotFound) as err:
            drive.stat(path)
        assert isinstance(err.value, FileNotFoundError)
        assert path.split("/")[0] in str(err.value)
        with pytest.raises(NotFound):
            drive.read_bytes(path)
        with pytest.raises(NotFound):
            drive.download(path, tmp_path / "x")
        with pytest.raises(NotFound):
            drive.list(path)
        assert not (tmp_path / "x").exists()

    def test_write_into_missing_folder_raises_not_found(self, drive: Drive) -> None:
        with pytest.raises(NotFound):
            drive.write_bytes("nowhere", "a.txt", b"a")

    # ---- removing --------------------------------------------------------------------------------

    def test_remove_file_and_folder(self, drive: Drive) -> None:
        self._tree(drive)
        drive.remove("data/readme.txt")
        assert not drive.exists("data/readme.txt")
        with pytest.raises(DriveError):
            drive.remove("data/2024")  # not empty
        assert drive.exists("data/2024/b.csv")
        drive.remove("data/2024", recursive=True)
        assert [e.path for e in drive.list("data", recursive=True)] == ["data/2023", "data/2023/a.csv"]
        with pytest.raises(NotFound):
            drive.remove("data/2024")

    # ---- changes ---------------------------------------------------------------------------------

    def test_changes_after_create_modify_delete(self, drive: Drive) -> None:
        drive.makedirs("w")
        keep = drive.write_bytes("w", "keep.txt", b"same")
        gone = drive.write_bytes("w", "gone.txt", b"bye")
        token = drive.start_token()
        assert drive.changes(token)[0] == []

        created = drive.write_bytes("w", "new.txt", b"hello")
        modified = drive.write_bytes("w", "gone.txt", b"changed!")
        changes, token2 = drive.changes(token)
        live = {c.id: c for c in changes if not c.removed}
        assert {created.id, modified.id} <= set(live)
        assert keep.id not in live
        assert live[created.id].entry is not None
        assert isinstance(live[created.id].entry, Entry)
        assert live[created.id].entry.name == "new.txt"  # type: ignore[union-attr]

        drive.remove("w/gone.txt")
        changes, _ = drive.changes(token2)
        removed = [c for c in changes if c.removed]
        assert [c.id for c in removed] == [gone.id]
        assert all(c.id != keep.id for c in changes)
