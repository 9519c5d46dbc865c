"""The light read path of ApiDrive: GETs built without the discovery document, an access token without
google-auth's credential modules, and httplib2's auth module loaded only when a 401 needs it."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
from google.oauth2.credentials import Credentials

from gdrivestats.auth.access_token import AccessToken
from gdrivestats.drive.api import ApiDrive, build_service, read_request
from gdrivestats.drive.retry import Backoff
from gdrivestats.errors import AuthError

pytest.importorskip("gdrivestats.emulator")


def _parts(uri: str) -> tuple[str, dict[str, str]]:
    split = urlsplit(uri)
    return split.path, dict(parse_qsl(split.query))


@pytest.mark.parametrize(
    ("method", "path", "params", "media"),
    [
        (
            "list",
            "files",
            {"q": "'a' in parents", "pageSize": 1000, "fields": "files(id)", "spaces": "drive"},
            False,
        ),
        ("get", "files/x%2Fy", {"fileId": "x/y", "fields": "id", "supportsAllDrives": True}, False),
        (
            "get_media",
            "files/abc",
            {"fileId": "abc", "supportsAllDrives": True, "acknowledgeAbuse": True},
            True,
        ),
        ("export_media", "files/abc/export", {"fileId": "abc", "mimeType": "text/csv"}, True),
        ("generateIds", "files/generateIds", {"count": 20, "space": "drive"}, False),
    ],
)
def test_a_read_request_is_the_one_the_discovery_document_builds(
    method: str, path: str, params: dict[str, Any], media: bool
) -> None:
    service = build_service(Credentials("t"), "https://drive.example/")
    expected = getattr(service.files(), method)(**params)
    ours = read_request(
        None,
        "https://drive.example/drive/v3/",
        path,
        {k: v for k, v in params.items() if k != "fileId"},
        media,
    )
    assert _parts(ours.uri) == _parts(expected.uri)
    assert ours.method == expected.method == "GET"
    for header in ("accept", "accept-encoding", "user-agent", "x-goog-api-client"):
        assert ours.headers.get(header) == expected.headers.get(header), header


def test_changes_about_and_start_token_requests_match_the_discovery_document() -> None:
    service = build_service(Credentials("t"), "https://drive.example/")
    root = "https://drive.example/drive/v3/"
    pairs = [
        (service.about().get(fields="user"), read_request(None, root, "about", {"fields": "user"})),
        (
            service.changes().getStartPageToken(supportsAllDrives=True),
            read_request(None, root, "changes/startPageToken", {"supportsAllDrives": True}),
        ),
        (
            service.changes().list(pageToken="7", pageSize=1000, spaces="drive"),
            read_request(None, root, "changes", {"pageToken": "7", "pageSize": 1000, "spaces": "drive"}),
        ),
    ]
    for expected, ours in pairs:
        assert _parts(ours.uri) == _parts(expected.uri)


def test_an_access_token_drive_reads_writes_and_lists_through_the_emulator(
    emu: Any, monkeypatch: Any
) -> None:
    monkeypatch.setenv("GDRIVESTATS_ACCESS_TOKEN", "test-token")
    drive = ApiDrive.from_env(root_url=emu.url, backoff=Backoff.fast())
    assert isinstance(drive._credentials, AccessToken)
    entry = drive.write_bytes(drive.makedirs("Reports/2024"), "a.csv", b"x,y\n1,2\n")  # writes: discovery
    assert drive.read_bytes("Reports/2024/a.csv") == b"x,y\n1,2\n"
    assert [e.path for e in drive.list("Reports", recursive=True)] == ["Reports/2024", "Reports/2024/a.csv"]
    changes, token = drive.changes(drive.start_token())
    assert changes == [] and token
    assert drive.stat("Reports/2024/a.csv").id == entry.id


def test_a_refused_access_token_is_one_auth_error(emu: Any) -> None:
    emu.state.token_validator = lambda token: token == "good"
    drive = ApiDrive(AccessToken("bad"), root_url=emu.url, backoff=Backoff.fast())
    with pytest.raises(AuthError, match="cannot be refreshed"):
        drive.stat("Reports")


def test_a_sync_run_imports_no_discovery_crypto_pyparsing_or_version_checks(
    emu: Any,
) -> None:
    emu.state.token_validator = lambda token: token == "good"
    code = f"""
