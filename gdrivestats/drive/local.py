"""LocalDrive: the Drive interface over a folder on disk (the offline default, and Colab's Drive mount).

Ids are the '/'-separated paths relative to the root (so an id and a path are interchangeable). Checksums
are computed only when asked for (``checksum``, downloads, writes) and cached by (size, mtime_ns, inode);
``Entry.md5`` is filled from that cache, so a listing never reads file contents (on a Colab mount reading
would mean downloading). Writes are atomic: a temporary file in the same folder, then os.replace.
Symlinks that stay inside the root are followed (but not recursed into by listings); those leading out
of it are skipped with a warning and refused when addressed.

Change tokens are snapshots: ``start_token`` encodes {path: (size, mtime_ns)} of the whole tree
(zlib-compressed JSON, base64). Limits: the token grows with the tree (roughly 20-40 bytes a file after
compression); a change that keeps both size and mtime (e.g. a same-size rewrite within the file system's
timestamp granularity, or an mtime set back) is missed; a rename is reported as a removal plus a new file;
folders are reported only when created or removed.
"""

from __future__ import annotations

import base64
import builtins
import json
import logging
import mimetypes
import os
import shutil
import stat
import threading
import zlib
from datetime import UTC, datetime
from pathlib import Path

from gdrivestats.drive.base import (
    FOLDER_MIME,
    ID_PREFIX,
    Change,
    Drive,
    Entry,
    Target,
    atomic_write,
    join_path,
    md5_file,
    norm_path,
    split_path,
)
from gdrivestats.errors import DriveError, NotFound

logger = logging.getLogger(__name__)

_TOKEN_PREFIX = "local1:"
from gdrivestats._fs import TMP_PREFIX as _TEMP_PREFIX  # noqa: E402

#: Stub files Google Drive for desktop / Colab mounts show for native Google files: not readable content.
_NATIVE_STUBS = {".gsheet", ".gdoc", ".gslides", ".gdraw", ".gform", ".gmap", ".gsite"}
_CHUNK = 8 << 20


