"""The peer of ``gdrivestats run``: a Colab loop that downloads, describes and uploads each workbook in turn.

What a notebook user writes with google-api-python-client and pandas: list the folder once, then for each
workbook download it (``MediaIoBaseDownload``), read every sheet with pandas, ``describe()`` each one, and
upload each sheet's description as a CSV into ``<folder>/naive/<workbook>/`` (one folder create, then one
upload per sheet), strictly one request at a time. Writes use ``execute(num_retries=5)``, the client's own
retry of 403 userRateLimitExceeded: without it the loop stops at Drive's write limit.

Usage: ``python bench/naiverun.py --url URL --token TOKEN --folder NAME``
"""

from __future__ import annotations

import argparse
import io
import os
from typing import Any

import pandas as pd
from googleapiclient.http import MediaIoBaseDownload, MediaIoBaseUpload

from bench.naive import FOLDER, connect, find_folder  # the repository is on PYTHONPATH

OUT = "naive"
RETRIES = 5


def workbooks(service: Any, folder_id: str) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    page_token = None
    while True:
        response = (
            service.files()
            .list(
                q=f"'{folder_id}' in parents and trashed = false",
                fields="nextPageToken, files(id, name, mimeType)",
                pageSize=1000,
                pageToken=page_token,
            )
            .execute()
        )
        items += [f for f in response.get("files", []) if f["name"].endswith((".xlsx", ".csv"))]
        page_token = response.get("nextPageToken")
        if not page_token:
            return sorted(items, key=lambda f: f["name"])


def download(service: Any, file_id: str) -> bytes:
    buffer = io.BytesIO()
    downloader = MediaIoBaseDownload(buffer, service.files().get_media(fileId=file_id))
    done = False
    while not done:
        _status, done = downloader.next_chunk()
    return buffer.getvalue()


def make_folder(service: Any, parent: str, name: str) -> str:
    body = {"name": name, "mimeType": FOLDER, "parents": [parent]}
    return str(service.files().create(body=body, fields="id").execute(num_retries=RETRIES)["id"])


def upload(service: Any, parent: str, name: str, text: str) -> None:
    media = MediaIoBaseUpload(io.BytesIO(text.encode("utf-8")), mimetype="text/csv")
    body = {"name": name, "parents": [parent]}
    service.files().create(body=body, media_body=media, fields="id").execute(num_retries=RETRIES)


def describe(name: str, content: bytes) -> dict[str, pd.DataFrame]:
    if name.endswith(".csv"):
        return {"data": pd.read_csv(io.BytesIO(content)).describe(include="all")}
    sheets = pd.read_excel(io.BytesIO(content), sheet_name=None)
    return {sheet: frame.describe(include="all") for sheet, frame in sheets.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--folder", required=True)
    args = parser.parse_args()
    service = connect(args.url, args.token)
    folder_id = find_folder(service, args.folder)
    out = make_folder(service, folder_id, OUT)
    uploaded = 0
    for item in workbooks(service, folder_id):
        tables = describe(item["name"], download(service, item["id"]))
        target = make_folder(service, out, os.path.splitext(item["name"])[0])
        for sheet, table in tables.items():
            upload(service, target, f"{sheet}-describe.csv", table.to_csv())
            uploaded += 1
    print(f"uploaded {uploaded} files")


if __name__ == "__main__":
    main()
