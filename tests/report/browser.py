"""Headless Chromium for the report tests: page width and overflowing boxes of a page, and screenshots.

Headless Chromium keeps its window at least 500 pixels wide, so the page is laid out inside an iframe of the
width asked for (a phone's 390 px): the iframe is the page's viewport, as a phone's screen would be.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
]

# Run once the page has laid out: the page's own width, and which table boxes are wider than they show.
_PROBE = """<script>
window.addEventListener("load", () => {
  const d = document.documentElement;
  const wraps = [...document.querySelectorAll(".table-wrap")];
  const clipped = wraps.filter(w => w.scrollWidth > w.clientWidth + 1)
    .map(w => (w.closest("section") || d).id + ":" + (w.previousElementSibling || {}).textContent);
  const wide = [...document.querySelectorAll("body *")]
    .filter(e => e.getBoundingClientRect().right > d.clientWidth + 1 && !e.closest(".table-wrap"))
    .map(e => e.tagName + "." + e.className).slice(0, 10);
  parent.postMessage(JSON.stringify({scrollWidth: d.scrollWidth, clientWidth: d.clientWidth,
    clipped: clipped, wide: wide}), "*");
});
</script>"""

_FRAME = """<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="margin:0">
<iframe src="{src}" style="width:{width}px;height:{height}px;border:0;display:block"></iframe>
<script>
window.addEventListener("message", e => {{
  const probe = document.createElement("pre");
  probe.id = "gds-probe";
  probe.textContent = e.data;
  document.body.appendChild(probe);
}});
</script></body></html>"""


def chromium() -> str | None:
    """The Chromium binary, or None when it is not installed."""
    return shutil.which("chromium") or shutil.which("chromium-browser")


def _run(binary: str, args: list[str], profile: Path) -> str:
    command = [binary, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=True)
    return done.stdout


def measure(page: Path, width: int, height: int = 900) -> dict[str, Any]:
    """Lay out ``page`` at ``width`` CSS pixels; returns scrollWidth, clientWidth, clipped, wide."""
    binary = chromium()
    assert binary is not None
    with tempfile.TemporaryDirectory(prefix="gds-chromium-") as tmp:
        probe = Path(tmp) / "probe.html"
        probe.write_text(page.read_text("utf-8").replace("</body>", _PROBE + "</body>"), "utf-8")
        frame = Path(tmp) / "frame.html"
        frame.write_text(_FRAME.format(src=probe.name, width=width, height=height), "utf-8")
        window = f"--window-size={max(width, 500) + 20},{height}"
        dom = _run(
            binary,
            [window, "--virtual-time-budget=5000", "--dump-dom", frame.as_uri()],
            Path(tmp) / "profile",
        )
    found = re.search(r'<pre id="gds-probe">(.*?)</pre>', dom, re.S)
    assert found, f"the probe did not run; DOM starts {dom[:300]!r}"
    text = (
        found.group(1).replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">")
    )
    result: dict[str, Any] = json.loads(text)
    return result


def screenshot(page: Path, width: int, out: Path, height: int = 2400) -> Path:
    """A PNG of the top ``height`` pixels of ``page`` laid out ``width`` pixels wide."""
    binary = chromium()
    assert binary is not None
    with tempfile.TemporaryDirectory(prefix="gds-chromium-") as tmp:
        frame = Path(tmp) / "frame.html"
        frame.write_text(_FRAME.format(src=page.resolve().as_uri(), width=width, height=height), "utf-8")
        window = f"--window-size={max(width, 500)},{height}"
        _run(binary, [window, f"--screenshot={out}", frame.as_uri()], Path(tmp) / "profile")
    return out
