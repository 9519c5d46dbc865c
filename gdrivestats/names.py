"""Safe local names: one rule for turning any Drive or sheet name into a file or folder name, and for
showing a name on a terminal.

Drive allows almost anything in a name ('/', '..', control characters, 1,000 characters). Local file
systems do not. The rules, applied to each name:

* '/', '\\', control characters and the characters Windows refuses (<>:"|?*) become '_';
* trailing dots and spaces are dropped (Windows drops them); an empty result, '.' and '..' become '_';
* Windows device names (CON, PRN, AUX, NUL, COM1-9, LPT1-9, with any extension) get a '_' prefix;
* names longer than 255 bytes of UTF-8 are cut, keeping the extension and adding a short hash of the full
  name so that two long names sharing a prefix stay distinct.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

MAX_NAME_BYTES = 255
_MAX_EXT_CHARS = 16
_BAD_CHARS = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*]')
_RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"} | {
    f"{dev}{n}" for dev in ("COM", "LPT") for n in [*"123456789", "¹", "²", "³"]
}


def safe_name(name: str, max_bytes: int = MAX_NAME_BYTES) -> str:
    """One Drive name as a safe single local path component (never '', '.', '..', never with a separator)."""
    clean = _BAD_CHARS.sub("_", unicodedata.normalize("NFC", name)).rstrip(" .")
    if not clean:
        return "_"
    if clean.split(".", 1)[0].rstrip(" ").upper() in _RESERVED:
        clean = "_" + clean
    if len(clean.encode("utf-8")) > max_bytes:
        stem, ext = split_ext(clean)
        tag = "~" + hashlib.sha1(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        clean = fit(stem, ext, max_bytes, suffix=tag)
    return clean


def split_ext(name: str) -> tuple[str, str]:
    """(stem, extension) where the extension is a short '.xyz' suffix, or '' if there is none."""
    stem, dot, ext = name.rpartition(".")
    if not dot or not stem or len(ext) > _MAX_EXT_CHARS or " " in ext:
        return name, ""
    return stem, "." + ext


def fit(stem: str, ext: str, max_bytes: int = MAX_NAME_BYTES, suffix: str = "") -> str:
    """``stem + suffix + ext`` with the stem cut (on a character boundary) to fit ``max_bytes`` of UTF-8."""
    budget = max_bytes - len((suffix + ext).encode("utf-8"))
    if budget < 1:  # an absurd extension: drop it rather than the whole name
        ext, budget = "", max_bytes - len(suffix.encode("utf-8"))
    cut = stem.encode("utf-8")[:budget].decode("utf-8", "ignore").rstrip(" .")
    return (cut or "_") + suffix + ext


def distinct_names(names: Iterable[str], fallback: str = "workbook", max_chars: int = 100) -> list[str]:
    """A safe, visible and distinct name for each of ``names``, distinct case-insensitively (for macOS and
    Windows): ``safe_name`` of the name without leading dots or spaces, cut to ``max_chars`` characters,
    ``fallback`` when nothing is left, and "-2", "-3", ... added to a name already given."""
    result: list[str] = []
    seen: set[str] = set()
    for name in names:
        text = unicodedata.normalize("NFC", name).strip().lstrip(". ")[:max_chars]
        result.append(numbered(safe_name(text) if text.rstrip(" .") else fallback, seen))
    return result


def numbered(base: str, taken: set[str], suffix: str = "-{n}", limit: int | None = None) -> str:
    """``base``, or the first of its numbered forms (``suffix`` with n = 2, 3, ...: "x-2", "x-3") not in
    ``taken``, compared case-insensitively (as macOS, Windows and Excel compare names); the name chosen is
    added to ``taken`` (casefolded). With ``limit``, a numbered form cuts ``base`` to fit that many
    characters. The one "distinct names with a counter" loop."""
    candidate, n = base, 2
    while candidate.casefold() in taken:
        tail = suffix.format(n=n)
        candidate, n = (base if limit is None else base[: max(0, limit - len(tail))]) + tail, n + 1
    taken.add(candidate.casefold())
    return candidate


def slug(text: str, limit: int = 40) -> str:
    """Lowercase ASCII letters, digits and dashes ("Area (km²)" -> "area-km2"); "" if nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:limit].strip("-")


_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def printable(text: str) -> str:
    """``text`` safe for a terminal or a one-line log: control characters (ESC, BEL, newlines, bidi
    overrides) are shown as escapes such as ``\\x1b`` and ``\\n`` instead of acting."""
    if text.isprintable():
        return text
    return "".join(
        ch if ch.isprintable() and ch not in _BIDI_CONTROLS else ch.encode("unicode_escape").decode("ascii")
        for ch in text
    )
