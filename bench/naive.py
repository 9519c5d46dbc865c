"""The peer: a Drive folder download script as a Colab user writes it (google-api-python-client only).

One ``files.list`` per folder while walking the tree, one sequential ``MediaIoBaseDownload`` per file. Like
a careful user, it skips a file whose local copy already has Drive's md5, so a re-run only fetches what
changed. The only change from the notebook version is how the service is built: ``build("drive", "v3")``
becomes ``build_from_document`` with the client library's bundled Drive document aimed at the emulator.

Usage: ``python bench/naive.py --url URL --token TOKEN --folder NAME --dest DIR``
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
from typing import Any

from google.oauth2.credentials import Credentials
from googleapiclient.discovery import build_from_document
from googleapiclient.discovery_cache import get_static_doc
from googleapiclient.http import MediaIoBaseDownload

FOLDER = "application/vnd.google-apps.folder"


def connect(url: str, token: str) -> Any:
    doc = json.loads(get_static_doc("drive", "v3"))
    doc["rootUrl"] = doc["mtlsRootUrl"] = url if url.endswith("/") else url + "/"
    return build_from_document(doc, credentials=Credentials(token))


def find_folder(service: Any, name: str) -> str:
    q = f"name = '{name}' and mimeType = '{FOLDER}' and 'root' in parents and trashed = false"
    found = service.files().list(q=q, fields="files(id, name)").execute()["files"]
    if not found:
        raise SystemExit(f"folder {name} not found")
    return found[0]["id"]


def md5_of(path: str) -> str:
    with open(path, "rb") as fh:
        return hashlib.md5(fh.read()).hexdigest()


def download(service: Any, item: dict[str, Any], path: str) -> int:
    if os.path.exists(path) and md5_of(path) == item.get("md5Checksum"):
        return 0  # already have this version
    request = service.files().get_media(fileId=item["id"])
    with io.FileIO(path, "wb") as fh:
        downloader = MediaIoBaseDownload(fh, request)
        done = False
        while not done:
            _status, done = downloader.next_chunk()
    return 1


def walk(service: Any, folder_id: str, local: str) -> int:
    os.makedirs(local, exist_ok=True)
    fetched = 0
    page_token = None
    while True:
        response = (
            service.files()
            .list(
                q=f"'{folder_id}' in parents and trashed = false",
                fields="nextPageToken, files(id, name, mimeType, md5Checksum, size)",
                pageSize=1000,
                pageToken=page_token,
            )
            .execute()
        )
        for item in response.get("files", []):
            path = os.path.join(local, item["name"])
            if item["mimeType"] == FOLDER:
                fetched += walk(service, item["id"], path)
            elif not item["mimeType"].startswith("application/vnd.google-apps."):
                fetched += download(service, item, path)
        page_token = response.get("nextPageToken")
        if not page_token:
            return fetched


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--token", required=True)
    parser.add_argument("--folder", required=True)
    parser.add_argument("--dest", required=True)
    args = parser.parse_args()
    service = connect(args.url, args.token)
    fetched = walk(service, find_folder(service, args.folder), args.dest)
    print(f"downloaded {fetched} files")


if __name__ == "__main__":
    main()
