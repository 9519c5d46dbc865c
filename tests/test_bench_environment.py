"""What the benchmark records of its environment: how gdrivestats is installed (the start of each process)."""

from __future__ import annotations

import json
from importlib import metadata
from pathlib import Path

import pytest

from bench import environment


def _dist(tmp_path: Path, direct_url: dict[str, object] | None, files: list[str]) -> metadata.Distribution:
    info = tmp_path / "pkg-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n", encoding="utf-8")
    (info / "RECORD").write_text("".join(f"{name},,\n" for name in files), encoding="utf-8")
    if direct_url is not None:
        (info / "direct_url.json").write_text(json.dumps(direct_url), encoding="utf-8")
    return metadata.Distribution.at(info)


@pytest.mark.parametrize(
    ("direct_url", "files", "expected"),
    [
        (None, ["pkg/__init__.py"], "wheel"),
        ({"url": "file:///src", "dir_info": {}}, ["pkg/__init__.py"], "wheel"),
        (
            {"url": "file:///src", "dir_info": {"editable": True}},
            ["__editable__.pkg-1.0.pth"],
            "editable, a path in a .pth file",
        ),
        (
            {"url": "file:///src", "dir_info": {"editable": True}},
            ["__editable__.pkg-1.0.pth", "__editable___pkg_1_0_finder.py"],
            "editable, setuptools' import hook",
        ),
    ],
)
def test_install_mode_tells_a_wheel_a_static_path_and_the_import_hook_apart(
    tmp_path: Path, direct_url: dict[str, object] | None, files: list[str], expected: str
) -> None:
    assert environment.install_mode_of(_dist(tmp_path, direct_url, files)) == expected


def test_the_project_never_installs_through_setuptools_import_hook() -> None:
    # pyproject.toml's package-dir makes `pip install -e .` a static path: the hook's imports would add about
    # 25 ms to the start of every process, the CLI's first request included.
    assert environment.install_mode() in ("wheel", "editable, a path in a .pth file")
    assert environment.install_mode("no-such-distribution-here") == "not installed"


def test_install_mode_reads_the_installed_copy_not_the_source_trees_egg_info(tmp_path: Path) -> None:
    # `pip install -e .` leaves pkg.egg-info in the source tree, which the .pth puts first on sys.path; it has
    # no INSTALLER and no direct_url.json, so reading it would call every editable install a wheel.
    source, site = tmp_path / "src", tmp_path / "site"
    source.mkdir()
    site.mkdir()
    egg = source / "pkg.egg-info"
    egg.mkdir()
    (egg / "PKG-INFO").write_text("Metadata-Version: 2.1\nName: pkg\nVersion: 1.0\n", encoding="utf-8")
    _dist(site, {"url": "file:///src", "dir_info": {"editable": True}}, ["__editable__.pkg-1.0.pth"])
    (site / "pkg-1.0.dist-info" / "INSTALLER").write_text("pip\n", encoding="utf-8")
    assert environment.install_mode("pkg", path=[str(source), str(site)]) == "editable, a path in a .pth file"
    assert environment.install_mode("pkg", path=[str(source)]) == "wheel"


def _scheme(root: Path, kdamond: str, state: str, action: str, age: int, aggr_us: int) -> None:
    context = root / kdamond / "contexts" / "0"
    scheme = context / "schemes" / "0"
    (scheme / "access_pattern" / "age").mkdir(parents=True)
    (context / "monitoring_attrs" / "intervals").mkdir(parents=True)
    (root / kdamond / "state").write_text(f"{state}\n")
    (scheme / "action").write_text(f"{action}\n")
    (scheme / "access_pattern" / "age" / "min").write_text(f"{age}\n")
    (context / "monitoring_attrs" / "intervals" / "aggr_us").write_text(f"{aggr_us}\n")


def test_idle_pageout_names_a_running_pageout_scheme_and_its_idle_time(tmp_path: Path) -> None:
    _scheme(tmp_path, "0", "on", "pageout", 12, 5_000_000)
    _scheme(tmp_path, "1", "off", "pageout", 3, 1_000_000)  # not running
    _scheme(tmp_path, "2", "on", "stat", 1, 1_000_000)  # counts, pages nothing out
    assert environment.idle_pageout(tmp_path) == "pages idle for 60 s and more (DAMON)"
    assert environment.idle_pageout(tmp_path / "absent") == "none found"
    unreadable = tmp_path / "unreadable"
    (unreadable / "0" / "state").mkdir(parents=True)  # read_text fails, as for a non-root user
    assert environment.idle_pageout(unreadable).startswith("unknown: ")
    assert environment.machine()["kernel page-out of idle memory"] == environment.idle_pageout()
