"""The floor: the least a Python program must do to copy a Drive folder on gdrivestats' client stack.

It imports what any program built on google-api-python-client imports before its first request (the
standard library's HTTP and TLS modules, httplib2, google-auth-httplib2 and the client library's request
module, with gdrivestats' stand-ins for the modules a read never uses, loaded from their file without
gdrivestats' own packages), then sends every request
straight through google-auth-httplib2's ``AuthorizedHttp``: a bearer token, one connection per thread, the
listing paged breadth-first with all of a level's folders in one query, each file fetched as soon as its
page arrives on ``--workers`` threads. Nothing else: no retries, no checksums, no state, no fsync, no
temporary files, no check of the names it writes. A first sync of gdrivestats slower than this is slower
by its own code; this slower than rclone is the interpreter and the client stack, not gdrivestats.

Usage: ``python bench/floorsync.py --url URL --token TOKEN --folder NAME --dest DIR [--workers 8]``
"""

from __future__ import annotations

import importlib.util
import json
import os
import queue
import sys
import threading
import urllib.parse
from pathlib import Path
from typing import Any


def _run_file(*parts: str) -> Any:
    """Run one of gdrivestats' modules from its file, on its own (gdrivestats' packages import more)."""
    path = Path(__file__).resolve().parent.parent.joinpath("gdrivestats", *parts)
    spec = importlib.util.spec_from_file_location(f"_floor_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_run_file("drive", "_deferred.py")  # the stand-ins, before the client libraries, as gdrivestats does
Token = _run_file("auth", "access_token.py").AccessToken  # a bearer token as google-auth-httplib2 wants it

# isort: split
import google_auth_httplib2  # noqa: E402
import googleapiclient.http  # noqa: E402, F401  (what a program on the client library imports, used or not)
import httplib2  # noqa: E402

FOLDER = "application/vnd.google-apps.folder"
FIELDS = "nextPageToken,files(id,name,mimeType,parents)"


class Floor:
    """One copy of one folder: the listing on the main thread, downloads on worker threads."""

    def __init__(self, url: str, token: str, workers: int) -> None:
        self.root = url.rstrip("/") + "/drive/v3/"
        self.credentials = Token(token)
        self.local = threading.local()
        self.jobs: queue.SimpleQueue[tuple[str, str] | None] = queue.SimpleQueue()
        self.failed: list[str] = []
        self.threads = [threading.Thread(target=self.work, daemon=True) for _ in range(workers)]

    def http(self) -> Any:
        http = getattr(self.local, "http", None)
        if http is None:
            http = self.local.http = google_auth_httplib2.AuthorizedHttp(
                self.credentials, http=httplib2.Http(timeout=60)
            )
        return http

    def get_json(self, path: str, **params: str) -> Any:
        query = urllib.parse.urlencode({**params, "prettyPrint": "false"})
        response, body = self.http().request(f"{self.root}{path}?{query}", "GET")
        if response.status != 200:
            raise SystemExit(f"floorsync: {path}: HTTP {response.status}: {body[:200]!r}")
        return json.loads(body)

    def work(self) -> None:
        while (job := self.jobs.get()) is not None:
            file_id, path = job
            response, body = self.http().request(f"{self.root}files/{file_id}?alt=media", "GET")
            if response.status != 200:
                self.failed.append(f"{path}: HTTP {response.status}")
                continue
            with open(path, "wb") as out:
                out.write(body)

    def copy(self, folder: str, dest: str) -> int:
        for thread in self.threads:
            thread.start()
        q = f"name = '{folder}' and 'root' in parents and mimeType = '{FOLDER}' and trashed = false"
        found = self.get_json("files", q=q, fields="files(id)")["files"]
        if not found:
            raise SystemExit(f"floorsync: no folder {folder!r} in My Drive")
        os.makedirs(dest, exist_ok=True)
        level = {found[0]["id"]: dest}
        while level:
            level = self.list_level(level)
        for _ in self.threads:
            self.jobs.put(None)
        for thread in self.threads:
            thread.join()
        for line in self.failed:
            print(f"floorsync: error: {line}", file=sys.stderr)
        return 1 if self.failed else 0

    def list_level(self, level: dict[str, str]) -> dict[str, str]:
        """Every child of ``level``'s folders, page by page: files go to the workers as they come."""
        parents = " or ".join(f"'{folder_id}' in parents" for folder_id in level)
        below: dict[str, str] = {}
        params = {"q": f"({parents}) and trashed = false", "fields": FIELDS, "pageSize": "1000"}
        while True:
            page = self.get_json("files", **params)
            for item in page["files"]:
                where = os.path.join(level[item["parents"][0]], item["name"])
                if item["mimeType"] == FOLDER:
                    os.makedirs(where, exist_ok=True)
                    below[item["id"]] = where
                else:
                    self.jobs.put((item["id"], where))
            if not page.get("nextPageToken"):
                return below
            params["pageToken"] = page["nextPageToken"]


def main(argv: list[str]) -> int:
    import argparse

    parser = argparse.ArgumentParser(prog="floorsync", description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--folder", required=True)
    parser.add_argument("--dest", required=True)
    parser.add_argument("--workers", type=int, default=8)
    args = parser.parse_args(argv)
    return Floor(args.url, args.token, args.workers).copy(args.folder, args.dest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