class LocalDrive(Drive):
    """A folder on disk seen through the Drive interface."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root).expanduser().resolve()
        if not self.root.is_dir():
            raise NotFound(f"{self.root}: no such folder for a LocalDrive")
        self._md5_cache: dict[str, tuple[tuple[int, int, int], str]] = {}
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"LocalDrive({str(self.root)!r})"

    # ---- paths -----------------------------------------------------------------------------------

    def _rel(self, target: Target) -> str:
        """The normalised relative path of a target (paths, "id:<path>" and entries all work)."""
        if isinstance(target, Entry):
            return norm_path(target.id)
        if target.startswith(ID_PREFIX):
            target = target[len(ID_PREFIX) :]
        return norm_path(target)

    def _abs(self, rel: str) -> Path:
        """The absolute path of a relative one, refusing anything that escapes the root through symlinks."""
        path = self.root / rel if rel else self.root
        real = path.resolve()
        if real != self.root and not real.is_relative_to(self.root):
            raise DriveError(f"{rel}: resolves outside {self.root}; refusing to follow")
        return path

    # ---- entries ---------------------------------------------------------------------------------

    def _entry(self, rel: str, st: os.stat_result | None = None) -> Entry:
        path = self._abs(rel)
        if st is None:
            try:
                st = path.stat()
            except (FileNotFoundError, NotADirectoryError) as exc:
                raise NotFound(f"{rel or '/'}: not found in {self.root}") from exc
        is_folder = stat.S_ISDIR(st.st_mode)
        name = split_path(rel)[1] if rel else self.root.name
        parent = split_path(rel)[0]
        md5 = None
        if not is_folder:
            cached = self._md5_cache.get(rel)
            if cached and cached[0] == (st.st_size, st.st_mtime_ns, st.st_ino):
                md5 = cached[1]
        mime = FOLDER_MIME if is_folder else mimetypes.guess_type(name)[0] or "application/octet-stream"
        return Entry(
            id=rel,
            name=name,
            path=rel,
            is_folder=is_folder,
            size=None if is_folder else st.st_size,
            md5=md5,
            modified=datetime.fromtimestamp(st.st_mtime_ns / 1e9, tz=UTC),
            mime_type=mime,
            version=f"{st.st_mtime_ns:x}-{st.st_ino:x}-{st.st_size:x}",
            parents=(parent,) if rel else (),
        )

    def _remember_md5(self, rel: str, md5: str) -> None:
        st = self._abs(rel).stat()
        with self._lock:
            self._md5_cache[rel] = ((st.st_size, st.st_mtime_ns, st.st_ino), md5)

    def stat(self, path: Target) -> Entry:
        return self._entry(self._rel(path))

    def list(self, path: Target = "", recursive: bool = False) -> list[Entry]:
        rel = self._rel(path)
        top = self._entry(rel)
        if not top.is_folder:
            raise DriveError(f"{rel}: not a folder, cannot list it")
        entries: list[Entry] = []
        pending = [rel]
        while pending:
            folder = pending.pop()
            try:
                with os.scandir(self._abs(folder)) as it:
                    items = [d for d in it if not d.name.startswith(_TEMP_PREFIX)]
            except FileNotFoundError:
                continue  # removed while we walked
            for item in items:
                child = join_path(folder, item.name)
                try:
                    entry = self._entry(child, item.stat())
                except (FileNotFoundError, NotFound):
                    continue  # removed meanwhile, or a broken symlink
                except DriveError as exc:
                    logger.warning("%s", exc)  # a symlink leading out of the root: skipped
                    continue
                entries.append(entry)
                if recursive and entry.is_folder and not item.is_symlink():
                    pending.append(child)
        return sorted(entries, key=lambda e: e.path)

    # ---- content ---------------------------------------------------------------------------------

    def _file(self, path: Target) -> tuple[str, Path]:
        rel = self._rel(path)
        entry = self._entry(rel)
        if entry.is_folder:
            raise DriveError(f"{rel}: is a folder, not a file")
        if Path(rel).suffix.lower() in _NATIVE_STUBS:
            raise DriveError(
                f"{rel}: a native Google file as seen through a Drive mount has no content here; "
                "read it with ApiDrive (it is exported to xlsx)"
            )
        return rel, self._abs(rel)

    def read_bytes(self, path: Target) -> bytes:
        rel, abs_path = self._file(path)
        try:
            return abs_path.read_bytes()
        except FileNotFoundError as exc:
            raise NotFound(f"{rel}: not found in {self.root}") from exc

    def checksum(self, path: Target) -> str | None:
        rel, abs_path = self._file(path)
        entry = self._entry(rel)
        if entry.md5 is not None:
            return entry.md5
        md5 = md5_file(abs_path)
        self._remember_md5(rel, md5)
        return md5

    def download(self, path: Target, dest: Path) -> Path:
        rel, abs_path = self._file(path)
        expected = path.md5 if isinstance(path, Entry) else self._entry(rel).md5
        dest = Path(dest)
        try:
            with open(abs_path, "rb") as src:
                md5 = atomic_write(dest, iter(lambda: src.read(_CHUNK), b""), expected)
        except FileNotFoundError as exc:
            raise NotFound(f"{rel}: not found in {self.root}") from exc
        self._remember_md5(rel, md5)
        return dest

    def write_bytes(self, folder: Target, name: str, data: bytes) -> Entry:
        rel = join_path(self._folder(folder), _check_name(name))
        md5 = atomic_write(self._abs(rel), [data])
        self._remember_md5(rel, md5)
        return self._entry(rel)

    def upload(
        self, local_path: Path | str, folder: Target, name: str | None = None, known_id: str | None = None
    ) -> Entry:
        local_path = Path(local_path)
        rel = join_path(self._folder(folder), _check_name(name or local_path.name))
        with open(local_path, "rb") as src:
            md5 = atomic_write(self._abs(rel), iter(lambda: src.read(_CHUNK), b""))
        self._remember_md5(rel, md5)
        return self._entry(rel)

    def _folder(self, folder: Target) -> str:
        rel = self._rel(folder)
        if not self._entry(rel).is_folder:
            raise DriveError(f"{rel}: not a folder, cannot write into it")
        return rel

    # ---- tree ------------------------------------------------------------------------------------

    def makedirs(self, path: str, folder_id: str | None = None) -> Entry:
        rel = self._rel(path)
        target = self._abs(rel)
        try:
            target.mkdir(parents=True, exist_ok=True)
        except (FileExistsError, NotADirectoryError) as exc:
            raise DriveError(f"{rel}: a file is in the way, cannot create the folder") from exc
        return self._entry(rel)

    def remove(self, path: Target, recursive: bool = False) -> None:
        rel = self._rel(path)
        if not rel:
            raise DriveError("refusing to remove the root of a LocalDrive")
        entry = self._entry(rel)
        target = self._abs(rel)
        if not entry.is_folder:
            target.unlink(missing_ok=True)
        elif recursive:
            shutil.rmtree(target)
        else:
            try:
                target.rmdir()
            except OSError as exc:
                raise DriveError(f"{rel}: folder is not empty; pass recursive=True to remove it") from exc
        with self._lock:
            for key in [k for k in self._md5_cache if k == rel or k.startswith(rel + "/")]:
                del self._md5_cache[key]

    # ---- changes ---------------------------------------------------------------------------------

    def _snapshot(self) -> dict[str, builtins.list[int]]:
        """{path: [size, mtime_ns]} for every file, {path: [-1, 0]} for every folder."""
        return {
            e.path: [-1, 0] if e.is_folder else [e.size or 0, _mtime_ns(e)]
            for e in self.list("", recursive=True)
        }

    def account(self) -> str:
        return f"local:{self.root}"

    def folder_link(self, path: Target) -> str | None:
        entry = self._as_entry(path)
        return (self.root / entry.path).as_uri() if entry.path else self.root.as_uri()

    def start_token(self) -> str:
        raw = json.dumps(self._snapshot(), separators=(",", ":"), sort_keys=True).encode()
        return _TOKEN_PREFIX + base64.urlsafe_b64encode(zlib.compress(raw, 9)).decode("ascii")

    def changes(self, token: str) -> tuple[builtins.list[Change], str]:
        if not token.startswith(_TOKEN_PREFIX):
            raise DriveError("not a LocalDrive change token; get one from LocalDrive.start_token()")
        try:
            raw = zlib.decompress(base64.urlsafe_b64decode(token[len(_TOKEN_PREFIX) :]))
            before: dict[str, list[int]] = json.loads(raw)
        except (ValueError, zlib.error) as exc:
            raise DriveError("damaged LocalDrive change token; start again from start_token()") from exc
        now = self._snapshot()
        found: list[Change] = []
        for path, sig in sorted(now.items()):
            if before.get(path) != sig:
                try:
                    entry = self._entry(path)
                except NotFound:
                    continue
                found.append(Change(id=path, removed=False, entry=entry, path=path, time=entry.modified))
        found += [Change(id=p, removed=True, path=p) for p in sorted(before.keys() - now.keys())]
        return found, self.start_token()


def _mtime_ns(entry: Entry) -> int:
    """The mtime in ns of a LocalDrive entry, read back from its version string."""
    return int((entry.version or "0").split("-", 1)[0], 16)


def _check_name(name: str) -> str:
    """A name for a new local file: one path component."""
    if not name or name in (".", "..") or "/" in name or "\\" in name or "\x00" in name:
        raise ValueError(f"{name!r}: not a valid file name (use gdrivestats.names.safe_name)")
    return name
