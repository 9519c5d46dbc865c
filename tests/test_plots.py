"""Tests of gdrivestats.plots: the right charts, titles, colours, number formats, and no pyplot leaks."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from matplotlib import pyplot as plt
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from matplotlib.ticker import EngFormatter, MaxNLocator

from gdrivestats import plots
from gdrivestats.analysis import SheetStats, analyze_sheet
from gdrivestats.workbook import Role, Sheet


def countries_stats(rows: int = 30, metrics: int = 3, top: int = 10) -> SheetStats:
    rng = np.random.default_rng(3)
    data: dict[str, object] = {
        "Country": [f"Country {i}" for i in range(rows)],
        "Region": rng.choice(["Asia", "Europe", "Africa"], rows),
    }
    roles = {"Country": Role.LABEL, "Region": Role.CATEGORY}
    for k in range(metrics):
        name = ["Population", "Area", "GDP per capita"][k] if k < 3 else f"Metric {k}"
        data[name] = rng.uniform(1, 1000, rows) * 10 ** (k % 4)
        roles[name] = Role.NUMERIC
    sheet = Sheet(name="Countries", data=pd.DataFrame(data), roles=roles, label_column="Country")
    return analyze_sheet(sheet, top=top)


def bar_colours(figure: Figure) -> set[tuple[float, ...]]:
    return {
        tuple(round(c, 3) for c in p.get_facecolor())
        for ax in figure.axes
        for p in ax.patches
        if isinstance(p, Rectangle)
    }


def test_format_number_units_and_separators() -> None:
    assert plots.format_number(1.3e9) == "1.3 B"
    assert plots.format_number(1_318_683_096) == "1.32 B"
    assert plots.format_number(45_200_000) == "45.2 M"
    assert plots.format_number(12_500) == "12.5 k"
    assert plots.format_number(49_357) == "49.4 k"
    assert plots.format_number(9_876) == "9,876"
    assert plots.format_number(0.125) == "0.125"
    assert plots.format_number(-271_000) == "-271 k"
    assert plots.format_number(2.5e13) == "25 T"
    assert plots.format_number(float("nan")) == "–"


def test_axis_ticks_share_one_unit() -> None:
    formatter = plots.AxisNumberFormatter()
    assert formatter.format_ticks([0, 5e8, 1e9, 1.5e9]) == ["0", "0.5 B", "1.0 B", "1.5 B"]
    assert formatter.format_ticks([0, 10_000, 20_000]) == ["0", "10 k", "20 k"]
    assert formatter.format_ticks([0, 2_000, 4_000]) == ["0", "2,000", "4,000"]
    assert formatter.format_ticks([-2e6, 0, 2e6]) == ["\u22122 M", "0", "2 M"]
    assert isinstance(formatter, EngFormatter)  # matplotlib's engineering formatter, with k/M/B/T units
    assert plots.UnitFormatter()(2.5e9) == "2.5 B" and plots.UnitFormatter()(120) == "120"


def test_row_noun_pluralises_the_label_column() -> None:
    assert plots.row_noun("Country", 10) == "countries"
    assert plots.row_noun("County", 1) == "county"
    assert plots.row_noun("Branch", 3) == "branches"
    assert plots.row_noun("Name", 3) == "names"
    assert plots.row_noun(None, 3) == "rows"


def test_every_chart_kind_with_titles_and_no_pyplot_figures() -> None:
    before = plt.get_fignums()
    stats = countries_stats()
    charts = list(plots.iter_charts(stats))
    assert [c.key for c in charts] == [
        "overview",
        "top:Population",
        "top:Area",
        "histogram:Population",
        "groups:Region",
        "correlation",
    ]  # the main measures, at most MAX_CHARTS, in page order
    titles = {c.key: c.title for c in charts}
    assert titles["top:Population"] == "Top 10 countries by Population — sheet 'Countries'"
    everything = {c.key: c.title for c in plots.iter_charts(stats, plots.plan_charts(stats, max_charts=99))}
    assert (
        len(everything) == 1 + 3 + 3 + 3 + 1 + 1
    )  # overview, tops, bottoms, histograms, groups, correlation
    assert everything["bottom:Area"] == "Bottom 10 countries by Area — sheet 'Countries'"
    assert all(isinstance(c.figure, Figure) for c in charts)
    assert plt.get_fignums() == before  # nothing registered with pyplot, so nothing leaks
    top = next(c for c in charts if c.key == "top:Population").figure
    labels = [t.get_text() for t in top.axes[0].get_yticklabels()]
    expected = stats.top["Population"]["label"].tolist()
    assert labels == expected


def test_one_colour_per_metric_across_charts() -> None:
    stats = countries_stats()
    charts = {c.key: c for c in plots.iter_charts(stats, plots.plan_charts(stats, max_charts=99))}
    population = bar_colours(charts["top:Population"].figure)
    assert len(population) == 1
    assert bar_colours(charts["bottom:Population"].figure) == population
    assert bar_colours(charts["histogram:Population"].figure) == population
    area = bar_colours(charts["top:Area"].figure)
    assert area != population
    overview = charts["overview"].figure
    assert bar_colours_of_axis(overview, 0) == population and bar_colours_of_axis(overview, 1) == area


def bar_colours_of_axis(figure: Figure, index: int) -> set[tuple[float, ...]]:
    return {tuple(round(c, 3) for c in p.get_facecolor()) for p in figure.axes[index].patches}


def test_group_chart_uses_totals_and_averages() -> None:
    stats = countries_stats()
    chart = plots.plot_groups(stats, "Region", stats.metrics, plots.metric_colours(stats.metrics))
    titles = [ax.get_title() for ax in chart.figure.axes if ax.get_visible()]
    assert titles == ["Total Population", "Total Area", "Average GDP per capita"]
    first = chart.figure.axes[0]
    expected = stats.groups["Region"][("Population", "sum")].sort_values(ascending=False)
    assert [t.get_text() for t in first.get_yticklabels()] == list(expected.index)
    assert [p.get_width() for p in first.patches] == pytest.approx(expected.tolist())


def test_correlation_heatmap_is_diverging_fixed_and_annotated() -> None:
    stats = countries_stats()
    chart = plots.plot_correlation(stats, stats.metrics)
    image = chart.figure.axes[0].images[0]
    assert image.get_clim() == (-1.0, 1.0)
    assert image.get_cmap().name == "RdBu_r"
    texts = [t.get_text() for t in chart.figure.axes[0].texts]
    assert texts.count("1.00") == 3 and len(texts) == 9


def test_wide_sheet_is_capped_with_a_note() -> None:
    stats = countries_stats(rows=20, metrics=15)
    plan = plots.plan_charts(stats)
    assert len(plan.metrics) == plots.MAX_METRICS == 6
    assert any("first 6 of 15 numeric columns" in note for note in plan.notes)
    assert any(note.startswith("6 of 21 possible charts drawn") for note in plan.notes)
    charts = list(plots.iter_charts(stats, plan))
    assert len(charts) == plots.MAX_CHARTS
    assert len([ax for ax in charts[0].figure.axes if ax.get_visible()]) == 6  # overview: one panel a metric
    assert len(charts[-1].figure.axes[0].get_xticklabels()) == 6  # correlation of the charted metrics only


def test_small_sheet_skips_redundant_charts() -> None:
    stats = countries_stats(rows=5, metrics=2)
    kinds = [c.kind for c in plots.iter_charts(stats)]
    assert "bottom" not in kinds and "histogram" not in kinds
    assert any("No histogram" in note for note in plots.plan_charts(stats).notes)


def test_long_labels_are_cut_and_dollars_shown_literally() -> None:
    sheet = Sheet(
        name="S",
        data=pd.DataFrame({"Name": ["x" * 80, "$5 plan costs $9"], "Cost ($)": [2.0, 1.0]}),
        roles={"Name": Role.LABEL, "Cost ($)": Role.NUMERIC},
        label_column="Name",
    )
    stats = analyze_sheet(sheet)
    figure = plots.plot_ranking(stats, "Cost ($)").figure
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert labels[0] == "x" * (plots.LABEL_CHARS - 1) + "…"
    assert labels[1] == r"\$5 plan costs \$9"  # escaped, so matplotlib shows "$5 plan costs $9", not math
    tick = figure.axes[0].get_yticklabels()[1]
    assert tick._preprocess_math(tick.get_text()) == ("$5 plan costs $9", False)
    png = plots.figure_png(figure)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")


def test_group_stat_heuristic() -> None:
    assert plots.group_stat("Population") == "sum"
    assert plots.group_stat("GDP per capita") == "mean"
    assert plots.group_stat("Growth rate (%)") == "mean"
    assert plots.group_stat("Sales") == "sum"


def test_sheet_figures_keys() -> None:
    figures = plots.sheet_figures(countries_stats())
    assert {"overview", "top:Population", "histogram:Population", "groups:Region", "correlation"} <= set(
        figures
    )
    assert "bottom:Area" in plots.sheet_figures(countries_stats(), max_charts=20)


def test_count_axes_have_whole_number_ticks() -> None:
    stats = countries_stats(rows=12, metrics=1)
    axis = plots.plot_histogram(stats, "Population").figure.axes[0]
    locator = axis.yaxis.get_major_locator()
    assert isinstance(locator, MaxNLocator)
    ticks = [t for t in axis.get_yticks() if axis.get_ylim()[0] <= t <= axis.get_ylim()[1]]
    assert ticks and all(float(t).is_integer() for t in ticks)


def test_tick_labels_do_not_overlap() -> None:
    stats = countries_stats(rows=40, metrics=6)
    for chart in plots.iter_charts(stats):
        canvas = FigureCanvasAgg(chart.figure)
        canvas.draw()
        renderer = canvas.get_renderer()
        for ax in [ax for ax in chart.figure.axes if ax.get_visible()]:
            for labels, start, end in (
                (ax.get_xticklabels(), "x0", "x1"),
                (ax.get_yticklabels(), "y0", "y1"),
            ):
                shown = [t for t in labels if t.get_text() and t.get_visible() and t.get_rotation() == 0]
                boxes = sorted(
                    (t.get_window_extent(renderer) for t in shown), key=lambda b: getattr(b, start)
                )
                gaps = [getattr(b, start) - getattr(a, end) for a, b in itertools.pairwise(boxes)]
                assert all(gap >= 0 for gap in gaps), (chart.key, [t.get_text() for t in shown])


def test_warnings_while_drawing_go_to_the_log(caplog: pytest.LogCaptureFixture) -> None:
    import warnings

    with caplog.at_level("WARNING", logger="py.warnings"), plots.warnings_to_log():
        warnings.warn("a matplotlib-like warning", UserWarning, stacklevel=1)
    assert "UserWarning: a matplotlib-like warning" in caplog.text


def test_same_tables_give_the_same_png_bytes() -> None:
    first = [plots.figure_png(c.figure) for c in plots.iter_charts(countries_stats(rows=12, metrics=2))]
    second = [plots.figure_png(c.figure) for c in plots.iter_charts(countries_stats(rows=12, metrics=2))]
    assert first == second  # stable bytes, so an upload that compares checksums skips unchanged charts
