"""report.html and the notebook view: one self-contained, escaped, responsive page of tables and charts."""

from __future__ import annotations

import base64
import contextlib
import html
import math
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import to_hex

from gdrivestats import __version__, plots
from gdrivestats.report.tables import flat_groups

if TYPE_CHECKING:
    import datetime as dt

    from gdrivestats.analysis import SheetStats
    from gdrivestats.report.model import Report, SheetReport, WorkbookReport

# Nothing has a fixed minimum width wider than a phone (390 px): grids use min(100%, N px), and wide tables
# scroll sideways inside their own box (.table-wrap), never the page.
_CSS = """
html,body{margin:0;padding:0}
.gds-report{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
  color:#222;line-height:1.45;max-width:1360px;margin:0 auto;padding:0 12px 48px;box-sizing:border-box;
  overflow-wrap:anywhere}
.gds-report *{box-sizing:border-box}
.gds-report h1{font-size:1.6em;margin:.8em 0 .2em}
.gds-report h2{font-size:1.3em;margin:1.6em 0 .4em;padding-top:.6em;border-top:2px solid #e3e8ee}
.gds-report h3{font-size:1.05em;margin:1.2em 0 .4em;color:#33475b}
.gds-report .muted{color:#6b7785;font-size:.92em}
.gds-report nav ul{padding-left:1.2em;margin:.3em 0}
.gds-report .table-wrap{overflow-x:auto;max-width:100%;margin:.3em 0 1em;-webkit-overflow-scrolling:touch}
.gds-report table{border-collapse:collapse;font-size:.86em;overflow-wrap:normal}
.gds-report th,.gds-report td{padding:4px 8px;border-bottom:1px solid #e6e9ed;text-align:left;
  vertical-align:top}
.gds-report thead th{background:#f2f5f8;border-bottom:2px solid #cfd6de}
.gds-report td{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.gds-report td.t{text-align:left;white-space:normal;min-width:6em}
.gds-report tbody tr:hover{background:#fafbfc}
.gds-report .rankings{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,420px),1fr));
  gap:8px 24px}
.gds-report .rankings>div{min-width:0}
.gds-report .rankings h4{margin:.6em 0 .2em;font-size:.95em}
.gds-report .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(100%,440px),1fr));
  gap:16px}
.gds-report figure{margin:0;min-width:0;background:#fff;border:1px solid #e6e9ed;border-radius:6px;
  padding:6px}
.gds-report figure.wide{grid-column:1/-1;max-width:900px}
.gds-report figure img{max-width:100%;height:auto;display:block}
.gds-report figcaption{font-size:.8em;color:#6b7785;padding:2px 4px}
.gds-report ul.log li{margin:.15em 0}
.gds-report .footnotes{font-size:.9em;color:#444;border-left:3px solid #cfd6de;padding-left:10px}
.gds-report details>summary{cursor:pointer;color:#33475b;font-weight:600;margin:.8em 0 .3em}
.gds-report .swatch{display:inline-block;width:.8em;height:.8em;border-radius:2px;margin-right:.35em;
  vertical-align:-.05em}
"""


def esc(value: Any) -> str:
    """``value`` as text safe inside HTML text and attribute values."""
    return html.escape(str(value), quote=True)


def page(title: str, body: str) -> str:
    """A complete HTML document around ``body``."""
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="gdrivestats"><title>{esc(title)}</title>'
        f"<style>{_CSS}</style></head><body>{body}</body></html>\n"
    )


def readable_time(moment: dt.datetime) -> str:
    """A timestamp as people read it: "1 December 2026, 11:20 UTC"."""
    return f"{moment.day} {moment:%B %Y, %H:%M} {moment.tzname() or 'UTC'}"


