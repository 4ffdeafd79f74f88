"""Students' strategies: Python defining `signals(candles, params)`, run only in the sandbox."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field

import numpy as np

from curriculum_site.sandbox import Limits, run_python
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

# Runs inside the sandbox: reads the candles from stdin, runs the strategy on the full history and
# on truncated copies (the lookahead check), and hands back the targets and what it found.
_DRIVER = r"""
import json, os, sys, traceback
import numpy as np

# Trusted part (no student code has run yet). Every run of the strategy — the full history and each
# truncated copy for the lookahead check — happens in its own child process, forked BEFORE the
# candles are read: a child only ever holds its own slice, cannot reach the result channel, and
# keeps no state between runs, so it can neither peek at bars it was not given nor fake the check.
_header = json.loads(sys.stdin.buffer.read(int.from_bytes(sys.stdin.buffer.read(8), "little")))
_n, _runs = _header["n"], [_header["n"], *_header["cuts"]]
_children = []
for _length in _runs:
    data_r, data_w = os.pipe()
    back_r, back_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(0)
        os.close(RESULT_FD)
        os.close(data_w)
        os.close(back_r)
        for other_w, other_r in [(w, r) for _, w, r in _children]:
            os.close(other_w)
            os.close(other_r)
        with os.fdopen(data_r, "rb") as pipe:
            raw = pipe.read()
        if len(raw) < 48 * _length:  # the parent gave up (an earlier run failed): leave quietly
            os._exit(3)
        columns, offset = {}, 0
        for name in ("timestamp", "open", "high", "low", "close", "volume"):
            dtype = np.int64 if name == "timestamp" else np.float64
            columns[name] = np.frombuffer(raw, dtype=dtype, count=_length, offset=offset).copy()
            offset += 8 * _length
        del raw
        install_guard()
        code = 0
        try:
            namespace = {"__name__": "strategy"}
            try:
                exec(compile(_header["source"], "strategy.py", "exec"), namespace)
            except SyntaxError as exc:
                raise SystemExit(f"SyntaxError: {exc.msg} (strategy.py, line {exc.lineno})")
            if not callable(namespace.get("signals")):
                raise SystemExit("StrategyError: strategy.py must define a function signals(candles, params)")
            answer = namespace["signals"](columns, dict(_header["params"]))
            indicators = {}
            if isinstance(answer, dict):
                if "target" not in answer:
                    raise ValueError('signals() returned a dict without "target"')
                indicators = answer.get("indicators") or {}
                if not isinstance(indicators, dict) or len(indicators) > 8:
                    raise ValueError('"indicators" must be a dict of at most 8 named series')
                answer = answer["target"]
            out = np.asarray(answer)
            if out.shape != (_length,):
                raise ValueError(
                    f"signals() returned shape {out.shape}; it must return one target for each of the {_length} bars"
                )
            if not np.isin(out, (0, 1)).all():
                raise ValueError("signals() must return only 0 (flat) and 1 (long)")
            series = {}
            for name, values in indicators.items():
                values = np.asarray(values, dtype=np.float64)
                if not isinstance(name, str) or len(name) > 40 or values.shape != (_length,):
                    raise ValueError(f"indicator {name!r} must have a short name and one value per bar")
                series[name] = values
            names = json.dumps(list(series)).encode()
            payload = out.astype(np.int8).tobytes() + len(names).to_bytes(8, "little") + names
            payload += b"".join(v.tobytes() for v in series.values())
            view = memoryview(payload)
            while view:
                view = view[os.write(back_w, view):]
        except SystemExit as exc:
            print(exc, file=sys.stderr)
            code = 2
        except BaseException as exc:
            frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == "strategy.py"]
            where = f" (strategy.py, line {frames[-1].lineno})" if frames else ""
            print(f"{type(exc).__name__}: {exc}{where}", file=sys.stderr)
            code = 1
        sys.stderr.flush()
        os._exit(code)
    os.close(data_r)
    os.close(back_w)
    _children.append((pid, data_w, back_r))

_columns, _offset = {}, 0
_raw = sys.stdin.buffer.read()
for _name in ("timestamp", "open", "high", "low", "close", "volume"):
    _columns[_name] = np.frombuffer(_raw, dtype=np.int64 if _name == "timestamp" else np.float64,
                                    count=_n, offset=_offset)
    _offset += 8 * _n
_outputs = []
for (_pid, _data_w, _back_r), _length in zip(_children, _runs):
    with os.fdopen(_data_w, "wb") as _pipe:
        for _name in ("timestamp", "open", "high", "low", "close", "volume"):
            _pipe.write(_columns[_name][:_length].tobytes())
    with os.fdopen(_back_r, "rb") as _pipe:
        _payload = _pipe.read()
    _, _status = os.waitpid(_pid, 0)
    if os.waitstatus_to_exitcode(_status) != 0 or len(_payload) < _length + 8:
        raise SystemExit(os.waitstatus_to_exitcode(_status) or 1)
    _outputs.append(_payload)

_full = np.frombuffer(_outputs[0][:_n], dtype=np.int8)
_peeks = []
for _payload, _cut in zip(_outputs[1:], _runs[1:]):
    _changed = np.flatnonzero(np.frombuffer(_payload[:_cut], dtype=np.int8) != _full[:_cut])
    if len(_changed):
        _peeks.append({"cut": _cut, "first_bar": int(_changed[0]), "changed": int(len(_changed))})
_size = int.from_bytes(_outputs[0][_n : _n + 8], "little")
_names = json.loads(_outputs[0][_n + 8 : _n + 8 + _size])
_summary = json.dumps({"lookahead": _peeks, "indicators": _names}).encode()
emit_result(len(_summary).to_bytes(8, "little") + _summary + _outputs[0][:_n] + _outputs[0][_n + 8 + _size :])
"""


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
    outcome = run_python(_DRIVER, input_bytes=b"".join(payload), limits=limits, guard=False)
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
