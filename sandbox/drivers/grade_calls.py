"""Loads a submission and makes the calls a grader asked for; appended after the prelude and
``plain`` (see ``sandbox.grading``).

Nothing here decides a verdict: this run never receives the expected values, only the calls to
make. It answers with JSON lines on its result channel: first ``{"loaded": ...}`` (or
``{"load_error": ...}``), then one line per step ``{"id", "value" | "raised" | "unplain",
"seconds", "output"[, "args_after"]}``. The submission runs in this same process and may tamper
with all of it; the grader outside treats every byte as untrusted, and the values can only be
plain data it decodes itself.

stdin: JSON ``{"code", "scenarios", "steps"}`` (steps as recorded by ``grade_cases``).
"""

import builtins as _builtins
import json as _json
import os as _os
import sys as _sys
import time as _time
import types as _types

import __main__ as _main
from __main__ import NotPlain as _NotPlain  # plain, earlier in this program
from __main__ import decode as _decode
from __main__ import dumps as _dumps

_request = _json.loads(_sys.stdin.buffer.read())
# The result channel leaves its well-known descriptor (defence in depth only: the grader accepts
# nothing from it but well-formed lines for the steps it asked for, each exactly once).
_answer_fd = _os.dup(_main.RESULT_FD)
_os.close(_main.RESULT_FD)
_main.RESULT_FD = -1
_os.set_inheritable(_answer_fd, False)
_BUILTIN_EXCEPTIONS = {
    value: value.__name__
    for value in vars(_builtins).values()
    if isinstance(value, type) and issubclass(value, BaseException)
}
_OUTPUT_CHARS = 2000
_perf_counter, _BaseException, _type, _str = _time.perf_counter, BaseException, type, str


class _Capture:
    """Where print() goes during a step: the first characters are kept for the learner."""

    def __init__(self):
        self.parts, self.size = [], 0

    def write(self, text):
        text = str(text)
        if self.size < _OUTPUT_CHARS:
            self.parts.append(text[: _OUTPUT_CHARS - self.size])
        self.size += len(text)
        return len(text)

    def flush(self):
        pass

    def take(self):
        text = "".join(self.parts)
        if self.size > _OUTPUT_CHARS:
            text += f"\n[{self.size - _OUTPUT_CHARS} more characters not kept]"
        self.parts, self.size = [], 0
        return text


def _send(message):
    view = memoryview((_json.dumps(message, ensure_ascii=False, allow_nan=False) + "\n").encode())
    while view:
        view = view[_os.write(_answer_fd, view) :]


def _exception(exc):
    kind = next((_BUILTIN_EXCEPTIONS[c] for c in _type(exc).__mro__ if c in _BUILTIN_EXCEPTIONS), "BaseException")
    try:
        message = _str(exc)
        message = message[:1000] if _type(message) is _str else ""
    except _BaseException:
        message = ""
    return {"type": kind, "message": message, "class": _str(_type(exc).__qualname__)[:100]}


_capture = _Capture()
_real_stdout = _sys.stdout
_sys.stdout = _capture
_main.install_guard()
submission = _types.ModuleType("submission")
submission.__file__ = "submission.py"
_sys.modules["submission"] = submission
_scenarios = {"__name__": "scenarios"}
try:
    exec(compile(_request["code"], "submission.py", "exec"), submission.__dict__)
    if _request.get("scenarios"):
        exec(compile(_request["scenarios"], "scenarios.py", "exec"), _scenarios)
except _BaseException as _exc:
    _error = _exception(_exc)
    if isinstance(_exc, SyntaxError):
        _error["message"] = f"{_exc.msg} (line {_exc.lineno})"
    _send({"load_error": _error, "output": _capture.take()})
    _os._exit(0)
_send({"loaded": True, "output": _capture.take()})

_results = {}


def _target(step):
    if step["kind"] == "call":
        if step["name"] not in submission.__dict__:
            raise NameError(f"your code defines no {step['name']}")
        return submission.__dict__[step["name"]]
    if step["kind"] == "scenario":
        function = _scenarios[step["name"]]
        return lambda *args, **kwargs: function(submission, *args, **kwargs)
    owner = _results[step["target"]]
    if step["kind"] == "attr":
        return lambda: getattr(owner, step["name"])
    return getattr(owner, step["name"])


for _step in _request["steps"]:
    _reply = {"id": _step["id"]}
    _started = _perf_counter()
    _args, _kwargs = [], {}
    try:
        _args = [_decode(a, ref=_results.__getitem__) for a in _step["args"]]
        _kwargs = {k: _decode(v, ref=_results.__getitem__) for k, v in _step["kwargs"].items()}
        _value = _target(_step)(*_args, **_kwargs)
        _results[_step["id"]] = _value
        try:
            _reply["value"] = _json.loads(_dumps(_value))
        except _NotPlain as _exc:
            _reply["unplain"] = _str(_exc)
    except _BaseException as _exc:  # SystemExit and KeyboardInterrupt too: a step cannot end the run
        _results[_step["id"]] = None
        _reply["raised"] = _exception(_exc)
    _reply["seconds"] = _perf_counter() - _started
    if _step["watch"]:
        try:
            _reply["args_after"] = _json.loads(_dumps([_args, _kwargs]))
        except _NotPlain as _exc:
            _reply["args_after_unplain"] = _str(_exc)
    _reply["output"] = _capture.take()
    _send(_reply)
_sys.stdout = _real_stdout
_os._exit(0)