def html_page(report: Report, books: list[WorkbookReport], images: dict[int, list[plots.ChartImage]]) -> str:
    """report.html of ``books``: contents, then per sheet its log, tables and charts (embedded PNGs)."""
    title = " + ".join(book.name for book in books)
    parts = [
        f"<h1>{esc(title)}</h1>",
        f'<p class="muted">Report made {esc(readable_time(report.created))} by '
        f"gdrivestats {esc(__version__)}</p>",
    ]
    sheets = [(book, sheet) for book in books for sheet in book.sheets]
    toc = "".join(
        f'<li><a href="#{_anchor(i)}">{esc(sheet.name)}</a>'
        + (f' <span class="muted">({esc(book.name)})</span>' if len(books) > 1 else "")
        + "</li>"
        for i, (book, sheet) in enumerate(sheets)
    )
    parts.append(f"<nav><strong>Sheets</strong><ul>{toc}</ul></nav>")
    for book in books:
        parts.append(f'<p class="muted">Source: {esc(book.source)}</p>')
        if book.notes:
            parts.append("<h3>Workbook log</h3>" + _list(book.notes, "log"))
    for i, (_book, sheet) in enumerate(sheets):
        body = "".join(_section_html(title, content) for title, content in sheet_sections(sheet, images))
        parts.append(
            f'<section id="{_anchor(i)}"><h2>Sheet {esc(sheet.name)}</h2>'
            f'<p class="muted">{esc(_meta(sheet.stats))}</p>{body}</section>'
        )
    return page(f"{title} — gdrivestats report", f'<main class="gds-report">{"".join(parts)}</main>')


def _section_html(title: str, content: str) -> str:
    if not title:
        return content
    if title == "Columns":
        return f"<details><summary>{esc(title)}</summary>{content}</details>"
    return f"<h3>{esc(title)}</h3>{content}"


def notebook_html(report: Report, images: dict[int, list[plots.ChartImage]]) -> str:
    """The notebook view: the same sections as report.html, each sheet and section collapsible."""
    parts = []
    first = True
    for book in report.workbooks:
        parts.append(f"<h2>{esc(book.name)}</h2><p class='muted'>{esc(book.source)}</p>")
        if book.notes:
            parts.append("<details><summary>Workbook log</summary>" + _list(book.notes, "log") + "</details>")
        for sheet in book.sheets:
            inner = "".join(
                (
                    f"<details{' open' if title in _OPEN_IN_NOTEBOOK else ''}><summary>{esc(title)}</summary>"
                    f"{content}</details>"
                    if title
                    else content
                )
                for title, content in sheet_sections(sheet, images)
            )
            parts.append(
                f"<details{' open' if first else ''}><summary>Sheet {esc(sheet.name)} "
                f"<span class='muted'>{esc(_meta(sheet.stats))}</span></summary>{inner}</details>"
            )
            first = False
    hint = (
        "<p class='muted'>Tables: <code>report.sheets[i].describe</code>, <code>.top[metric]</code>, "
        "<code>.groups[category]</code>, <code>.correlations</code>; charts: <code>.figures</code>; "
        "everything to files: <code>report.save(folder)</code>.</p>"
    )
    return f"<style>{_CSS}</style><div class='gds-report'>{''.join(parts)}{hint}</div>"


_OPEN_IN_NOTEBOOK = {"", "Over time", "Overview", "Summary statistics"}


