"""report.html and the notebook view: one self-contained, escaped page of tables, charts and the log."""

from __future__ import annotations

import base64
import contextlib
import html
import logging
import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib import colormaps
from matplotlib.colors import to_hex

from gdrivestats import __version__, plots
from gdrivestats.analysis import SheetStats

if TYPE_CHECKING:
    from gdrivestats.report import Report, SheetReport, WorkbookReport

log = logging.getLogger(__name__)

# ---- report.html -----------------------------------------------------------------------------------------

_CSS = """
.gds-report{font-family:-apple-system,BlinkMacSystemFont,"Segoe UI",Roboto,Helvetica,Arial,sans-serif;
  color:#222;line-height:1.45;max-width:1200px;margin:0 auto;padding:0 16px 48px}
.gds-report h1{font-size:1.7em;margin:.8em 0 .2em}
.gds-report h2{font-size:1.35em;margin:1.8em 0 .4em;padding-top:.6em;border-top:2px solid #e3e8ee}
.gds-report h3{font-size:1.08em;margin:1.4em 0 .4em;color:#33475b}
.gds-report .muted{color:#6b7785;font-size:.92em}
.gds-report nav ul{padding-left:1.2em;margin:.3em 0}
.gds-report .table-wrap{overflow-x:auto;margin:.3em 0 1em}
.gds-report table{border-collapse:collapse;font-size:.88em}
.gds-report th,.gds-report td{padding:4px 10px;border-bottom:1px solid #e6e9ed;text-align:left;
  vertical-align:top}
.gds-report thead th{background:#f2f5f8;border-bottom:2px solid #cfd6de;position:sticky;top:0}
.gds-report td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.gds-report tbody tr:hover{background:#fafbfc}
.gds-report .rankings{display:grid;grid-template-columns:repeat(auto-fill,minmax(470px,1fr));gap:8px 24px}
.gds-report .rankings h4{margin:.6em 0 .2em;font-size:.95em}
.gds-report .charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(460px,1fr));gap:16px}
.gds-report figure{margin:0;background:#fff;border:1px solid #e6e9ed;border-radius:6px;padding:6px}
.gds-report figure.wide{grid-column:1/-1}
.gds-report figure img{width:100%;height:auto;display:block}
.gds-report figcaption{font-size:.8em;color:#6b7785;padding:2px 4px}
.gds-report ul.log li{margin:.15em 0}
.gds-report .footnotes{font-size:.9em;color:#444;border-left:3px solid #cfd6de;padding-left:10px}
.gds-report details>summary{cursor:pointer;color:#33475b;font-weight:600;margin:.8em 0 .3em}
"""


def esc(value: Any) -> str:
    return html.escape(str(value), quote=True)


def page(title: str, body: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta name="generator" content="gdrivestats"><title>{esc(title)}</title>'
        f"<style>{_CSS}</style></head><body>{body}</body></html>\n"
    )


