"""Candle files in and out: parsing, validation with line numbers, and synthetic series."""

from __future__ import annotations

import json
import warnings
from datetime import datetime
from pathlib import Path

import numpy as np

from trading.engine import Candles

CSV_HEADER = ["timestamp", "open", "high", "low", "close", "volume"]
TIMEFRAME_SECONDS = {"1m": 60, "5m": 300, "15m": 900, "30m": 1800, "1h": 3600, "4h": 14400, "1d": 86400}
MAX_PROBLEMS = 20
# Timestamps a candle may have, in epoch milliseconds: the years 1 to 9999, the range a Python
# datetime (and so the ORM reading the rows back) can represent; PostgreSQL's own range is wider.
MIN_TIMESTAMP_MS = -62_135_596_800_000
MAX_TIMESTAMP_MS = 253_402_300_799_999
MAX_JSON_DEPTH_ERROR = "invalid JSON: nested too deeply (a candle is a flat [ms, open, high, low, close, volume] row)"


class CandleFileError(ValueError):
    def __init__(self, problems: list[str]):
        self.problems = problems[:MAX_PROBLEMS]
        extra = len(problems) - MAX_PROBLEMS
        super().__init__("\n".join(self.problems + ([f"... and {extra} more problems"] if extra > 0 else [])))


def read_candles(path: Path | str) -> Candles:
    """Read and validate a CSV (header timestamp,open,high,low,close,volume) or a JSON array of
    [ms, open, high, low, close, volume] rows. Raises CandleFileError naming the bad lines."""
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(4096)
    except OSError as exc:
        raise CandleFileError([f"{path}: cannot read the file ({exc.strerror})"]) from exc
    if not head.strip():
        raise CandleFileError([f"{path}: the file is empty"])
    if head.lstrip()[:1] == b"[":
        candles, lines = _parse_json(path.read_bytes())
    else:
        candles, lines = _parse_csv(path, head)
    validate(candles, lines)
    return candles


def _parse_csv(path: Path, head: bytes) -> tuple[Candles, np.ndarray]:
    first_line = head.split(b"\n", 1)[0]
    try:
        header = [h.strip().lower() for h in first_line.decode("utf-8-sig").split(",")]
    except UnicodeDecodeError as exc:
        raise CandleFileError([f"line 1: not UTF-8 text (byte {exc.start})"]) from exc
    if header != CSV_HEADER:
        raise CandleFileError([f"line 1: the header must be {','.join(CSV_HEADER)}, found {','.join(header)}"])
    # Fast path: every row numeric (epoch milliseconds), parsed in C. Anything else goes row by row
    # so that each problem can be named by its line.
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            table = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2, dtype=np.float64, encoding="utf-8")
        if table.shape[1] != 6:
            raise ValueError
    except (ValueError, UnicodeDecodeError):
        try:
            text = path.read_bytes().decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CandleFileError([f"the file is not UTF-8 text (byte {exc.start})"]) from exc
        return _parse_rows_slowly(text.split("\n", 1)[1] if "\n" in text else "")
    if len(table) == 0:
        raise CandleFileError(["the file has a header but no candles"])
    lines = np.arange(2, 2 + len(table))
    return _from_table(table, lines), lines


def _parse_rows_slowly(body: str) -> tuple[Candles, np.ndarray]:
    rows, lines, problems = [], [], []
    for number, line in enumerate(body.splitlines(), start=2):
        if not line.strip():
            continue
        fields = [f.strip() for f in line.split(",")]
        if len(fields) != 6:
            problems.append(f"line {number}: expected 6 values, found {len(fields)}")
            continue
        if any(f == "" for f in fields):
            problems.append(f"line {number}: missing value in column {CSV_HEADER[fields.index('')]}")
            continue
        try:
            stamp = _timestamp_ms(fields[0])
            values = [float(f) for f in fields[1:]]
        except ValueError as exc:
            problems.append(f"line {number}: {exc}")
            continue
        rows.append([stamp, *values])
        lines.append(number)
    if problems:
        raise CandleFileError(problems)
    if not rows:
        raise CandleFileError(["the file has a header but no candles"])
    line_numbers = np.array(lines)
    return _from_table(np.array(rows, dtype=np.float64), line_numbers), line_numbers


def _timestamp_ms(value: str) -> float:
    if value.lstrip("-").isdigit():
        return float(value)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ValueError(f"timestamp {value!r} is neither epoch milliseconds nor ISO 8601") from None
    if moment.tzinfo is None:
        raise ValueError(f"timestamp {value!r} has no time zone (add Z or +00:00)")
    return moment.timestamp() * 1000


def _parse_json(raw: bytes) -> tuple[Candles, np.ndarray]:
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CandleFileError([f"invalid JSON: {exc}"]) from exc
    except RecursionError as exc:
        raise CandleFileError([MAX_JSON_DEPTH_ERROR]) from exc
    if not isinstance(data, list) or not data:
        raise CandleFileError(["JSON candles must be a non-empty array of [ms, open, high, low, close, volume]"])
    problems = []
    for index, row in enumerate(data, start=1):
        if (
            not isinstance(row, list)
            or len(row) != 6
            or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in row)
        ):
            problems.append(f"row {index}: expected [ms, open, high, low, close, volume] numbers, found {row!r:.80}")
        elif any(isinstance(v, int) and not -(2**63) <= v < 2**63 for v in row):  # float() would overflow
            problems.append(f"row {index}: a number is too large")
    if problems:
        raise CandleFileError(problems)
    lines = np.arange(1, len(data) + 1)
    return _from_table(np.array(data, dtype=np.float64), lines), lines