def sheet_sections(sheet: SheetReport, images: dict[int, list[plots.ChartImage]]) -> list[tuple[str, str]]:
    """The sections of one sheet as (title, HTML), in page order; "" titles are untitled blocks."""
    stats = sheet.stats
    by_kind: dict[str, list[plots.ChartImage]] = {}
    for image in images.get(id(sheet), []):
        by_kind.setdefault(image.chart_kind, []).append(image)
    out: list[tuple[str, str]] = []
    if sheet.notes:
        out.append(("Cleaning log and notes", _list(sheet.notes, "log")))
    if by_kind.get("trend"):
        out.append(("Over time", "".join(_figure(i, wide=True) for i in by_kind["trend"])))
    if by_kind.get("overview"):
        out.append(("Overview", "".join(_figure(i, wide=True) for i in by_kind["overview"])))
    if stats.metrics:
        unit = f" ({stats.unit_text})" if stats.unit_text else ""
        out.append((f"Summary statistics{unit}", _describe_table(sheet)))
        charts = _charts(by_kind.get("top", []) + by_kind.get("bottom", []))
        at = f" at {stats.level}" if stats.level else ""
        out.append((f"Top and bottom {ranking_size(stats)}{at}{unit}", _rankings_html(stats) + charts))
        for level, tops in stats.level_top.items():  # every other level ranked on its own, never mixed
            out.append((f"Top {level}{unit}", _level_html(stats, tops)))
    if by_kind.get("histogram"):
        out.append(("Distributions", _charts(by_kind["histogram"])))
    for category, table in stats.groups.items():
        flat = flat_groups(table)
        charts = _charts([i for i in by_kind.get("groups", []) if i.subject == category])
        out.append((f"By {category}", _table(flat, index_name=str(category)) + charts))
    if not stats.correlations.empty:
        heat = _table(stats.correlations, "Metric", heat=True)
        out.append(("Correlations (Pearson r)", heat + _charts(by_kind.get("correlation", []))))
    out.append(("Columns", _table(stats.columns, index_name="Column")))
    if stats.footnotes:
        notes = "".join(f"<p>{esc(f)}</p>" for f in stats.footnotes)
        out.append(("Footnotes", f'<div class="footnotes">{notes}</div>'))
    if not stats.set_aside.empty:
        out.append((f"Rows set aside ({len(stats.set_aside)})", _table(stats.set_aside_table(), index=False)))
    return out


def ranking_size(stats: SheetStats) -> int:
    """How many rows the top and bottom tables really hold (a 5-row sheet ranks 5, not 10)."""
    return max((len(t) for t in stats.top.values()), default=0)


def _anchor(i: int) -> str:
    return f"sheet-{i + 1}"


def _meta(stats: SheetStats) -> str:
    bits = [f"{stats.rows:,} rows", f"{len(stats.metrics)} numeric column(s)"]
    if stats.categories:
        bits.append(f"grouped by {', '.join(stats.categories)}")
    bits.append(f"rows named by {stats.label_column}" if stats.label_column else "rows named by their number")
    return " · ".join(bits)


def _list(items: Iterable[str], css: str) -> str:
    return f'<ul class="{css}">' + "".join(f"<li>{esc(item)}</li>" for item in items) + "</ul>"


def _figure(image: plots.ChartImage, wide: bool = False) -> str:
    data = base64.b64encode(image.png).decode("ascii")
    css = ' class="wide"' if wide else ""
    size = f' width="{image.width}" height="{image.height}"' if image.width else ""
    return (
        f'<figure{css}><img src="data:image/png;base64,{data}" alt="{esc(image.title)}"{size}>'
        f"<figcaption>{esc(image.file or image.title)}</figcaption></figure>"
    )


def _charts(images: list[plots.ChartImage]) -> str:
    return f'<div class="charts">{"".join(_figure(i) for i in images)}</div>' if images else ""


def _describe_table(sheet: SheetReport) -> str:
    """The describe table, each metric marked with its colour in the charts."""

    def swatch(metric: Any) -> str:
        colour = sheet.colours.get(str(metric))
        return f'<span class="swatch" style="background:{colour}"></span>' if colour else ""

    return _table(sheet.stats.describe, index_name="Metric", marker=swatch)


