"""report.html in headless Chromium: no sideways scroll at 390 px, no statistics table clipped at 1400."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from gdrivestats.report import build_report
from tests.report.browser import chromium, measure, screenshot
from tests.report.support import wide_workbook, workbook

pytestmark = [
    pytest.mark.skipif(chromium() is None, reason="chromium is not installed (apt-get install -y chromium)"),
    pytest.mark.slow,  # a headless Chromium started for each page measured
]


@pytest.fixture(scope="module")
def page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    book = workbook()
    book.sheets += wide_workbook(sheets=1, rows=40, metrics=10).sheets  # a wide statistics table
    return build_report(book).save(tmp_path_factory.mktemp("browser") / "out") / "report.html"


def test_the_probe_sees_a_page_wider_than_the_phone(tmp_path: Path) -> None:
    wide = tmp_path / "wide.html"
    wide.write_text(
        '<!DOCTYPE html><html><body style="margin:0"><div style="min-width:494px">x</div></body></html>'
    )
    assert measure(wide, 390)["scrollWidth"] == 494


def test_phone_width_has_no_sideways_scroll(page: Path) -> None:
    layout = measure(page, 390)
    assert layout["clientWidth"] == 390
    assert layout["scrollWidth"] == 390, layout  # wide tables scroll inside their own box
    assert layout["wide"] == []
    assert any(c.endswith("Summary statistics") for c in layout["clipped"])  # which is why they scroll


def test_laptop_width_clips_no_statistics_table(page: Path) -> None:
    layout = measure(page, 1400)
    assert layout["scrollWidth"] == 1400
    assert not [c for c in layout["clipped"] if c.endswith("Summary statistics")], layout


@pytest.mark.parametrize("width", [390, 1400])
def test_screenshots(page: Path, tmp_path: Path, width: int) -> None:
    shot = screenshot(page, width, tmp_path / f"report-{width}.png", height=1600)
    with Image.open(shot) as image:
        assert image.width == max(width, 500) and image.height == 1600
        strip = image.convert("L").crop((0, 0, width, 1600))
        right = image.convert("L").crop((width, 0, image.width, 1600)) if image.width > width else None
    assert strip.getextrema()[0] < 80  # text was drawn
    assert right is None or right.getextrema() == (255, 255)  # nothing beyond the phone's width
