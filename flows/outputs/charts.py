"""The report's charts as SVG written by hand; flows/outputs/report.py puts them inline in report.html.

Why not a plotting library: importing matplotlib and drawing three simple charts cost a noticeable part of every night
(docs/adr/0013), and its SVG needed its dates and random ids taken out. Writing the few elements these charts need is
fast, deterministic (the same figures give the same bytes: no dates, ids or randomness) and needs no dependency.

Why SVG here and not in a Jinja2 template like the page around it (flows/outputs/templates/): a chart is geometry, every
element's coordinates computed from the figures (scales, ticks, bar lengths, label widths); a template would only loop
over elements already computed here, so the markup would be split from the arithmetic that places it.

Text stays text, so the reader's browser draws the Chinese with its own fonts. Text widths are estimated
(`text_width`) only to leave room for the labels and to lay out the legends. Every chart has a `viewBox`, so the page's
CSS can scale it to the column's width.
"""

from __future__ import annotations

import html
import unicodedata
from typing import NamedTuple

FONTS = [
    "Noto Sans CJK SC",
    "Source Han Sans SC",
    "Microsoft YaHei",
    "PingFang SC",
    "SimHei",
    "WenQuanYi Micro Hei",
    "DejaVu Sans",
]
WIDTH = 720  # viewBox units: CSS pixels when the chart is shown at full size
PAD = 8
TITLE_SIZE, LABEL_SIZE, SMALL_SIZE = 13, 11, 10
TEXT, MUTED, GRID, AXIS = "#333", "#666", "#E6E6E6", "#999"
HEADER = 34  # the title's band above a plot
ROW = 20  # one category of the horizontal bar chart; its bars share ROW - 4
TREND_HEIGHT = 180  # the trend's plot
MAX_COLUMN = 24  # a trend bar's widest, so that a few weeks do not give slabs


class Series(NamedTuple):
    """One coloured series: its legend label, one value per category (None: no point; lines only), the marker of a
    line ("circle" or "square") and the colour of the values written at a bar's end."""

    label: str
    color: str
    values: list
    marker: str = "circle"
    value_color: str = TEXT


def _e(text) -> str:
    return html.escape(str(text), quote=True)


def _n(x: float) -> str:
    """A coordinate with one decimal and no trailing '.0': short and stable output."""
    return f"{x:.1f}".removesuffix(".0")


def text_width(text: str, size: float) -> float:
    """An estimate of the width the browser will give `text`: wide (CJK) characters one em, the others 0.6 em, a
    little more than most sans-serif fonts use, so that labels rather get too much room than too little."""
    return sum(size if unicodedata.east_asian_width(ch) in "WF" else 0.6 * size for ch in str(text))


