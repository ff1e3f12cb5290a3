"""Inline SVG charts drawn in Python: no script, no font or library from the network.

Every chart spans all the report's years, so a year without data shows as a gap marked
"—", never as a bar of zero. All text is escaped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from decimal import Decimal
from html import escape

from interface.formats import amount_text, change_text

WIDTH, HEIGHT = 560, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 28, 52
FUND_COLORS = ("#2b6cb0", "#dd6b20", "#38a169")
LEVEL1_COLORS = {"1": "#5a67d8", "2": "#d69e2e", "3": "#319795", "?": "#a0aec0"}
UP, DOWN, INK, MUTED, GRID = "#2f855a", "#c53030", "#1a202c", "#718096", "#e2e8f0"


def _text(x: float, y: float, text: str, size: int = 11, anchor: str = "middle",
          color: str = INK, weight: str = "normal") -> str:  # fmt: skip
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" '
        f'fill="{color}" font-weight="{weight}">{escape(text)}</text>'
    )


def _rect(x: float, y: float, w: float, h: float, color: str, tip: str) -> str:
    return (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0.5):.1f}" height="{max(h, 0.5):.1f}" '
        f'fill="{color}"><title>{escape(tip)}</title></rect>'
    )


def _svg(title: str, body: list[str], height: int = HEIGHT) -> str:
    return (
        f'<svg class="chart" role="img" viewBox="0 0 {WIDTH} {height}" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def nice_max(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above `value` (1 for nothing)."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    return next(step * power for step in (1, 2, 2.5, 5, 10) if step * power >= value)


def _slots(years: Sequence[int]) -> tuple[float, dict[int, float]]:
    """Bar width and each year's bar centre."""
    plot = WIDTH - LEFT - RIGHT
    slot = plot / max(len(years), 1)
    return slot * 0.62, {year: LEFT + slot * (i + 0.5) for i, year in enumerate(years)}


def _axis(years: Sequence[int], top: float, ticks: list[tuple[float, str]]) -> list[str]:
    """Grid lines with their labels, the baseline, and the year labels."""
    base = HEIGHT - BOTTOM
    parts = []
    for y, label in ticks:
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="{GRID}"/>'
        )
        parts.append(_text(LEFT - 6, y + 4, label, 10, "end", MUTED))
    parts.append(f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}" stroke="{INK}"/>')
    _, centres = _slots(years)
    parts += [_text(x, base + 16, str(year), 11) for year, x in centres.items()]
    return parts


def _gap(x: float) -> str:
    return _text(x, HEIGHT - BOTTOM - 6, "—", 12, "middle", MUTED)


def total_chart(years: Sequence[int], totals: dict[int, Decimal], title: str) -> str:
    """Bars of the yearly total (万元), labelled with the exact amount."""
    top = nice_max(float(max(totals.values(), default=0)))
    span = HEIGHT - BOTTOM - TOP
    ticks = [(HEIGHT - BOTTOM - span * f, amount_text(Decimal(str(top * f)).normalize()))
             for f in (0, 0.5, 1)]  # fmt: skip
    body = _axis(years, top, ticks)
    width, centres = _slots(years)
    for year, x in centres.items():
        if year not in totals:
            body.append(_gap(x))
            continue
        h = float(totals[year]) / top * span
        y = HEIGHT - BOTTOM - h
        body.append(_rect(x - width / 2, y, width, h, FUND_COLORS[0],
                          f"{year}: {amount_text(totals[year])} 万元"))  # fmt: skip
        body.append(_text(x, y - 4, amount_text(totals[year]), 9))
    body.append(_text(LEFT, 14, "万元", 10, "start", MUTED))
    return _svg(title, body)


def _legend(items: Sequence[tuple[str, str]]) -> list[str]:
    parts, x = [], float(LEFT)
    y = HEIGHT - 14
    for name, color in items:
        parts.append(_rect(x, y - 9, 10, 10, color, name))
        parts.append(_text(x + 14, y, name, 10, "start"))
        x += 24 + 11 * len(name)
    return parts


