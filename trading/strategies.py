"""Students' strategies: Python defining `signals(candles, params)`, run only in the sandbox."""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field, replace

import numpy as np

from sandbox import Limits, driver, run_python
from trading.engine import Candles, Signals

COLUMNS = ("timestamp", "open", "high", "low", "close", "volume")
# Per run of the strategy; backtests and paper sessions run them in a worker (trading.tasks), not a request.
STRATEGY_LIMITS = Limits(cpu_seconds=20, wall_seconds=25, memory_mb=1536, output_bytes=64 * 1024)
MAX_CODE_CHARS = 50_000

STARTER_STRATEGY = '''import numpy as np


def signals(candles, params):
    """Return one target per bar: 1 = be long, 0 = be flat.

    candles: dict of NumPy arrays "timestamp" (ms), "open", "high", "low", "close", "volume".
    The engine acts on your target at the NEXT bar's open, so use only data up to each bar.
    Return either the targets, or {"target": targets, "indicators": {"name": values, ...}} to
    see those values on each trade's "why" card.
    """
    close = candles["close"]
    window = int(params.get("window", 50))
    target = np.zeros(len(close), dtype=np.int8)
    average = np.full(len(close), np.nan)
    if len(close) >= window:
        average[window - 1 :] = np.convolve(close, np.ones(window) / window, mode="valid")
        target[window - 1 :] = close[window - 1 :] > average[window - 1 :]
    return {"target": target, "indicators": {f"average_{window}": average}}
'''


class StrategyError(ValueError):
    """The strategy could not produce signals; the message says why in the student's terms."""


@dataclass
class StrategyRun:
    signals: Signals
    lookahead: list[dict] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def peeks_into_the_future(self) -> bool:
        return bool(self.lookahead)


def lookahead_cuts(n: int) -> list[int]:
    return sorted({cut for cut in (n // 3, n // 2, (2 * n) // 3, n - 1) if cut >= 2})


def strategy_run(code: str, candles: Candles, params: dict | None = None, *, limits: Limits = STRATEGY_LIMITS):
    """Run a student's strategy in the sandbox; returns its signals and the lookahead findings.

    The strategy runs once on the full history and once on each truncated copy (the lookahead
    check), each time in a sandbox run of its own: a fresh interpreter in a fresh jail with an empty
    scratch directory, holding only its own slice of the candles. The runs cannot share state,
    files or answers, and the comparison that decides the verdict happens here, outside the jail.
    """
    if not code or not code.strip():
        raise StrategyError("the strategy is empty; define signals(candles, params)")
    if len(code) > MAX_CODE_CHARS:
        raise StrategyError(f"the strategy is longer than {MAX_CODE_CHARS:,} characters")
    n = len(candles)
    columns = [np.ascontiguousarray(getattr(candles, name)) for name in COLUMNS]
    started = time.monotonic()
    full: np.ndarray | None = None
    indicators: dict[str, np.ndarray] = {}
    peeks: list[dict] = []
    for length in [n, *lookahead_cuts(n)]:
        # One wall-clock budget for the whole check (the request must end in time); CPU per run.
        left = limits.wall_seconds - (time.monotonic() - started)
        if left <= 0:
            raise StrategyError(
                f"the strategy was stopped: it ran longer than the {limits.wall_seconds:g} s time limit"
            )
        target, series = _run_once(code, columns, length, params or {}, replace(limits, wall_seconds=left), limits)
        if full is None:
            full, indicators = target, series
            continue
        changed = np.flatnonzero(target != full[:length])
        if len(changed):
            peeks.append({"cut": length, "first_bar": int(changed[0]), "changed": int(len(changed))})
    assert full is not None
    return StrategyRun(Signals(full, indicators), peeks, time.monotonic() - started)


def _run_once(code: str, columns: list[np.ndarray], n: int, params: dict, limits: Limits, overall: Limits):
    header = json.dumps({"n": n, "params": params, "source": code}).encode()
    payload = [len(header).to_bytes(8, "little"), header, *(column[:n].tobytes() for column in columns)]
    # sandbox/drivers/strategy.py reads this slice of the candles from stdin, runs the strategy once
    # and hands back its raw targets and indicator values.
    outcome = run_python(driver("strategy"), input_bytes=b"".join(payload), limits=limits, guard=False)
    if outcome.error:
        error = outcome.error
        if "time limit" in error:
            error = f"stopped: it ran longer than the {overall.wall_seconds:g} s time limit"
        raise StrategyError(f"the strategy was {error}")
    if outcome.exit_code != 0 or len(outcome.result) < n + 8:
        lines = [line for line in outcome.stderr.strip().splitlines() if line.strip()]
        raise StrategyError(_clean(lines[-1]) if lines else "the strategy stopped without a result")
    result = outcome.result
    size = int.from_bytes(result[n : n + 8], "little")
    try:
        names = json.loads(result[n + 8 : n + 8 + size])
    except ValueError:
        names = None
    body = result[n + 8 + size :]
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names) or len(names) > 8:
        raise StrategyError("the strategy's result was incomplete")
    if len(body) != 8 * n * len(names):
        raise StrategyError("the strategy's result was incomplete")
    # Only plain numbers cross back, and they are checked again here: the jail's word is not trusted.
    target = np.frombuffer(result[:n], dtype=np.int8).copy()
    if not np.isin(target, (0, 1)).all():
        raise StrategyError("signals() must return only 0 (flat) and 1 (long)")
    series = {
        name: np.frombuffer(body, dtype=np.float64, count=n, offset=8 * n * i).copy() for i, name in enumerate(names)
    }
    return target, series


def _clean(line: str) -> str:
    # Paths inside the jail mean nothing to a student.
    return re.sub(r'File "/work/program\.py", ', "", line)
