"""Students' strategies: Python defining `signals(candles, params)`, run only in the sandbox."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import numpy as np

from sandbox import Limits, driver, run_python
from trading.engine import Candles, Signals

COLUMNS = ("timestamp", "open", "high", "low", "close", "volume")
# Kept under the web server's request timeout (docs/deployment.md runs gunicorn with --timeout 60).
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
    """Run a student's strategy in the sandbox; returns its signals and the lookahead findings."""
    if not code or not code.strip():
        raise StrategyError("the strategy is empty; define signals(candles, params)")
    if len(code) > MAX_CODE_CHARS:
        raise StrategyError(f"the strategy is longer than {MAX_CODE_CHARS:,} characters")
    n = len(candles)
    header = json.dumps({"n": n, "params": params or {}, "cuts": lookahead_cuts(n), "source": code}).encode()
    payload = [len(header).to_bytes(8, "little"), header]
    payload += [np.ascontiguousarray(getattr(candles, name)).tobytes() for name in COLUMNS]
    # sandbox/drivers/strategy.py reads the candles from stdin, runs the strategy on the full history
    # and on truncated copies (the lookahead check), and hands back the targets and what it found.
    outcome = run_python(driver("strategy"), input_bytes=b"".join(payload), limits=limits, guard=False)
    if outcome.error:
        raise StrategyError(f"the strategy was {outcome.error}")
    if outcome.exit_code != 0 or len(outcome.result) < 8:
        lines = [line for line in outcome.stderr.strip().splitlines() if line.strip()]
        raise StrategyError(_clean(lines[-1]) if lines else "the strategy stopped without a result")
    size = int.from_bytes(outcome.result[:8], "little")
    summary = json.loads(outcome.result[8 : 8 + size])
    body = outcome.result[8 + size :]
    names = summary.get("indicators", [])
    if len(body) != n + 8 * n * len(names):
        raise StrategyError("the strategy's result was incomplete")
    target = np.frombuffer(body[:n], dtype=np.int8).copy()
    indicators = {
        name: np.frombuffer(body, dtype=np.float64, count=n, offset=n + 8 * n * i).copy()
        for i, name in enumerate(names)
    }
    return StrategyRun(Signals(target, indicators), summary["lookahead"], outcome.seconds)


def _clean(line: str) -> str:
    # Paths inside the jail mean nothing to a student.
    return re.sub(r'File "/work/program\.py", ', "", line)