def stacked_share_chart(
    years: Sequence[int], shares: dict[int, Sequence[float | None]], names: Sequence[str],
    colors: Sequence[str], title: str,
) -> str:  # fmt: skip
    """100 % stacked bars: each year's parts as percentages, labelled when wide enough."""
    span = HEIGHT - BOTTOM - TOP
    ticks = [(HEIGHT - BOTTOM - span * f, f"{f * 100:.0f}%") for f in (0, 0.5, 1)]
    body = _axis(years, 1, ticks)
    width, centres = _slots(years)
    for year, x in centres.items():
        if year not in shares:
            body.append(_gap(x))
            continue
        base = float(HEIGHT - BOTTOM)
        for name, color, share in zip(names, colors, shares[year], strict=True):
            if not share:
                continue
            h = share / 100 * span
            base -= h
            body.append(_rect(x - width / 2, base, width, h, color, f"{year} {name}: {share:.1f}%"))
            if h >= 14:
                body.append(_text(x, base + h / 2 + 4, f"{share:.1f}", 9, "middle", "#ffffff"))
    body += _legend(list(zip(names, colors, strict=True)))
    return _svg(title, body)


def indicator_chart(
    years: Sequence[int], counts: dict[int, dict[str, int]], quantitative: dict[int, float],
    names: Sequence[tuple[str, str]], title: str,
) -> str:  # fmt: skip
    """Stacked indicator counts by level-1 category (counts in the tooltips), with the
    quantitative share as a labelled line on a 0–100 % scale."""
    top = nice_max(max((sum(c.values()) for c in counts.values()), default=0))
    span = HEIGHT - BOTTOM - TOP
    ticks = [(HEIGHT - BOTTOM - span * f, f"{top * f:g}") for f in (0, 0.5, 1)]
    body = _axis(years, top, ticks)
    width, centres = _slots(years)
    points = []
    for year, x in centres.items():
        if year not in counts:
            body.append(_gap(x))
            continue
        base = float(HEIGHT - BOTTOM)
        for code, name in names:
            n = counts[year].get(code, 0)
            if n:
                h = n / top * span
                base -= h
                body.append(_rect(x - width / 2, base, width, h, LEVEL1_COLORS[code],
                                  f"{year} {name}: {n}"))  # fmt: skip
        points.append((x, HEIGHT - BOTTOM - quantitative[year] / 100 * span, quantitative[year]))
    if points:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in points)
        body.append(f'<polyline points="{path}" fill="none" stroke="{INK}" stroke-width="1.5"/>')
        for x, y, share in points:
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{INK}">'
                f"<title>定量指标占比 {share:.1f}%</title></circle>"
            )
            body.append(_text(x, y - 7, f"{share:.0f}%", 9))
    items = [(name, LEVEL1_COLORS[code]) for code, name in names] + [("定量占比 %", INK)]
    body += _legend(items)
    body.append(_text(LEFT, 14, "指标数 (line: 定量占比, 0–100%)", 10, "start", MUTED))
    return _svg(title, body)


def movers_chart(movers: Sequence[tuple[str, Decimal]], title: str) -> str:
    """Horizontal bars of the biggest changes: increases right, decreases left."""
    row, label_width = 24, 200
    height = TOP + row * max(len(movers), 1) + 16
    if not movers:
        return _svg(title, [_text(WIDTH / 2, height / 2, "no project funded in both years",
                                  11, "middle", MUTED)], height)  # fmt: skip
    reach = nice_max(max(abs(float(change)) for _, change in movers))
    zero = label_width + (WIDTH - label_width - RIGHT) / 2
    half = (WIDTH - label_width - RIGHT) / 2 - 56
    body = [f'<line x1="{zero:.1f}" x2="{zero:.1f}" y1="{TOP - 8}" y2="{height - 8}" '
            f'stroke="{INK}"/>']  # fmt: skip
    for i, (name, change) in enumerate(movers):
        y = TOP + i * row
        w = abs(float(change)) / reach * half
        x = zero if change >= 0 else zero - w
        color = UP if change >= 0 else DOWN
        short = name if len(name) <= 16 else name[:15] + "…"
        body.append(_text(label_width - 8, y + 13, short, 10, "end"))
        body.append(_rect(x, y + 3, w, row - 8, color, f"{name}: {change_text(change)} 万元"))
        end, anchor = (x + w + 4, "start") if change >= 0 else (x - 4, "end")
        body.append(_text(end, y + 13, change_text(change), 9, anchor))
    return _svg(title, body, height)


