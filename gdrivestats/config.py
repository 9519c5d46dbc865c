"""Settings for sync and run: command-line arguments over environment variables over an optional TOML file."""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from gdrivestats.errors import ConfigError
from gdrivestats.formats import WORKBOOK_PATTERNS

ENV_PREFIX = "GDRIVESTATS_"


def default_cache(folder: str) -> Path:
    """Where a folder is mirrored when no cache is given: the user cache directory, a folder per source."""
    from platformdirs import user_cache_dir

    from gdrivestats.names import safe_name

    return Path(user_cache_dir("gdrivestats")) / "mirror" / safe_name(folder or "My Drive")


@dataclass
class Settings:
    """Everything a sync or run needs besides credentials' secrets."""

    folder: str = ""
    out_folder: str | None = None
    cache: Path | None = None
    local: Path | None = None  # a local folder standing in for Drive (offline use and tests)
    top: int = 10
    workers: int = 8
    patterns: list[str] = field(default_factory=lambda: list(WORKBOOK_PATTERNS))
    log_file: Path | None = None
    lock_timeout: float = 0.0
    service_account_file: Path | None = None
    subject: str | None = None

    @property
    def cache_dir(self) -> Path:
        """The cache folder: as given, or the default for the synced folder."""
        return self.cache if self.cache is not None else default_cache(self.folder)


def load_settings(
    config_file: Path | None = None,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Settings from a TOML file, then ``GDRIVESTATS_<NAME>`` variables, then overrides that are not None."""
    values: dict[str, Any] = {}
    if config_file is not None:
        values.update(_read_toml(Path(config_file)))
    environ = os.environ if environ is None else environ
    for f in fields(Settings):
        raw = environ.get(ENV_PREFIX + f.name.upper())
        if raw:
            values[f.name] = raw.split(",") if f.name == "patterns" else raw
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    return _typed(values, source=str(config_file) if config_file else "the environment")


def _read_toml(path: Path) -> dict[str, Any]:
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


def _typed(values: dict[str, Any], source: str) -> Settings:
    settings = Settings()
    for f in fields(Settings):
        if f.name not in values:
            continue
        raw = values[f.name]
        try:
            setattr(settings, f.name, _convert(f.name, raw))
        except (TypeError, ValueError):
            raise ConfigError(f"{source}: setting '{f.name}' has an unusable value {raw!r}") from None
    if settings.top < 1 or settings.workers < 1:
        raise ConfigError(f"{source}: 'top' and 'workers' must be at least 1")
    return settings


def _convert(name: str, raw: Any) -> Any:
    if name in ("top", "workers"):
        return int(raw)
    if name == "lock_timeout":
        return float(raw)
    if name in ("cache", "local", "log_file", "service_account_file"):
        return Path(os.path.expanduser(str(raw)))
    if name == "patterns":
        if isinstance(raw, str) or not all(isinstance(p, str) for p in raw):
            raise TypeError(name)
        return [p.strip() for p in raw if p.strip()]
    return str(raw)