def html_page(report: Report, books: list[WorkbookReport], images: dict[int, list[plots.ChartImage]]) -> str:
    title = " + ".join(book.name for book in books)
    parts = [
        f"<h1>{esc(title)}</h1>",
        f'<p class="muted">Report made {esc(report.created.isoformat())} by '
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
        parts.append(_sheet_html(sheet, images.get(id(sheet), []), _anchor(i)))
    return page(f"{title} — gdrivestats report", f'<main class="gds-report">{"".join(parts)}</main>')


def _anchor(i: int) -> str:
    return f"sheet-{i + 1}"


def _sheet_html(sheet: SheetReport, images: list[plots.ChartImage], anchor: str) -> str:
    stats = sheet.stats
    by_kind: dict[str, list[plots.ChartImage]] = {}
    for image in images:
        by_kind.setdefault(image.chart_kind, []).append(image)
    out = [
        f'<section id="{anchor}"><h2>Sheet {esc(stats.name)}</h2>',
        f'<p class="muted">{esc(_meta(stats))}</p>',
    ]
    if sheet.notes:
        out.append("<h3>Cleaning log and notes</h3>" + _list(sheet.notes, "log"))
    out += [_figure(i, wide=True) for i in by_kind.get("overview", [])]
    if stats.metrics:
        out.append("<h3>Summary statistics</h3>" + _table(stats.describe, index_name="Metric"))
        out.append(f"<h3>Top and bottom {stats.top_n}</h3>" + _rankings_html(stats))
        out.append(_charts(by_kind.get("top", []) + by_kind.get("bottom", [])))
    for category, table in stats.groups.items():
        flat = table.copy()
        flat.columns = [f"{metric} ({stat})" for metric, stat in flat.columns]
        out.append(f"<h3>By {esc(category)}</h3>" + _table(flat, index_name=str(category)))
        out.append(_charts([i for i in by_kind.get("groups", []) if i.subject == category]))
    if not stats.correlations.empty:
        out.append("<h3>Correlations (Pearson r)</h3>" + _table(stats.correlations, "Metric", heat=True))
        out.append(_charts(by_kind.get("correlation", [])))
    if by_kind.get("histogram"):
        out.append("<h3>Distributions</h3>" + _charts(by_kind["histogram"]))
    out.append(
        "<details><summary>Columns</summary>" + _table(stats.columns, index_name="Column") + "</details>"
    )
    if stats.footnotes:
        out.append(
            '<h3>Footnotes</h3><div class="footnotes">' + "".join(f"<p>{esc(f)}</p>" for f in stats.footnotes)
        )
        out.append("</div>")
    if not stats.set_aside.empty:
        out.append(f"<h3>Rows set aside ({len(stats.set_aside)})</h3>" + _table(stats.set_aside, index=False))
    out.append("</section>")
    return "".join(out)


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
    return (
        f'<figure{css}><img src="data:image/png;base64,{data}" alt="{esc(image.title)}" loading="lazy">'
        f"<figcaption>{esc(image.file or image.title)}</figcaption></figure>"
    )


def _charts(images: list[plots.ChartImage]) -> str:
    return f'<div class="charts">{"".join(_figure(i) for i in images)}</div>' if images else ""


def _rankings_html(stats: SheetStats) -> str:
    blocks = []
    for metric in stats.metrics:
        top, bottom = stats.top[metric], stats.bottom[metric]
        rows = "".join(
            f"<tr><td class='num'>{rank}</td>" + _pair(top, rank) + _pair(bottom, rank) + "</tr>"
            for rank in range(1, max(len(top), len(bottom)) + 1)
        )
        head = (
            f"<thead><tr><th>#</th><th>Top: {esc(stats.label_name)}</th><th>{esc(metric)}</th>"
            f"<th>Bottom: {esc(stats.label_name)}</th><th>{esc(metric)}</th></tr></thead>"
        )
        table = f'<div class="table-wrap"><table>{head}<tbody>{rows}</tbody></table></div>'
        blocks.append(f"<div><h4>{esc(metric)}</h4>{table}</div>")
    return f'<div class="rankings">{"".join(blocks)}</div>'


def _pair(table: pd.DataFrame, rank: int) -> str:
    if rank not in table.index:
        return "<td></td><td></td>"
    label, value = table.at[rank, "label"], display(table.at[rank, "value"])
    return f"<td>{esc(label)}</td><td class='num'>{esc(value)}</td>"


def _table(frame: pd.DataFrame, index_name: str = "", index: bool = True, heat: bool = False) -> str:
    """An HTML table of ``frame`` with every header and cell escaped, numbers right-aligned."""
    columns = [str(c) for c in frame.columns]
    head = ([f"<th>{esc(index_name)}</th>"] if index else []) + [f"<th>{esc(c)}</th>" for c in columns]
    cmap = colormaps[plots.HEATMAP_COLORMAP]
    body = []
    for label, row in zip(frame.index, frame.itertuples(index=False, name=None), strict=True):
        cells = [f"<th>{esc(label)}</th>"] if index else []
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
                cells.append(f"<td class='num'{style}>{esc(shown)}</td>")
            else:
                cells.append(f"<td>{esc(display(value))}</td>")
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
    return str(value)


# ---- notebook view ---------------------------------------------------------------------------------------


def notebook_html(report: Report) -> str:
    parts = []
    for book in report.workbooks:
        parts.append(f"<h2>{esc(book.name)}</h2><p class='muted'>{esc(book.source)}</p>")
        if book.notes:
            parts.append("<details><summary>Workbook log</summary>" + _list(book.notes, "log") + "</details>")
        for sheet in book.sheets:
            stats = sheet.stats
            parts.append(f"<h3>Sheet {esc(stats.name)}</h3><p class='muted'>{esc(_meta(stats))}</p>")
            figure = sheet.overview_figure()
            if figure is not None:
                png = plots.figure_png(figure, dpi=90)
                parts.append(
                    _figure(plots.ChartImage("overview", "", f"Overview of {stats.name}", png), wide=False)
                )
            if stats.metrics:
                parts.append(_table(stats.describe, index_name="Metric"))
            if sheet.notes:
                parts.append("<details><summary>Cleaning log and notes</summary>" + _list(sheet.notes, "log"))
                parts.append("</details>")
    hint = (
        "<p class='muted'>Tables: <code>report.sheets[i].describe</code>, <code>.top[metric]</code>, "
        "<code>.groups[category]</code>, <code>.correlations</code>; charts: <code>.figures</code>; "
        "everything to files: <code>report.save(folder)</code>.</p>"
    )
    return f"<style>{_CSS}</style><div class='gds-report'>{''.join(parts)}{hint}</div>"