def sparkline(values: Sequence[float]) -> str:
    """A tiny trend line for the overview table."""
    if not values:
        return ""
    w, h = 96, 22
    low, high = min(values), max(values)
    spread = (high - low) or 1.0
    step = w / max(len(values) - 1, 1)
    points = " ".join(
        f"{i * step:.1f},{h - 2 - (v - low) / spread * (h - 4):.1f}" for i, v in enumerate(values)
    )
    return (
        f'<svg class="spark" role="img" viewBox="0 0 {w} {h}" width="{w}" height="{h}" '
        f'xmlns="http://www.w3.org/2000/svg" aria-label="trend"><polyline points="{points}" '
        f'fill="none" stroke="{FUND_COLORS[0]}" stroke-width="1.5"/></svg>'
    )


LINE_COLORS = ("#2b6cb0", "#dd6b20", "#38a169", "#805ad5", "#d53f8c", "#319795", "#b7791f",
               "#4a5568")  # fmt: skip


def _wrapped_legend(items: Sequence[tuple[str, str]]) -> tuple[list[str], int]:
    """A legend under the plot that wraps onto more rows; (marks, extra height)."""
    parts, x, y = [], float(LEFT), float(HEIGHT - 14)
    for name, color in items:
        width = 24 + 11 * len(name)
        if x > LEFT and x + width > WIDTH - RIGHT:
            x, y = float(LEFT), y + 16
        parts.append(_rect(x, y - 9, 10, 10, color, name))
        parts.append(_text(x + 14, y, name, 10, "start"))
        x += width
    return parts, int(y - (HEIGHT - 14))


def rate_chart(
    years: Sequence[int], rates: dict[str, dict[int, float]], title: str, measure: str,
    note: str,
) -> str:  # fmt: skip
    """A percentage per department across years (预算执行率, 达成率): one line each, on a
    0–100 % scale (higher when a rate goes beyond 100). A year without a value breaks the
    line, never drops it to zero; each point's tooltip names the department, year, the
    `measure` and its value; `note` says what the percentage is."""
    top = nice_max(max([100.0, *(r for d in rates.values() for r in d.values())]))
    span = HEIGHT - BOTTOM - TOP
    ticks = [(HEIGHT - BOTTOM - span * f, f"{top * f:g}%") for f in (0, 0.5, 1)]
    body = _axis(years, top, ticks)
    _, centres = _slots(years)
    label = len(rates) == 1
    for i, (name, by_year) in enumerate(rates.items()):
        color = LINE_COLORS[i % len(LINE_COLORS)]
        run: list[tuple[float, float]] = []
        for year, x in [*centres.items(), (None, 0.0)]:  # a sentinel ends the last run
            if year is None or year not in by_year:
                if len(run) > 1:
                    path = " ".join(f"{px:.1f},{py:.1f}" for px, py in run)
                    body.append(f'<polyline points="{path}" fill="none" stroke="{color}" '
                                f'stroke-width="1.5"/>')  # fmt: skip
                run = []
                continue
            rate = by_year[year]
            y = HEIGHT - BOTTOM - rate / top * span
            run.append((x, y))
            body.append(
                f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{color}">'
                f"<title>{escape(name)} {year}: {escape(measure)} {rate:.1f}%</title></circle>"
            )
            if label:
                body.append(_text(x, y - 7, f"{rate:.1f}%", 9))
    legend, extra = _wrapped_legend(
        [(name, LINE_COLORS[i % len(LINE_COLORS)]) for i, name in enumerate(rates)]
    )
    body += legend
    body.append(_text(LEFT, 14, note, 10, "start", MUTED))
    return _svg(title, body, HEIGHT + extra)