import json, sys
from gdrivestats.auth.access_token import AccessToken
from gdrivestats.drive.api import ApiDrive
from gdrivestats.drive.retry import Backoff
from gdrivestats.errors import AuthError
heavy = ("pyparsing", "googleapiclient.discovery", "cryptography", "google.oauth2.credentials",
         "google.auth.credentials", "google.api_core._python_package_support")
drive = ApiDrive(AccessToken("good"), root_url={emu.url!r}, backoff=Backoff.fast())
drive.changes(drive.start_token())
before = sorted(m for m in heavy if m in sys.modules)
try:
    ApiDrive(AccessToken("bad"), root_url={emu.url!r}, backoff=Backoff.fast()).account()
except AuthError as exc:
    refused = str(exc)
import httplib2
print(json.dumps([before, "pyparsing" in sys.modules, type(httplib2.auth).__name__, refused]))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    before, loaded, kind, refused = json.loads(out.strip().splitlines()[-1])
    assert before == []
    assert loaded and kind == "module"  # a 401's challenge loads the real httplib2.auth
    assert "cannot be refreshed" in refused


def test_json_requests_ask_for_unindented_answers_media_requests_do_not() -> None:
    """``prettyPrint=false`` on every JSON call, reads and writes alike, as Google's own Go client sends it;
    a media download has no JSON to indent."""
    api_root = "https://drive.example/drive/v3/"
    listed = read_request(None, api_root, "files", {"q": "'a' in parents"})
    media = read_request(None, api_root, "files/abc", {"supportsAllDrives": True}, media=True)
    created = build_service(Credentials("t"), "https://drive.example/").files().create(body={"name": "x"})
    assert _parts(listed.uri)[1]["prettyPrint"] == "false"
    assert _parts(created.uri)[1]["prettyPrint"] == "false"
    assert "prettyPrint" not in _parts(media.uri)[1] and _parts(media.uri)[1]["alt"] == "media"


def test_a_deferred_package_loads_with_its_submodules_when_an_attribute_is_asked() -> None:
    """google-api-core's stand-in: its submodules import without the package's version checks; the first
    attribute asked of the package imports the real one, which then holds the submodules imported before."""
    code = """
import json, sys
import gdrivestats.drive._deferred
import googleapiclient.http
import google.api_core as stand_in
checks = "google.api_core._python_package_support"
key = stand_in.version_header.API_VERSION_METADATA_KEY
first = [type(sys.modules["google.api_core"]).__name__, checks in sys.modules, key]
version = stand_in.__version__
import google.api_core, google.api_core.version_header
real = sys.modules["google.api_core"]
bound = real.version_header is sys.modules["google.api_core.version_header"]
print(json.dumps([first, type(real).__name__, checks in sys.modules, version == real.__version__,
                  bound, google.api_core is real]))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    first, kind, checked, same_version, bound, rebound = json.loads(out.strip().splitlines()[-1])
    assert first == ["_Deferred", False, "x-goog-api-version"]  # googleapiclient.model's constant, unchecked
    assert (kind, checked, same_version, bound, rebound) == ("module", True, True, True, True)


def test_the_deferred_package_answers_dotted_access_find_spec_and_file_before_it_loads() -> None:
    """``import google.api_core.exceptions`` then ``google.api_core.exceptions.X``, as Google's docs write it,
    and the usual "is it installed" checks, all without running the package's version checks."""
    code = """
import json, sys, importlib.util
import gdrivestats.drive._deferred
import googleapiclient.http
import google.api_core.exceptions
checks = "google.api_core._python_package_support"
found = google.api_core.exceptions.NotFound.__name__
spec = importlib.util.find_spec("google.api_core")
early = [found, spec is not None and spec.name, google.api_core.__file__.endswith("__init__.py"),
         checks in sys.modules]
from google.api_core import __version__
print(json.dumps([early, bool(__version__), checks in sys.modules]))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    early, versioned, checked = json.loads(out.strip().splitlines()[-1])
    assert early == ["NotFound", "google.api_core", True, False]
    assert versioned and checked  # the first real attribute loaded the package, checks and all