def nice_ticks(limit: float, most: int = 8) -> list[int]:
    """0, s, 2s, ... up to `limit`, with s the smallest of 1, 2, 5 × 10^k that gives at most `most` ticks: the charts
    count warnings, which read best on round integer steps."""
    magnitude = 1
    while True:
        for step in (magnitude, 2 * magnitude, 5 * magnitude):
            if int(limit // step) + 1 <= most:
                return [i * step for i in range(int(limit // step) + 1)]
        magnitude *= 10


def _text(
    x: float, y: float, text, *, size: float = LABEL_SIZE, anchor: str = "start", fill: str = TEXT, extra: str = ""
) -> str:
    """A text element vertically centred on y (dy .35em works in every browser, unlike dominant-baseline)."""
    return (
        f'<text x="{_n(x)}" y="{_n(y)}" dy=".35em" font-size="{size}" text-anchor="{anchor}" fill="{fill}"{extra}>'
        f"{_e(text)}</text>"
    )


def _svg(width: float, height: float, title: str, parts: list[str]) -> str:
    """The root element: intrinsic size and a viewBox (so CSS can scale it), the fonts, the title for screen readers."""
    fonts = ", ".join(f"'{f}'" for f in FONTS) + ", sans-serif"
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}" height="{_n(height)}" '
        f'viewBox="0 0 {_n(width)} {_n(height)}" font-family="{html.escape(fonts, quote=False)}" role="img" '
        f'aria-label="{_e(title)}">'
    )
    return "\n".join([head, _text(PAD, HEADER / 2, title, size=TITLE_SIZE), *parts, "</svg>"])


def _marker(kind: str, x: float, y: float, color: str) -> str:
    if kind == "square":
        return f'<rect x="{_n(x - 3.5)}" y="{_n(y - 3.5)}" width="7" height="7" fill="{color}"/>'
    return f'<circle cx="{_n(x)}" cy="{_n(y)}" r="3.5" fill="{color}"/>'


def _legend(bars: list[Series], lines: list[Series], centre: float, y: float) -> list[str]:
    """One row of legend items centred on `centre`: a swatch for a bar series, a stroke and marker for a line."""
    items = [(s, False) for s in bars] + [(s, True) for s in lines]
    widths = [(24 if is_line else 14) + text_width(s.label, SMALL_SIZE) for s, is_line in items]
    x = centre - (sum(widths) + 16 * (len(items) - 1)) / 2
    parts = ['<g class="legend">']
    for (s, is_line), w in zip(items, widths):
        if is_line:
            parts += [
                f'<line x1="{_n(x)}" y1="{_n(y)}" x2="{_n(x + 20)}" y2="{_n(y)}" stroke="{s.color}" stroke-width="2"/>',
                _marker(s.marker, x + 10, y, s.color),
            ]
        else:
            parts.append(f'<rect x="{_n(x)}" y="{_n(y - 5)}" width="10" height="10" fill="{s.color}"/>')
        parts.append(_text(x + (24 if is_line else 14), y, s.label, size=SMALL_SIZE))
        x += w + 16
    return parts + ["</g>"]


def hbars(title: str, labels: list[str], series: list[Series]) -> str:
    """Horizontal grouped bars, one row per label (the first at the top), one bar per series in each row, the value
    written at the end of each non-zero bar; integer ticks along the bottom. The x axis runs to 1.15 × the largest
    value (1.15 when all are 0), which leaves room for the value written at the longest bar's end."""
    left = PAD + max((text_width(label, LABEL_SIZE) for label in labels), default=0) + 8
    width = max(WIDTH, left + 280)
    right = width - 24
    bottom = HEADER + len(labels) * ROW + 8
    limit = max([1, *(v for s in series for v in s.values)]) * 1.15
    x = lambda v: left + v / limit * (right - left)  # noqa: E731
    bar = (ROW - 4) / max(len(series), 1)

    parts = ['<g class="grid">']
    for t in nice_ticks(limit):
        parts += [
            f'<line x1="{_n(x(t))}" y1="{HEADER}" x2="{_n(x(t))}" y2="{_n(bottom)}" stroke="{GRID}"/>',
            _text(x(t), bottom + 12, t, size=SMALL_SIZE, anchor="middle", fill=MUTED),
        ]
    parts += ["</g>", '<g class="bars">']
    values = ['<g class="values">']
    for j, s in enumerate(series):
        for i, v in enumerate(s.values):
            if v:
                top = HEADER + 4 + i * ROW + 2 + j * bar
                parts.append(
                    f'<rect x="{_n(left)}" y="{_n(top)}" width="{_n(x(v) - left)}" height="{_n(bar)}" '
                    f'fill="{s.color}"/>'
                )
                values.append(_text(x(v) + 3, top + bar / 2, v, size=SMALL_SIZE, fill=s.value_color))
    parts += ["</g>", *values, "</g>", '<g class="labels">']
    parts += [_text(left - 6, HEADER + 4 + i * ROW + ROW / 2, label, anchor="end") for i, label in enumerate(labels)]
    parts += ["</g>", f'<line x1="{_n(left)}" y1="{HEADER}" x2="{_n(left)}" y2="{_n(bottom)}" stroke="{AXIS}"/>']
    parts += _legend(series, [], (left + right) / 2, bottom + 34)
    return _svg(width, bottom + 48, title, parts)


def trend(title: str, categories: list[str], bars: list[Series], lines: list[Series]) -> str:
    """Vertical bars side by side per category (a week) and lines with markers over them (a None value is no point:
    the line joins the points there are); integer ticks up the left, category labels along the bottom (at 45° when
    there are more than 8), the legend below. The y axis runs to 1.15 × the largest value (1.15 when all are 0)."""
    limit = max([1, *(v for s in [*bars, *lines] for v in s.values if v is not None)]) * 1.15
    ticks = nice_ticks(limit)
    left = PAD + max(text_width(t, SMALL_SIZE) for t in ticks) + 8
    right = WIDTH - 16
    bottom = HEADER + TREND_HEIGHT
    y = lambda v: bottom - v / limit * TREND_HEIGHT  # noqa: E731
    slot = (right - left) / max(len(categories), 1)
    centre = lambda i: left + (i + 0.5) * slot  # noqa: E731
    column = min(0.72 * slot / max(len(bars), 1), MAX_COLUMN)
    rotate = len(categories) > 8

    parts = ['<g class="grid">']
    for t in ticks:
        parts += [
            f'<line x1="{_n(left)}" y1="{_n(y(t))}" x2="{_n(right)}" y2="{_n(y(t))}" stroke="{GRID}"/>',
            _text(left - 6, y(t), t, size=SMALL_SIZE, anchor="end", fill=MUTED),
        ]
    parts += ["</g>", '<g class="bars">']
    for j, s in enumerate(bars):
        for i, v in enumerate(s.values):
            if v:
                x0 = centre(i) - column * len(bars) / 2 + j * column
                parts.append(
                    f'<rect x="{_n(x0)}" y="{_n(y(v))}" width="{_n(column)}" height="{_n(bottom - y(v))}" '
                    f'fill="{s.color}"/>'
                )
    parts += ["</g>", '<g class="lines">']
    for s in lines:
        points = [(centre(i), y(v)) for i, v in enumerate(s.values) if v is not None]
        if len(points) > 1:
            parts.append(
                f'<polyline points="{" ".join(f"{_n(px)},{_n(py)}" for px, py in points)}" fill="none" '
                f'stroke="{s.color}" stroke-width="2"/>'
            )
        parts += [_marker(s.marker, px, py, s.color) for px, py in points]
    parts += ["</g>", '<g class="labels">']
    for i, c in enumerate(categories):
        if rotate:
            parts.append(
                _text(
                    centre(i),
                    bottom + 8,
                    c,
                    size=SMALL_SIZE,
                    anchor="end",
                    extra=f' transform="rotate(-45 {_n(centre(i))} {_n(bottom + 8)})"',
                )
            )
        else:
            parts.append(_text(centre(i), bottom + 12, c, size=SMALL_SIZE, anchor="middle"))
    parts += ["</g>", f'<line x1="{_n(left)}" y1="{_n(bottom)}" x2="{_n(right)}" y2="{_n(bottom)}" stroke="{AXIS}"/>']
    labels_depth = 8 + 0.71 * max((text_width(c, SMALL_SIZE) for c in categories), default=0) if rotate else 20
    legend_y = bottom + labels_depth + 18
    parts += _legend(bars, lines, (left + right) / 2, legend_y)
    return _svg(WIDTH, legend_y + 14, title, parts)
