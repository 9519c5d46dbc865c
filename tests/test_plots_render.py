"""Rendering a chart once (a canvas draw) gives the pixels savefig gives (which draws it twice)."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from gdrivestats import plots
from tests.test_plots import countries_stats


@pytest.mark.slow  # every chart kind drawn three times and compared pixel for pixel
def test_one_draw_gives_savefigs_pixels() -> None:
    stats = countries_stats(rows=40, metrics=3)
    plan = plots.plan_charts(stats)
    pairs = zip(plots.iter_charts(stats, plan), plots.iter_charts(stats, plan), strict=True)
    kinds = []
    for first, second in pairs:  # two fresh figures of each chart: one saved as before, one drawn once
        buffer = io.BytesIO()
        first.figure.savefig(buffer, format="png", dpi=plots.DPI, facecolor="white")
        saved = np.asarray(Image.open(buffer).convert("RGB"))
        drawn = np.asarray(Image.open(io.BytesIO(plots.figure_png(second.figure, colours=0))).convert("RGB"))
        assert saved.shape == drawn.shape and (saved == drawn).all(), first.key
        kinds.append(first.kind)
    assert {"overview", "top", "histogram", "groups", "correlation"} <= set(kinds)


def test_indexed_png_keeps_the_figure_size_and_its_dpi_setting() -> None:
    chart = plots.plot_ranking(countries_stats(), "Population")
    dpi = chart.figure.dpi
    with Image.open(io.BytesIO(plots.figure_png(chart.figure))) as image:
        assert image.mode == "P" and len(image.getpalette() or []) // 3 <= plots.PNG_COLOURS
        width, height = (round(inches * plots.DPI) for inches in chart.figure.get_size_inches())
        assert image.size == (width, height)
    assert chart.figure.dpi == dpi  # the figure is left as it was
