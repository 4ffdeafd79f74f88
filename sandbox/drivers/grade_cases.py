"""Reads a task's tests and writes down their cases as plain data; appended after the prelude and
``plain`` (see ``sandbox.grading``).

The tests are the task author's Python (``curriculum/content/FORMAT.md``): functions ``test_*(t)``
that describe calls to make on a submission and what to expect of them. This run never sees a
submission: it only records. Its own jail keeps an author's mistake (or a teacher's mischief) off
the server too. stdin: the tests' source. Result: one JSON object ``{"scenarios", "tests"}`` or
``{"error"}``.
"""

import json as _json
import sys as _sys

import __main__ as _main
from __main__ import Anything, Approx, Contains, Exact, Not, StartsWith, emit_result  # prelude and plain
from __main__ import encode as plain_encode

_source = _sys.stdin.buffer.read().decode("utf-8")
_main.install_guard()


class Ref:
    """The result of one recorded step; pass it on as an argument, or call methods on it."""

    def __init__(self, recorder, step_id):
        self._recorder, self.id = recorder, step_id

    def call(self, method, *args, **kwargs):
        return self._recorder._step("method", method, args, kwargs, target=self)

    def attr(self, name):
        return self._recorder._step("attr", name, (), {}, target=self)


class T:
    """What a test function gets: records steps (calls) and checks (expectations)."""

    def __init__(self, book, run="main"):
        self._book, self._run = book, run

    def _step(self, kind, name, args, kwargs, target=None):
        if type(name) is not str or not name.isidentifier():
            raise ValueError(f"{name!r} is not a name")
        if target is not None and self._book["steps"][target.id]["run"] != self._run:
            raise ValueError("a step can only use results of its own run")
        step = {
            "id": len(self._book["steps"]), "run": self._run, "kind": kind, "name": name,
            "target": None if target is None else target.id,
            "args": [_encode_arg(a, self._run, self._book) for a in args],
            "kwargs": {k: _encode_arg(v, self._run, self._book) for k, v in kwargs.items()},
            "watch": False,
        }  # fmt: skip
        self._book["steps"].append(step)
        self._book["current"].setdefault("steps", []).append(step["id"])
        return Ref(self, step["id"])

    # steps
    def call(self, name, *args, **kwargs):
        """Call the submission's top-level `name` (a function or a class) with plain arguments."""
        return self._step("call", name, args, kwargs)

    def scenario(self, name, *args, **kwargs):
        """Run SCENARIOS' function `name(submission, *args)` in the jail; its return value is data."""
        return self._step("scenario", name, args, kwargs)

    def isolated(self):
        """The same test, but the steps made through the returned T run in a fresh jail of their own."""
        self._book["runs"] += 1
        return T(self._book, f"run{self._book['runs']}")

    # checks
    def _check(self, kind, refs, **fields):
        for ref in refs:
            if not isinstance(ref, Ref):
                raise TypeError(f"{kind} needs the result of t.call(...), not {type(ref).__name__}")
        self._book["current"].setdefault("checks", []).append({"kind": kind, "steps": [r.id for r in refs], **fields})

    def expect(self, ref, expected, message=""):
        """The step returned `expected` (plain data, matchers allowed)."""
        self._check("equal", [ref], expected=plain_encode(expected, allow_matchers=True), message=str(message))

    def returns(self, ref, message=""):
        """The step returned (anything, even an object that is not plain data) instead of raising."""
        self._check("equal", [ref], expected=plain_encode(Anything(), allow_matchers=True), message=str(message))

    def raises(self, ref, exception, *, contains=(), message=""):
        """The step raised the built-in exception `exception` (a name, e.g. "ValueError") or a subclass."""
        parts = [str(p) for p in ([contains] if isinstance(contains, str) else contains)]
        self._check("raises", [ref], exception=str(exception), contains=parts, message=str(message))

    def unchanged(self, ref, message=""):
        """The step left its arguments as they were (observed inside the jail)."""
        self._book["steps"][ref.id]["watch"] = True
        self._check("unchanged", [ref], message=str(message))

    def same(self, ref, other, *, prefix=None, message=""):
        """Both steps returned equal values (with `prefix`: ref equals other[:prefix])."""
        self._check("same", [ref, other], prefix=prefix, message=str(message))

    def differ(self, ref, other, message=""):
        self._check("differ", [ref, other], message=str(message))

    def faster(self, ref, seconds, message=""):
        """The step took less than `seconds` (measured inside the jail)."""
        self._check("faster", [ref], seconds=float(seconds), message=str(message))

    # matchers
    approx = staticmethod(lambda value, rel=1e-9, abs=0.0: Approx(value, rel, abs))  # noqa: A002
    startswith = staticmethod(lambda prefix: StartsWith(prefix))
    contains = staticmethod(lambda *texts: Contains(*texts))
    not_ = staticmethod(lambda value: Not(value))
    anything = staticmethod(lambda: Anything())
    exact = staticmethod(lambda value: Exact(value))


def _encode_arg(value, run, book):
    def hook(x):
        if isinstance(x, Ref):
            if book["steps"][x.id]["run"] != run:
                raise ValueError("a step can only use results of its own run")
            return {"$ref": x.id}
        return None

    return plain_encode(value, hook=hook)


try:
    _namespace = {"__name__": "tests"}
    exec(compile(_source, "tests.py", "exec"), _namespace)
    _book = {"steps": [], "runs": 0, "current": {}}
    _tests = []
    for _name, _function in list(_namespace.items()):
        if _name.startswith("test_") and callable(_function):
            _book["current"] = {"name": _name, "steps": [], "checks": []}
            _function(T(_book))
            if not _book["current"]["checks"]:
                raise ValueError(f"{_name} checks nothing")
            _tests.append(_book["current"])
    _scenarios = _namespace.get("SCENARIOS", "")
    if type(_scenarios) is not str:
        raise TypeError("SCENARIOS must be the source text of the scenario functions")
    _answer = {"scenarios": _scenarios, "steps": _book["steps"], "tests": _tests}
except BaseException as _exc:  # the author's mistake, in words
    _answer = {"error": f"{type(_exc).__name__}: {_exc}"}
emit_result(_json.dumps(_answer, allow_nan=False).encode())
