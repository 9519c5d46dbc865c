"""The command line as a user runs it: analyze (sample, several sources, drive: paths, Drive folders and
URLs), sync and run locations, and the habits of other CLIs (help, -V, -v/-q anywhere, did you mean,
completion, settings from flags/variables/the config file, --verbose tracebacks, --dry-run, progress)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gdrivestats.cli import main, parse
from gdrivestats.emulator import Emulator, start_emulator
from tests.support import small_csv

ROOT = Path(__file__).resolve().parent.parent


def _cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess:
    """The real console entry point in a fresh interpreter."""
    return subprocess.run(
        [sys.executable, "-m", "gdrivestats", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )


def _summary(folder: Path) -> dict:
    return json.loads((folder / "summary.json").read_text(encoding="utf-8"))


def _sheet(summary: dict, name: str) -> dict:
    sheets = (
        [s for wb in summary["workbooks"] for s in wb["sheets"]]
        if "workbooks" in summary
        else summary["sheets"]
    )
    return next(s for s in sheets if s["name"] == name)


@pytest.mark.slow  # a fresh interpreter runs the analysis (end to end)
def test_sample_analysis_as_the_readme_runs_it(tmp_path: Path) -> None:
    out = tmp_path / "gdrivestats-sample"
    done = subprocess.run(
        [sys.executable, "-m", "gdrivestats", "analyze", "--sample", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    assert "Analysed 1 workbook(s), 0 failed." in done.stdout
    countries = _sheet(_summary(out), "Countries")
    assert countries["rows"] == 142 and countries["label_column"] == "Country"
    assert countries["top"]["Population"][0] == {"label": "China", "value": 1318683096}
    assert countries["groups"]["Continent"]["Population"]["Asia"]["count"] == 33
    assert (out / "report.html").stat().st_size > 10_000 and (out / "summary.xlsx").is_file()


@pytest.mark.slow  # analyses in worker processes and writes reports (end to end)
def test_several_sources_get_subfolders_and_bad_ones_one_line_each(tmp_path: Path, capsys) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.csv").write_bytes(small_csv())
    (tmp_path / "in" / "a.tsv").write_bytes(small_csv(2).replace(b",", b"\t"))
    (tmp_path / "in" / "broken.xlsx").write_bytes(b"PK\x03\x04 not a zip")
    (tmp_path / "in" / "~$a.xlsx").write_bytes(b"an Excel lock file, skipped")
    code = main(
        ["analyze", str(tmp_path / "in"), str(tmp_path / "missing.csv"), "--out", str(tmp_path / "out")]
    )
    captured = capsys.readouterr()
    assert code == 1
    errors = sorted(line for line in captured.err.splitlines() if line.startswith("gdrivestats: error:"))
    assert len(errors) == 2
    assert (
        "broken.xlsx: cannot read this .xlsx file" in errors[0] and "missing.csv: no such file" in errors[1]
    )
    assert "Traceback" not in captured.err
    assert sorted(p.name for p in (tmp_path / "out").iterdir() if p.is_dir()) == ["a-csv", "a-tsv"]
    top = _sheet(_summary(tmp_path / "out" / "a-tsv"), "a")["top"]["population"]
    assert [(t["label"], t["value"]) for t in top[:2]] == [("Japan", 250), ("Kenya", 106)]


def test_no_source_is_a_usage_error(tmp_path: Path, capsys) -> None:
    assert main(["analyze", "--out", str(tmp_path)]) == 2
    assert capsys.readouterr().err.strip() == (
        "gdrivestats: error: give at least one SOURCE (a workbook, a folder or drive:PATH), or --sample"
    )


@pytest.mark.slow  # analyses in worker processes and writes reports (end to end)
def test_analyze_a_workbook_straight_from_drive(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys
) -> None:
    seed = tmp_path / "seed" / "Colab Notebooks"
    seed.mkdir(parents=True)
    (seed / "countries.csv").write_bytes(small_csv())
    with start_emulator(seed=tmp_path / "seed") as emu:
        monkeypatch.setenv("GDRIVESTATS_DRIVE_URL", emu.url)
        monkeypatch.setenv("GDRIVESTATS_ACCESS_TOKEN", "test-token")
        assert main(["analyze", "drive:Colab Notebooks/countries.csv", "--out", str(tmp_path / "out")]) == 0
        assert emu.log.count(kind="media") == 1
        assert main(["analyze", "drive:Colab Notebooks/nope.xlsx", "--out", str(tmp_path / "out2")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "gdrivestats: error: Colab Notebooks/nope.xlsx: not found on Drive"
        " (no 'nope.xlsx' in 'Colab Notebooks')"
    ]
    summary = _summary(tmp_path / "out")
    assert _sheet(summary, "countries")["top"]["population"][0] == {"label": "Japan", "value": 125}


# ---- Drive locations in every command -------------------------------------------------------------------


@pytest.fixture
def emu_drive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    """My Drive with Colab Notebooks/{a.csv, sub/b.csv, gdrivestats/old.xlsx, notes.txt}, reached by token."""
    seed = tmp_path / "seed" / "Colab Notebooks"
    (seed / "sub").mkdir(parents=True)
    (seed / "gdrivestats").mkdir()
    (seed / "a.csv").write_bytes(small_csv())
    (seed / "sub" / "b.csv").write_bytes(small_csv(2))
    (seed / "gdrivestats" / "old.csv").write_bytes(small_csv(3))  # run's outputs folder: not analysed
    (seed / "notes.txt").write_text("not a workbook")
    with start_emulator(seed=tmp_path / "seed") as emu:
        monkeypatch.setenv("GDRIVESTATS_DRIVE_URL", emu.url)
        monkeypatch.setenv("GDRIVESTATS_ACCESS_TOKEN", "test-token")
        yield emu


def _id(emu: Emulator, name: str) -> str:
    return next(r.id for r in emu.state.files.values() if r.name == name)


@pytest.mark.slow  # analyses in worker processes and writes reports (end to end)
def test_analyze_a_drive_folder_like_a_local_one(emu_drive: Emulator, tmp_path: Path, capsys) -> None:
    assert main(["analyze", "drive:Colab Notebooks", "--out", str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a", "b", "index.html"]
    top = _sheet(_summary(tmp_path / "out" / "b"), "b")["top"]["population"]
    assert top[0] == {"label": "Japan", "value": 250}
    out = capsys.readouterr().out
    assert "drive:Colab Notebooks/sub/b.csv -> " in out and "old.csv" not in out


@pytest.mark.slow  # analyses in worker processes and writes reports (end to end)
def test_analyze_share_urls_of_a_file_and_a_folder(emu_drive: Emulator, tmp_path: Path) -> None:
    file_url = f"https://drive.google.com/file/d/{_id(emu_drive, 'a.csv')}/view?usp=sharing"
    assert main(["analyze", file_url, "--out", str(tmp_path / "one")]) == 0
    assert _sheet(_summary(tmp_path / "one"), "a")["rows"] == 6
    folder_url = f"https://drive.google.com/drive/folders/{_id(emu_drive, 'sub')}"
    assert main(["analyze", folder_url, "--out", str(tmp_path / "folder")]) == 0
    assert _sheet(_summary(tmp_path / "folder"), "b")["rows"] == 6


@pytest.mark.slow  # analyses in worker processes and writes reports (end to end)
def test_a_bad_drive_link_is_one_line_and_the_other_sources_still_run(
    emu_drive: Emulator, tmp_path: Path, capsys
) -> None:
    sources = ["https://drive.google.com/drive/folders/", "drive:Colab Notebooks/a.csv"]
    assert main(["analyze", *sources, "--out", str(tmp_path / "out")]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "gdrivestats: error: https://drive.google.com/drive/folders/: no file or folder id in this Drive"
        " link; copy it with Share → Copy link (…/file/d/ID/…, …/drive/folders/ID or …/spreadsheets/d/ID/…)"
    ]
    assert (tmp_path / "out" / "a" / "summary.json").is_file()


def test_sync_takes_drive_paths_and_folder_urls(emu_drive: Emulator, tmp_path: Path, capsys) -> None:
    url = f"https://drive.google.com/drive/u/0/folders/{_id(emu_drive, 'Colab Notebooks')}"
    assert main(["sync", url, "--cache", str(tmp_path / "c1")]) == 0
    assert (tmp_path / "c1" / "a.csv").read_bytes() == small_csv()
    assert (tmp_path / "c1" / "sub" / "b.csv").is_file()
    assert main(["sync", "drive:Colab Notebooks/sub", "--cache", str(tmp_path / "c2")]) == 0
    assert (tmp_path / "c2" / "b.csv").read_bytes() == small_csv(2)
    assert "Synced 1 file(s)" in capsys.readouterr().out


def test_sync_loads_its_modules_with_the_collector_paused_and_turns_it_back_on(
    emu_drive: Emulator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    import gdrivestats.mirror.early as early

    seen: list[bool] = []
    started = early.start_first_calls

    def spy(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.isenabled())
        return started(*args, **kwargs)

    monkeypatch.setattr(early, "start_first_calls", spy)
    assert gc.isenabled()
    assert main(["sync", "drive:Colab Notebooks", "--cache", str(tmp_path / "c1")]) == 0
    assert seen == [False] and gc.isenabled()  # paused while loading, on again for the sync itself
    gc.disable()  # a caller that runs with the collector off keeps it off
    try:
        assert main(["sync", "drive:Colab Notebooks", "--cache", str(tmp_path / "c2")]) == 0
        assert seen == [False, False] and not gc.isenabled()
    finally:
        gc.enable()
    assert (tmp_path / "c2" / "sub" / "b.csv").read_bytes() == small_csv(2)


# ---- CLI habits -------------------------------------------------------------------------------------------


def test_no_arguments_prints_help_and_exits_0() -> None:
    done = _cli()
    assert done.returncode == 0 and done.stderr == ""
    assert done.stdout.startswith("usage: gdrivestats")
    for command in ("analyze (analyse)", "sync", "run", "demo", "auth", "completion"):
        assert f"    {command}" in done.stdout
    assert "examples:" in done.stdout and "drive:id:ID" in done.stdout
    assert max(len(line) for line in done.stdout.splitlines()) <= 80


def test_help_command_and_help_flag_agree() -> None:
    flag, command = _cli("sync", "--help"), _cli("help", "sync")
    assert flag.returncode == command.returncode == 0
    assert command.stdout == flag.stdout and flag.stdout.startswith("usage: gdrivestats sync")


def test_version_both_spellings() -> None:
    from gdrivestats import __version__

    for flag in ("-V", "--version"):
        done = _cli(flag)
        assert (done.returncode, done.stdout.strip()) == (0, f"gdrivestats {__version__}")


def test_a_mistyped_command_gets_a_suggestion_and_exit_2() -> None:
    done = _cli("anlyze", "x.csv")
    assert done.returncode == 2 and done.stdout == ""
    assert "gdrivestats: error: unknown command 'anlyze'; did you mean 'analyze'?" in done.stderr
    assert "did you mean 'sync'?" in _cli("snyc").stderr
    nothing_close = _cli("frobnicate").stderr
    assert "unknown command 'frobnicate' (commands: analyze, sync, run" in nothing_close


def test_a_mistyped_global_option_before_the_command_is_named_not_its_value(tmp_path: Path) -> None:
    # "--conf FILE sync" used to report FILE as an unknown command (the word after an unknown option).
    config = tmp_path / "settings.toml"
    config.write_text('folder = "Reports"\n', encoding="utf-8")
    done = _cli("--conf", str(config), "sync", "--dry-run")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines()[-1] == (
        "gdrivestats: error: unknown option '--conf'; did you mean '--config'? "
        "(options: --help, --version, --verbose, --quiet, --config, --log-file)"
    )
    assert "unknown option '--verbos'; did you mean '--verbose'?" in _cli("--verbos", "sync").stderr
    assert "unknown option '-x' (options:" in _cli("-x", "sync").stderr


@pytest.mark.parametrize(
    "words",
    [
        ["sync", "Reports", "--work", "3", "--dry-run"],  # --workers
        ["sync", "Reports", "--dry", "--cache", "c"],  # --dry-run
        ["analyze", "x.csv", "--ou", "out"],  # --out
        ["sync", "Reports", "--conf", "c.toml"],  # the global --config, after the command
        ["auth", "login", "--no-brow"],  # --no-browser, a plugin's own option
    ],
    ids=["workers", "dry-run", "out", "config", "auth"],
)
def test_long_options_are_never_abbreviated(words: list[str]) -> None:
    # An abbreviation would change meaning, or stop working, when an option sharing its start is added:
    # a scheduled job's command line must mean the same after an upgrade.
    with pytest.raises(SystemExit) as exited:
        parse(words)
    assert exited.value.code == 2


@pytest.mark.parametrize(
    ("words", "unknown"),
    [
        (["-vv", "sync"], None),
        (["-vq", "--config", "f.toml", "sync"], None),
        (["--config=f.toml", "--log-file", "l.log", "sync"], None),
        (["--config", "-odd-name.toml", "sync"], None),  # a value, not an option
        (["-vh", "sync"], None),
        (["-V"], None),
        (["--log-file", "l.log", "--", "--conf"], None),  # after "--" nothing is an option
        (["--conf", "f.toml", "sync"], "--conf"),
        (["--conf=f.toml", "sync"], "--conf=f.toml"),
        (["-v", "-x", "sync"], "-x"),
        (["--", "sync"], None),
    ],
)
def test_the_options_before_the_command_are_checked_against_the_global_ones(
    words: list[str], unknown: str | None
) -> None:
    from gdrivestats.cli import _unknown_global

    assert _unknown_global(words) == unknown


def test_the_list_of_global_options_is_the_top_parsers_own() -> None:
    from gdrivestats.cli import _GLOBAL_FLAGS, _SHORT_GLOBALS, build_parser

    top = {flag for action in build_parser(None)._actions for flag in action.option_strings}
    assert top == set(_GLOBAL_FLAGS)
    assert {flag[1] for flag in top if len(flag) == 2} == _SHORT_GLOBALS


@pytest.mark.parametrize("words", [["-h", "sync"], ["-v", "--help", "analyse"], ["-vh", "run"]])
def test_help_before_a_command_is_the_top_level_help_with_every_command(
    words: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exited:
        parse(words)
    assert exited.value.code == 0
    listed = capsys.readouterr().out.split("commands:", 1)[1]
    for command in ("analyze", "sync", "run", "demo", "emulator", "auth", "completion"):
        assert f"\n    {command} " in listed


def test_global_options_and_short_clusters_before_the_command_are_still_taken() -> None:
    args = parse(["-vv", "--config=a.toml", "--log-file", "l.log", "-q", "sync", "Reports"])
    assert (args.command, args.verbosity, str(args.config), str(args.log_file)) == (
        "sync",
        1,
        "a.toml",
        "l.log",
    )


@pytest.mark.slow  # a fresh interpreter runs the analysis (end to end)
def test_both_spellings_of_analyse_and_global_options_after_the_command(tmp_path: Path) -> None:
    (tmp_path / "a.csv").write_bytes(small_csv())
    done = _cli("analyse", str(tmp_path / "a.csv"), "--out", str(tmp_path / "out"), "-q")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" and done.stderr == ""  # -q: nothing but errors
    assert _sheet(_summary(tmp_path / "out"), "a")["rows"] == 6


@pytest.mark.parametrize(
    ("words", "verbosity", "config"),
    [
        (["-v", "analyze", "x"], 1, None),
        (["analyze", "x", "-vv"], 2, None),
        (["-v", "analyze", "-v", "x"], 2, None),
        (["analyze", "x", "-q"], -1, None),
        (["--config", "a.toml", "sync", "F"], 0, "a.toml"),
        (["sync", "F", "--config", "b.toml", "--verbose"], 1, "b.toml"),
        (["auth", "status", "-v"], 1, None),
        (["-q", "run", "F", "--quiet"], -2, None),
    ],
)
def test_global_options_before_or_after_the_command(
    words: list[str], verbosity: int, config: str | None
) -> None:
    args = parse(words)
    assert args.verbosity == verbosity
    assert args.config == (Path(config) if config else None)


def test_only_the_running_command_gets_its_options_built() -> None:
    from gdrivestats.cli import build_parser

    def commands(parser: Any) -> dict[str, Any]:
        return next(a for a in parser._actions if a.dest == "command").choices

    for_sync = commands(build_parser("sync"))
    assert set(for_sync) == {"sync"}  # the command was checked before: no other parser is built
    assert {"folder", "cache", "dry_run", "full", "workers"} <= {a.dest for a in for_sync["sync"]._actions}
    assert {"folder", "out_folder", "summary_as"} <= {
        a.dest for a in commands(build_parser("run"))["run"]._actions
    }
    assert set(commands(build_parser("analyse"))) == {"analyze", "analyse"}
    every = commands(build_parser(None))  # the full help
    assert set(every) == {"analyze", "analyse", "sync", "run", "demo", "emulator", "auth", "completion"}
    assert {"out", "sample", "top"} <= {a.dest for a in every["analyze"]._actions}
    not_a_command = commands(build_parser("frobnicate"))  # names and help lines, for argparse to list
    assert set(not_a_command) == set(every)
    assert [a.dest for a in not_a_command["analyze"]._actions] == ["help"]
    args = parse(["sync", "Reports", "--cache", "c", "--full", "-v"])
    assert (args.folder, args.cache, args.full, args.verbosity) == ("Reports", Path("c"), True, 1)


def test_sync_help_reads_as_a_user_expects() -> None:
    done = _cli("sync", "--help")
    assert done.returncode == 0
    text = done.stdout
    assert text.startswith("usage: gdrivestats sync")
    for phrase in ("--dry-run", "print the plan, write nothing", "--all", "drive:id:ID", "global options"):
        assert phrase in text, phrase


def test_shell_completion_scripts() -> None:
    bash = _cli("completion", "bash")
    assert bash.returncode == 0 and "complete -o bashdefault -F _shtab_gdrivestats gdrivestats" in bash.stdout
    assert "analyze" in bash.stdout and "--dry-run" in bash.stdout
    zsh = _cli("completion", "zsh")
    assert zsh.returncode == 0 and zsh.stdout.startswith("#compdef gdrivestats")
    checked = subprocess.run(["bash", "-n"], input=bash.stdout, text=True, capture_output=True)
    assert checked.returncode == 0, checked.stderr


@pytest.mark.slow  # analyses in worker processes and writes reports (end to end)
def test_analyze_takes_settings_from_the_config_file_the_environment_and_flags(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.csv").write_bytes(small_csv())
    config = tmp_path / "gdrivestats.toml"
    config.write_text(f'out = "{tmp_path / "from-file"}"\ntop = 2\n')
    monkeypatch.delenv("GDRIVESTATS_TOP", raising=False)
    monkeypatch.delenv("GDRIVESTATS_OUT", raising=False)
    assert main(["--config", str(config), "analyze", str(tmp_path / "a.csv")]) == 0
    assert len(_sheet(_summary(tmp_path / "from-file"), "a")["top"]["population"]) == 2
    monkeypatch.setenv("GDRIVESTATS_TOP", "3")
    monkeypatch.setenv("GDRIVESTATS_CONFIG", str(config))  # the file without --config
    assert main(["analyze", str(tmp_path / "a.csv")]) == 0
    assert len(_sheet(_summary(tmp_path / "from-file"), "a")["top"]["population"]) == 3
    assert main(["analyze", str(tmp_path / "a.csv"), "--top", "4", "--out", str(tmp_path / "flag")]) == 0
    assert len(_sheet(_summary(tmp_path / "flag"), "a")["top"]["population"]) == 4


@pytest.mark.parametrize(
    ("env", "line"),
    [
        (
            {"GDRIVESTATS_TOP": "many"},
            "gdrivestats: error: environment variable GDRIVESTATS_TOP has an unusable value 'many'"
            " (expected a whole number)",
        ),
        (
            {"GDRIVESTATS_WORKERS": "0"},
            "gdrivestats: error: environment variable GDRIVESTATS_WORKERS must be at least 1, not 0",
        ),
        (
            {"GDRIVESTATS_FOLDER": "id:"},
            "gdrivestats: error: environment variable GDRIVESTATS_FOLDER: 'id:': name the file or folder id"
            " after 'id:', as in drive:id:1AbC…/file.xlsx",
        ),
    ],
)
def test_a_bad_environment_variable_is_named(tmp_path: Path, env: dict[str, str], line: str) -> None:
    done = _cli(
        "sync",
        "--local",
        str(tmp_path),
        "--cache",
        str(tmp_path / "c"),
        env={"GDRIVESTATS_FOLDER": "F", **env},
    )
    assert done.returncode == 2 and done.stderr.strip() == line
    assert not (tmp_path / "c").exists()


def test_a_bad_config_key_is_named(tmp_path: Path) -> None:
    config = tmp_path / "c.toml"
    config.write_text('top = "lots"\n')
    done = _cli("analyze", "--sample", "--out", str(tmp_path / "o"), "--config", str(config))
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"gdrivestats: error: {config}: setting 'top' has an unusable value 'lots' (expected a whole number)"
    )


@pytest.mark.slow  # a fresh interpreter runs the analysis (end to end)
def test_verbose_shows_the_traceback_of_a_bad_source(tmp_path: Path) -> None:
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not a zip")
    args = ("analyze", str(tmp_path / "broken.xlsx"), "--out", str(tmp_path / "out"))
    plain = _cli(*args)
    assert plain.returncode == 1 and "Traceback" not in plain.stderr
    assert "broken.xlsx: cannot read this .xlsx file" in plain.stderr
    verbose = _cli(*args, "--verbose")
    assert verbose.returncode == 1
    assert "Traceback (most recent call last)" in verbose.stderr and "WorkbookError" in verbose.stderr
    assert not (tmp_path / "out").exists()  # nothing written, no empty folder


def test_sync_without_a_folder_asks_for_one(tmp_path: Path) -> None:
    (tmp_path / "drive" / "F").mkdir(parents=True)
    done = _cli("sync", "--local", str(tmp_path / "drive"), "--cache", str(tmp_path / "c"))
    assert done.returncode == 2
    assert done.stderr.startswith('gdrivestats: error: name the Drive folder, as in: gdrivestats sync "Colab')
    assert "or --all for all of My Drive" in done.stderr and not (tmp_path / "c").exists()
    everything = _cli("sync", "--all", "--local", str(tmp_path / "drive"), "--cache", str(tmp_path / "c"))
    assert everything.returncode == 0, everything.stderr
    assert "Synced 0 file(s)" in everything.stdout


def test_dry_run_writes_nothing_anywhere(tmp_path: Path) -> None:
    drive = tmp_path / "drive" / "Team data"
    drive.mkdir(parents=True)
    (drive / "a.csv").write_bytes(small_csv())
    home, tmp = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    tmp.mkdir()
    env = {"HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"), "TMPDIR": str(tmp)}
    done = _cli("sync", "Team data", "--local", str(tmp_path / "drive"), "--dry-run", env=env)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "download a.csv -> a.csv (new)"
    assert "dry run: nothing was written" in done.stdout
    assert list(home.iterdir()) == [] and list(tmp.iterdir()) == []
    explicit = _cli(
        "sync",
        "Team data",
        "--local",
        str(tmp_path / "drive"),
        "--cache",
        str(tmp_path / "c"),
        "--dry-run",
        env=env,
    )
    assert explicit.returncode == 0 and not (tmp_path / "c").exists()

    def snapshot(folder: Path) -> list[tuple[str, int, int]]:
        return sorted((str(p), p.stat().st_size, p.stat().st_mtime_ns) for p in folder.rglob("*"))

    synced = _cli(
        "sync", "Team data", "--local", str(tmp_path / "drive"), "--cache", str(tmp_path / "c"), env=env
    )
    assert synced.returncode == 0 and (tmp_path / "c" / "a.csv").is_file()
    before = snapshot(tmp_path / "c")
    (drive / "b.csv").write_bytes(small_csv(2))
    again = _cli(
        "sync",
        "Team data",
        "--local",
        str(tmp_path / "drive"),
        "--cache",
        str(tmp_path / "c"),
        "--dry-run",
        env=env,
    )
    assert again.returncode == 0 and "download b.csv -> b.csv (new)" in again.stdout
    assert snapshot(tmp_path / "c") == before  # an existing cache and its state are not touched either


@pytest.mark.slow  # a fresh interpreter runs the analysis (end to end)
def test_progress_only_on_a_terminal_and_never_in_the_log_file(tmp_path: Path) -> None:
    import fcntl
    import pty
    import struct
    import termios

    for name in ("a", "b"):
        (tmp_path / f"{name}.csv").write_bytes(small_csv())
    log_file = tmp_path / "run.log"
    args = ["analyze", str(tmp_path / "a.csv"), str(tmp_path / "b.csv"), "--log-file", str(log_file)]
    piped = _cli(*args, "--out", str(tmp_path / "o1"))
    assert piped.returncode == 0 and "Analysing" not in piped.stderr
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 100, 0, 0))  # a terminal has a size
    try:
        on_terminal = subprocess.run(
            [sys.executable, "-m", "gdrivestats", *args, "--out", str(tmp_path / "o2")],
            stdout=subprocess.PIPE,
            stderr=slave,
            timeout=300,
        )
        os.close(slave)
        seen = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(master)
    assert on_terminal.returncode == 0
    assert b"Analysing" in seen and b"2/2" in seen
    assert "Analysing" not in log_file.read_text() and "\r" not in log_file.read_text()


@pytest.mark.slow  # analyses in worker processes and writes reports (end to end)
def test_run_takes_the_same_drive_syntax_for_the_folder_and_the_out_folder(tmp_path: Path, capsys) -> None:
    drive = tmp_path / "drive"
    (drive / "Team data").mkdir(parents=True)
    (drive / "Team data" / "a.csv").write_bytes(small_csv())
    args = ["--local", str(drive), "--cache", str(tmp_path / "cache")]
    assert main(["run", "drive:Team data", "--out-folder", "drive:Reports/stats", *args]) == 0
    summary = _summary(drive / "Reports" / "stats" / "a")
    assert _sheet(summary, "a")["top"]["population"][0] == {"label": "Japan", "value": 125}
    assert re.search(r"; uploaded \d+ output file\(s\) to Reports/stats ", capsys.readouterr().out)


@pytest.mark.slow  # a fresh interpreter runs the analysis (end to end)
def test_matplotlib_warnings_go_to_the_log_file_not_the_terminal(tmp_path: Path) -> None:
    """Chinese city names: the bundled DejaVu fonts lack the glyphs and matplotlib warns about each one."""
    rows = ["city,pop,area", "北京,21,16410", "上海,24,6340", "广州,15,7434", "深圳,13,1997", "成都,16,14335"]
    (tmp_path / "cities.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    log_file = tmp_path / "analyze.log"
    args = (
        "analyze",
        str(tmp_path / "cities.csv"),
        "--out",
        str(tmp_path / "out"),
        "--log-file",
        str(log_file),
    )
    done = _cli(*args)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""
    if "missing from font" in log_file.read_text():  # (absent only where a CJK font is installed)
        assert "WARNING py.warnings: " in log_file.read_text()
        assert "missing from font" in _cli(*args, "-v").stderr  # -v shows them


def test_run_dry_run_says_what_it_would_do_and_changes_nothing(tmp_path: Path, capsys) -> None:
    drive = tmp_path / "drive"
    (drive / "Team data").mkdir(parents=True)
    (drive / "Team data" / "a.csv").write_bytes(small_csv())
    args = ["run", "Team data", "--local", str(drive), "--cache", str(tmp_path / "cache"), "--dry-run"]
    assert main(args) == 0
    out = capsys.readouterr().out
    assert "Would analyse 1 workbook(s) and write their outputs to Team data/gdrivestats" in out
    assert "  analyse a.csv" in out
    assert not (tmp_path / "cache").exists()
    assert sorted(p.name for p in (drive / "Team data").iterdir()) == ["a.csv"]
    assert main([*args, "--schedule-safe"]) == 2
    assert "--dry-run and --schedule-safe do not go together" in capsys.readouterr().err


@pytest.mark.slow  # analyses in worker processes and writes reports (end to end)
def test_the_log_file_setting_applies_to_analyze_and_gets_the_failures(tmp_path: Path) -> None:
    (tmp_path / "broken.xlsx").write_bytes(b"PK\x03\x04 not a zip")
    log_file = tmp_path / "logs" / "gdrivestats.log"
    args = ("analyze", str(tmp_path / "broken.xlsx"), "--out", str(tmp_path / "out"))
    done = _cli(*args, env={"GDRIVESTATS_LOG_FILE": str(log_file)})
    assert done.returncode == 1
    assert done.stderr.startswith("gdrivestats: error: ") and "broken.xlsx: cannot read" in done.stderr
    assert re.search(
        r"^\d{4}-\d\d-\d\d [\d:,]+ ERROR gdrivestats.cli: error: .*broken.xlsx", log_file.read_text(), re.M
    )


@pytest.mark.slow  # analyses in worker processes and writes reports (end to end)
def test_charts_and_summary_as_reach_the_outputs(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.csv").write_bytes(small_csv())
    assert main(["analyze", str(tmp_path / "in" / "a.csv"), "--out", str(tmp_path / "plain")]) == 0
    assert not (tmp_path / "plain" / "charts").exists()
    assert main(["analyze", str(tmp_path / "in" / "a.csv"), "--out", str(tmp_path / "c"), "--charts"]) == 0
    charts = list((tmp_path / "c" / "charts").iterdir())
    assert charts and {p.suffix for p in charts} == {".png"}


def test_a_bad_summary_as_setting_names_the_variable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GDRIVESTATS_SUMMARY_AS", "pdf")
    from gdrivestats.config import load_settings
    from gdrivestats.errors import ConfigError

    with pytest.raises(ConfigError, match="GDRIVESTATS_SUMMARY_AS"):
        load_settings(None)


def test_the_console_entry_exits_with_mains_status_and_skips_the_final_collection() -> None:
    """``entry`` (the console script, ``python -m``) exits with main's status, and the process ends with its
    objects frozen: Python's last garbage collection has nothing to walk. ``main`` itself freezes nothing."""
    probe = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 0))\n"
        "from gdrivestats.cli import entry, main\n"
        "main(['--version']) if sys.argv[1] == 'main' else None\n"
    )
    for how, args, code in (("entry", ["nosuch"], 2), ("entry", ["--version"], 0)):
        done = subprocess.run(
            [sys.executable, "-c", probe + "sys.argv[1:] = sys.argv[2:]; entry()", how, *args],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert done.returncode == code, done.stderr
        assert done.stdout.splitlines()[-1] == "frozen True"
    in_main = subprocess.run(
        [sys.executable, "-c", probe.replace("main(['--version'])", "print(main(['nosuch']))"), "main"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert in_main.stdout.splitlines()[-2:] == ["2", "frozen False"]