def _rankings_html(stats: SheetStats) -> str:
    blocks = []
    for metric in stats.metrics:
        top, bottom = stats.top[metric], stats.bottom[metric]
        rows = "".join(
            f"<tr><td>{rank}</td>" + _pair(top, rank) + _pair(bottom, rank) + "</tr>"
            for rank in range(1, max(len(top), len(bottom)) + 1)
        )
        head = (
            f"<thead><tr><th>#</th><th>Top: {esc(stats.label_name)}</th><th>{esc(metric)}</th>"
            f"<th>Bottom: {esc(stats.label_name)}</th><th>{esc(metric)}"
        )
        table = f'<div class="table-wrap"><table>{head}</th></tr></thead><tbody>{rows}</tbody></table></div>'
        unit = f" ({stats.unit_text})" if stats.unit_text else ""
        blocks.append(f"<div><h4>{esc(metric)}{esc(unit)}</h4>{table}</div>")
    return f'<div class="rankings">{"".join(blocks)}</div>'


def _level_html(stats: SheetStats, tops: dict[str, pd.DataFrame]) -> str:
    """The top rows of one level of the outline, one table per metric."""
    blocks = []
    for metric, top in tops.items():
        rows = "".join(f"<tr><td>{rank}</td>{_pair(top, rank)}</tr>" for rank in top.index)
        head = f"<thead><tr><th>#</th><th>{esc(stats.label_name)}</th><th>{esc(metric)}</th></tr></thead>"
        table = f'<div class="table-wrap"><table>{head}<tbody>{rows}</tbody></table></div>'
        blocks.append(f"<div><h4>{esc(metric)}</h4>{table}</div>")
    return f'<div class="rankings">{"".join(blocks)}</div>'


def _pair(table: pd.DataFrame, rank: int) -> str:
    if rank not in table.index:
        return "<td></td><td></td>"
    label, value = table.at[rank, "label"], display(table.at[rank, "value"])
    return f"<td class=t>{esc(label)}</td><td>{esc(value)}</td>"


def _table(
    frame: pd.DataFrame,
    index_name: str = "",
    index: bool = True,
    heat: bool = False,
    marker: Callable[[Any], str] | None = None,
) -> str:
    """An HTML table of ``frame`` with every header and cell escaped, numbers right-aligned."""
    columns = [str(c) for c in frame.columns]
    head = ([f"<th>{esc(index_name)}</th>"] if index else []) + [f"<th>{esc(c)}</th>" for c in columns]
    cmap = colormaps[plots.HEATMAP_COLORMAP]
    body = []
    for label, row in zip(frame.index, frame.itertuples(index=False, name=None), strict=True):
        cells = [f"<th>{marker(label) if marker else ''}{esc(label)}</th>"] if index else []
        for value in row:
            if _is_number(value):
                style = ""
                if heat and math.isfinite(value):
                    colour = cmap((float(value) + 1) / 2)
                    ink = "#fff" if abs(value) > 0.6 else "#222"
                    style = f' style="background:{to_hex(colour)};color:{ink}"'
                shown = (
                    f"{value:.2f}".replace("-0.00", "0.00")
                    if heat and math.isfinite(value)
                    else display(value)
                )
                cells.append(f"<td{style}>{esc(shown)}</td>")
            else:
                cells.append(f"<td class=t>{esc(display(value))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return (
        f'<div class="table-wrap"><table><thead><tr>{"".join(head)}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | np.integer | np.floating) and not isinstance(
        value, bool | np.bool_
    )


def display(value: Any) -> str:
    """A value as a person reads it: 1,234,567 · 12,345.7 · 12.35 · 0.1235 · – for missing."""
    if value is None:
        return "–"
    if _is_number(value):
        number = float(value)
        if not math.isfinite(number):
            return "–"
        if number.is_integer() or abs(number) >= 100_000:
            return f"{number:,.0f}"
        if abs(number) >= 100:
            return f"{number:,.1f}"
        if abs(number) >= 1:
            return f"{number:,.2f}"
        return f"{number:.4g}"
    with contextlib.suppress(TypeError, ValueError):
        if pd.isna(value):
            return "–"
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d") if value == value.normalize() else value.strftime("%Y-%m-%d %H:%M")
    return str(value)
