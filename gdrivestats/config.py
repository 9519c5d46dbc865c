"""Settings of every command: command-line arguments over ``GDRIVESTATS_*`` variables over a TOML file.

An unusable value is one ConfigError naming where it came from: the flag, the variable or the file and key.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from gdrivestats.errors import ConfigError
from gdrivestats.formats import WORKBOOK_PATTERNS

ENV_PREFIX = "GDRIVESTATS_"
CONFIG_ENV = ENV_PREFIX + "CONFIG"  # the TOML file, when --config is not given


def default_cache(folder: str) -> Path:
    """Where a folder is mirrored when no cache is given: the user cache directory, a folder per source."""
    from platformdirs import user_cache_dir

    from gdrivestats.names import safe_name

    return Path(user_cache_dir("gdrivestats")) / "mirror" / safe_name(folder or "My Drive")


@dataclass
class Settings:
    """Everything a command needs besides credentials' secrets."""

    folder: str = ""  # the Drive folder of sync and run (any Drive location syntax; see gdrivestats.location)
    out_folder: str | None = None
    out: Path | None = None  # analyze: the local output folder
    sheet: str | None = None  # analyze: only this sheet
    cache: Path | None = None
    local: Path | None = None  # a local folder standing in for Drive (offline use and tests)
    top: int = 10
    workers: int = 8
    patterns: list[str] = field(default_factory=lambda: list(WORKBOOK_PATTERNS))
    log_file: Path | None = None
    lock_timeout: float = 0.0
    service_account_file: Path | None = None
    subject: str | None = None
    charts: bool = False  # also write each chart as a PNG in charts/ (analyze and run)
    summary_as: str = "xlsx"  # run: the summary on Drive as "xlsx" or as a native Google "sheet"

    @property
    def cache_dir(self) -> Path:
        """The cache folder: as given, or the default for the synced folder."""
        return self.cache if self.cache is not None else default_cache(self.folder)


def load_settings(
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
    flags: Mapping[str, str] | None = None,
) -> Settings:
    """Settings from a TOML file, then ``GDRIVESTATS_<NAME>`` variables, then overrides that are not None.

    ``flags`` names the command-line flag of each override ("top" -> "--top") for error messages.
    """
    values: dict[str, Any] = {}
    origins: dict[str, str] = {}
    if config_file is not None:
        values.update(_read_toml(Path(config_file)))
        origins.update({name: f"{config_file}: setting '{name}'" for name in values})
    environ = os.environ if environ is None else environ
    for f in fields(Settings):
        variable = ENV_PREFIX + f.name.upper()
        raw = environ.get(variable)
        if raw:
            values[f.name] = raw.split(",") if f.name == "patterns" else raw
            origins[f.name] = f"environment variable {variable}"
    for name, value in (overrides or {}).items():
        if value is not None:
            values[name] = value
            origins[name] = (flags or {}).get(name, f"--{name.replace('_', '-')}")
    return _typed(values, origins)


def _read_toml(path: Path) -> dict[str, Any]:
    import tomllib  # only when a settings file is read

    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file not found") from None
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: not a readable TOML file ({exc})") from None
    table = data.get("gdrivestats", data)
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(table) - known)
    if unknown:
        raise ConfigError(
            f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    return dict(table)


def _typed(values: dict[str, Any], origins: Mapping[str, str]) -> Settings:
    settings = Settings()
    for f in fields(Settings):
        if f.name not in values:
            continue
        raw = values[f.name]
        origin = origins.get(f.name, f"setting '{f.name}'")
        try:
            value = _convert(f.name, raw)
        except ConfigError as exc:
            raise ConfigError(f"{origin}: {exc}") from None
        except (TypeError, ValueError):
            raise ConfigError(f"{origin} has an unusable value {raw!r}{_expected(f.name)}") from None
        if f.name in ("top", "workers") and value < 1:
            raise ConfigError(f"{origin} must be at least 1, not {value}")
        setattr(settings, f.name, value)
    return settings


def _expected(name: str) -> str:
    if name == "charts":
        return " (expected true or false)"
    if name == "summary_as":
        return " (expected 'xlsx' or 'sheet')"
    if name in ("top", "workers"):
        return " (expected a whole number)"
    if name == "lock_timeout":
        return " (expected a number of seconds)"
    if name == "patterns":
        return " (expected a list of file patterns such as ['*.xlsx', '*.csv'])"
    return ""


def _convert(name: str, raw: Any) -> Any:
    if name in ("top", "workers"):
        return int(raw)
    if name == "charts":
        if isinstance(raw, bool):
            return raw
        if str(raw).strip().lower() in ("1", "true", "yes", "on"):
            return True
        if str(raw).strip().lower() in ("0", "false", "no", "off"):
            return False
        raise ValueError(name)
    if name == "summary_as":
        if str(raw) not in ("xlsx", "sheet"):
            raise ValueError(name)
        return str(raw)
    if name == "lock_timeout":
        return float(raw)
    if name in ("cache", "local", "log_file", "service_account_file", "out"):
        if not isinstance(raw, str | os.PathLike):
            raise TypeError(name)
        return Path(os.path.expanduser(str(raw)))
    if name in ("folder", "out_folder"):
        from gdrivestats.location import drive_path

        if not isinstance(raw, str):
            raise TypeError(name)
        return drive_path(raw)  # "Colab Notebooks", drive:…, id:…, shared:… or a folder's share URL
    if name == "patterns":
        if isinstance(raw, str) or not all(isinstance(p, str) for p in raw):
            raise TypeError(name)
        return [p.strip() for p in raw if p.strip()]
    return str(raw)