def _from_table(table: np.ndarray, lines: np.ndarray) -> Candles:
    """Columns of a parsed table; timestamps are checked here, before they become integers (NaN,
    infinity or a huge value would wrap around, or be refused by the database at import)."""
    stamps = table[:, 0]
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(stamps) | (stamps < MIN_TIMESTAMP_MS) | (stamps > MAX_TIMESTAMP_MS)
    if bad.any():
        label = "row" if lines[0] == 1 else "line"
        raise CandleFileError(
            [
                f"{label} {int(lines[position])}: the timestamp is not epoch milliseconds between the years 1 and 9999"
                for position in np.flatnonzero(bad)
            ]
        )
    return Candles(
        timestamp=table[:, 0].astype(np.int64),
        open=np.ascontiguousarray(table[:, 1]),
        high=np.ascontiguousarray(table[:, 2]),
        low=np.ascontiguousarray(table[:, 3]),
        close=np.ascontiguousarray(table[:, 4]),
        volume=np.ascontiguousarray(table[:, 5]),
    )


def validate(candles: Candles, lines: np.ndarray) -> None:
    """Every rule checked over whole columns at once; each broken row is named by its line."""
    o, h, lo, c, v = candles.open, candles.high, candles.low, candles.close, candles.volume
    steps = np.diff(candles.timestamp)
    with np.errstate(invalid="ignore"):
        clean = (
            all(np.isfinite(x).all() for x in (o, h, lo, c, v))
            and min(o.min(), h.min(), lo.min(), c.min()) > 0
            and v.min() >= 0
            and (h >= o).all()
            and (h >= c).all()
            and (lo <= o).all()
            and (lo <= c).all()
            and (len(steps) == 0 or steps.min() > 0)
        )
    if clean:  # the common case costs a few reductions; only bad files pay for the details
        return
    label = "row" if lines[0] == 1 else "line"
    problems: list[tuple[int, str]] = []

    def report(mask: np.ndarray, message: str) -> None:
        for position in np.flatnonzero(mask)[:MAX_PROBLEMS]:
            problems.append((int(lines[position]), message))

    values = np.stack([candles.open, candles.high, candles.low, candles.close, candles.volume])
    report(~np.isfinite(values).all(axis=0), "a value is missing or not a finite number")
    report((values[:4] <= 0).any(axis=0), "prices must be positive")
    report(candles.volume < 0, "volume is negative")
    with np.errstate(invalid="ignore"):
        report(candles.high < np.maximum(candles.open, candles.close), "high is below open or close")
        report(candles.low > np.minimum(candles.open, candles.close), "low is above open or close")
    report(np.r_[False, steps == 0], "duplicate timestamp (same as the line before)")
    report(np.r_[False, steps < 0], "timestamp is earlier than the line before (rows must be sorted)")
    if problems:
        problems.sort()
        raise CandleFileError([f"{label} {line}: {message}" for line, message in problems])


def synthetic_candles(*, bars: int, seed: int, timeframe: str = "1h", start_ms: int = 1_672_531_200_000) -> Candles:
    """A deterministic regime-switching random walk (calm/trending/volatile regimes) for demos and
    tests. The same seed gives the same candles on every machine."""
    if bars < 2:
        raise ValueError("bars must be at least 2")
    if timeframe not in TIMEFRAME_SECONDS:
        raise ValueError(f"timeframe must be one of {', '.join(TIMEFRAME_SECONDS)}")
    rng = np.random.default_rng(seed)
    scale = np.sqrt(TIMEFRAME_SECONDS[timeframe] / 3600)
    # Regimes: (drift per hour, volatility per hour); switch with a small probability each bar.
    regimes = np.array([[0.0, 0.004], [0.0006, 0.006], [-0.0006, 0.007], [0.0, 0.015]])
    switches = rng.random(bars) < 0.004
    regime = np.cumsum(switches) % len(regimes)
    order = rng.permutation(len(regimes))
    drift, vol = regimes[order[regime]].T
    log_returns = drift * scale**2 + vol * scale * rng.standard_normal(bars)
    close = 20_000 * np.exp(np.cumsum(log_returns))
    open_ = np.r_[close[0] * np.exp(-log_returns[0]), close[:-1]]
    wick = np.abs(rng.standard_normal((2, bars))) * vol * scale * 0.5
    high = np.maximum(open_, close) * np.exp(wick[0])
    low = np.minimum(open_, close) * np.exp(-wick[1])
    volume = np.round(rng.gamma(2.0, 50.0, bars) * (1 + 20 * np.abs(log_returns)), 4)
    timestamp = start_ms + np.arange(bars, dtype=np.int64) * TIMEFRAME_SECONDS[timeframe] * 1000
    return _rounded(timestamp, open_, high, low, close, volume)


def _rounded(timestamp, open_, high, low, close, volume) -> Candles:
    o, c = np.round(open_, 2), np.round(close, 2)
    h = np.maximum(np.round(high, 2), np.maximum(o, c))
    lo = np.minimum(np.round(low, 2), np.minimum(o, c))
    return Candles(timestamp, o, h, lo, c, volume)


def write_csv(candles: Candles, path: Path | str) -> None:
    table = np.column_stack([candles.timestamp, candles.open, candles.high, candles.low, candles.close, candles.volume])
    np.savetxt(path, table, delimiter=",", header=",".join(CSV_HEADER), comments="", fmt=["%d"] + ["%.10g"] * 5)
