"""Runs a student's strategy once, on one slice of the candles; appended after the prelude.

trading.strategies.strategy_run starts one sandbox run of this program per history it compares
(the full history and each truncated copy for the lookahead check): each run is a fresh
interpreter in a fresh jail with its own empty scratch directory, so no state, file or answer
passes from one run to the next. The verdict (did any past target change?) is computed outside the
sandbox, by the caller, from the raw targets of the separate runs.

stdin: 8-byte little-endian header length, the JSON header {"n", "params", "source"}, then the n
candles column by column (int64 timestamps, float64 open, high, low, close, volume). Result: the
n targets as int8, an 8-byte length, the JSON list of indicator names, then each indicator as n
float64 values.
"""

import json
import os
import sys
import traceback

import numpy as np

import __main__  # the prelude, earlier in this program

_header = json.loads(sys.stdin.buffer.read(int.from_bytes(sys.stdin.buffer.read(8), "little")))
_length = int(_header["n"])
_raw = sys.stdin.buffer.read()
columns, _offset = {}, 0
for _name in ("timestamp", "open", "high", "low", "close", "volume"):
    _dtype = np.int64 if _name == "timestamp" else np.float64
    columns[_name] = np.frombuffer(_raw, dtype=_dtype, count=_length, offset=_offset).copy()
    _offset += 8 * _length
del _raw
# The prelude's result channel is moved out of its well-known place: the strategy's own code has no
# business writing to it (whatever reaches it is only this run's answer, checked by the caller).
_answer_fd = os.dup(__main__.RESULT_FD)
os.close(__main__.RESULT_FD)
__main__.RESULT_FD = -1
os.set_inheritable(_answer_fd, False)
__main__.install_guard()
_code = 0
try:
    namespace = {"__name__": "strategy"}
    try:
        exec(compile(_header["source"], "strategy.py", "exec"), namespace)
    except SyntaxError as exc:
        raise SystemExit(f"SyntaxError: {exc.msg} (strategy.py, line {exc.lineno})") from None
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
        view = view[os.write(_answer_fd, view) :]
except SystemExit as exc:
    print(exc, file=sys.stderr)
    _code = 2
except BaseException as exc:
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename == "strategy.py"]
    where = f" (strategy.py, line {frames[-1].lineno})" if frames else ""
    print(f"{type(exc).__name__}: {exc}{where}", file=sys.stderr)
    _code = 1
sys.stderr.flush()
sys.stdout.flush()
os._exit(_code)
