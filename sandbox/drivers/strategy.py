"""Runs a student's strategy for trading.strategies.strategy_run; appended after the prelude."""

import json
import os
import sys
import traceback

import numpy as np

from __main__ import RESULT_FD, emit_result, install_guard  # the prelude, earlier in this program

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
                view = view[os.write(back_w, view) :]
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
    _columns[_name] = np.frombuffer(
        _raw, dtype=np.int64 if _name == "timestamp" else np.float64, count=_n, offset=_offset
    )
    _offset += 8 * _n
_outputs = []
for (_pid, _data_w, _back_r), _length in zip(_children, _runs, strict=True):
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
for _payload, _cut in zip(_outputs[1:], _runs[1:], strict=True):
    _changed = np.flatnonzero(np.frombuffer(_payload[:_cut], dtype=np.int8) != _full[:_cut])
    if len(_changed):
        _peeks.append({"cut": _cut, "first_bar": int(_changed[0]), "changed": int(len(_changed))})
_size = int.from_bytes(_outputs[0][_n : _n + 8], "little")
_names = json.loads(_outputs[0][_n + 8 : _n + 8 + _size])
_summary = json.dumps({"lookahead": _peeks, "indicators": _names}).encode()
emit_result(len(_summary).to_bytes(8, "little") + _summary + _outputs[0][:_n] + _outputs[0][_n + 8 + _size :])
