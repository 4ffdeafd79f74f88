"""Server-side SVG charts: no JavaScript, nothing for the CSP to allow."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from trading.models import BacktestRun, PaperSession

WIDTH, HEIGHT, PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 760, 260, 64, 12, 14, 28


def line_chart(
    times: Sequence[float] | np.ndarray,
    lines: list[tuple[str, Sequence[float] | np.ndarray, str]],
    *,
    title: str,
    unit: str = "",
    floor: float | None = None,
) -> str:
    """An accessible SVG line chart. `lines` are (label, values, css class)."""
    times = np.asarray(times, dtype=np.float64)
    values = [np.asarray(v, dtype=np.float64) for _, v, _ in lines]
    if len(times) < 2 or not values:
        return ""
    low = min(float(np.nanmin(v)) for v in values)
    high = max(float(np.nanmax(v)) for v in values)
    if floor is not None:
        low = min(low, floor)
    if high == low:
        high, low = high + 1, low - 1
    x0, x1 = PAD_LEFT, WIDTH - PAD_RIGHT
    y0, y1 = HEIGHT - PAD_BOTTOM, PAD_TOP
    span = times[-1] - times[0] or 1

    def x(t: float) -> float:
        return x0 + (t - times[0]) / span * (x1 - x0)

    def y(v: float) -> float:
        return y0 - (v - low) / (high - low) * (y0 - y1)

    parts = [
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" class="chart" role="img" aria-labelledby="chart-{id(lines)}">',
        f'<title id="chart-{id(lines)}">{escape(title)}</title>',
        f'<line x1="{x0}" y1="{y0}" x2="{x1}" y2="{y0}" class="axis"/>',
        f'<line x1="{x0}" y1="{y0}" x2="{x0}" y2="{y1}" class="axis"/>',
    ]
    for value in (low, (low + high) / 2, high):
        tick = f"{value:,.0f}{escape(unit)}"
        parts.append(f'<text x="{x0 - 6}" y="{y(value) + 4:.1f}" class="tick" text-anchor="end">{tick}</text>')
    for t, anchor in ((times[0], "start"), (times[-1], "end")):
        label = datetime.fromtimestamp(t / 1000, tz=UTC).strftime("%Y-%m-%d")
        parts.append(f'<text x="{x(t):.1f}" y="{HEIGHT - 8}" class="tick" text-anchor="{anchor}">{label}</text>')
    for (label, _, css), series in zip(lines, values, strict=True):
        points = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in zip(times, series, strict=True) if np.isfinite(v))
        parts.append(
            f'<polyline points="{points}" class="line {escape(css)}"><title>{escape(label)}</title></polyline>'
        )
    legend_x = x0 + 8
    for label, _, css in lines:
        parts.append(f'<rect x="{legend_x}" y="{y1 + 2}" width="12" height="4" class="legend {escape(css)}"/>')
        parts.append(f'<text x="{legend_x + 16}" y="{y1 + 8}" class="tick">{escape(label)}</text>')
        legend_x += 24 + 7 * len(label)
    parts.append("</svg>")
    return "".join(parts)


def backtest_charts(backtest: BacktestRun) -> dict[str, str]:
    """The equity chart (strategy, buy and hold, cash) and the drawdown chart of a stored backtest."""
    curve = backtest.equity_curve
    if len(curve) < 2:
        return {}
    times = [row[0] for row in curve]
    equity = np.array([row[1] for row in curve])
    hold = [row[2] for row in curve]
    cash = [float(backtest.cash)] * len(curve)
    drawdown = -(1 - equity / np.maximum.accumulate(equity)) * 100
    return {
        "equity": line_chart(
            times,
            [("Strategy", equity, "strategy"), ("Buy and hold", hold, "hold"), ("Cash", cash, "cash")],
            title="Equity over time: the strategy, buy and hold, and cash",
        ),
        "drawdown": line_chart(
            times, [("Drawdown %", drawdown, "drawdown")], title="Drawdown from the running peak, in percent", unit="%"
        ),
    }


def paper_chart(session: PaperSession) -> str:
    """The paper portfolio's value over the replay, with cash as the benchmark."""
    curve = session.equity_curve
    if len(curve) < 2:
        return ""
    return line_chart(
        [row[0] for row in curve],
        [("Bot", [row[1] for row in curve], "strategy"), ("Cash", [session.starting_cash] * len(curve), "cash")],
        title="Paper portfolio value over the replay",
    )
