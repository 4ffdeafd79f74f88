"""Grade a coding task so that a submission cannot forge its result (``grade(tests, code)``).

A verdict is never decided in the submission's process. Three steps, each in its own place:

1. **Cases** (a jail of their own, without the submission): the task's tests (the author's Python,
   ``test_*(t)`` functions, see ``curriculum/content/FORMAT.md``) only *record* what to do: calls to
   make on the submission with plain arguments, and what to expect of each. Out comes plain JSON.
2. **Calls** (a jail per run, with the submission): ``drivers/grade_calls.py`` loads the submission
   and makes the recorded calls. It never sees an expected value. Each result is turned into JSON
   there by a strict encoder (exact built-in types only, ``drivers/plain.py``), sent back as one
   size-limited line per call.
3. **Verdict** (this process): the lines are parsed as JSON, checked against the calls that were
   asked for (each exactly once, in order, or the whole run counts as tampered with), decoded into
   built-in values, and compared here with the expected values. Nothing from a jail is evaluated
   or unpickled.

So a submission that patches the driver, exits early, writes to the result pipe, returns an object
with a lying ``__eq__`` or a ``str`` subclass gains nothing: the most its process can do is send
plain values, and those only pass if they are the right answers to inputs it was given. What is
*observed* inside the jail (a scenario's report, "the arguments were not changed", a call's
duration) is only as good as that process: see ``docs/grading.md``.
"""

from __future__ import annotations

import builtins
import functools
import json
import re
import time
from dataclasses import dataclass, field

from sandbox.drivers import plain
from sandbox.runner import Limits, SandboxResult, driver, run_python

GRADE_LIMITS = Limits(cpu_seconds=5, wall_seconds=15, result_bytes=8 * 1024 * 1024)
CASES_LIMITS = Limits(cpu_seconds=10, wall_seconds=20, result_bytes=16 * 1024 * 1024)
OUTPUT_CHARS = 500  # of the learner's own output, per test
STEP_KINDS = {"call", "method", "attr", "scenario"}
CHECK_KINDS = {"equal", "raises", "unchanged", "same", "differ", "faster"}
_REPLY_KEYS = {"id", "value", "raised", "unplain", "seconds", "output", "args_after", "args_after_unplain"}


_TEST_FUNCTION = re.compile(r"^def test_\w*\(\s*t\s*\)\s*:", re.MULTILINE)


def coding_tests_problem(tests: str) -> str | None:
    """What is wrong with a coding task's tests on their face (FORMAT.md), without running them:
    they must be Python defining functions ``test_*(t)``. (Only the sandbox runs them.)"""
    try:
        compile(tests, "tests.py", "exec")
    except SyntaxError as exc:
        return f"are not valid Python: {exc.msg} (line {exc.lineno})"
    except (ValueError, RecursionError, MemoryError) as exc:  # NUL bytes, absurd nesting
        return f"are not valid Python: {type(exc).__name__}"
    if not _TEST_FUNCTION.search(tests):
        return "must define functions test_*(t) that record calls with t.call(...) and checks with t.expect(...)"
    return None


class TaskSpecError(ValueError):
    """The task's tests could not be turned into cases (the author's problem, not the learner's)."""


@dataclass
class TestResult:
    name: str
    status: str  # pass | fail | error
    message: str = ""
    output: str = ""


@dataclass
class GradeResult:
    """Close to Exercism's test-runner results, version 2 (``as_json()`` is what gets stored)."""

    status: str  # pass | fail | error
    message: str = ""
    tests: list[TestResult] = field(default_factory=list)
    duration: float = 0.0

    @property
    def passed(self) -> bool:
        return self.status == "pass"

    def as_json(self) -> dict:
        return {
            "version": 2,
            "status": self.status,
            "message": self.message or None,
            "tests": [{"name": t.name, "status": t.status, "message": t.message or None, "output": t.output or None}
                      for t in self.tests],
            "duration": round(self.duration, 3),
        }  # fmt: skip


# --- 1. cases -------------------------------------------------------------------------------------


def task_cases(tests: str) -> dict:
    """The recorded cases of `tests` (run in a jail of their own; cached per text)."""
    return _task_cases(tests)


@functools.lru_cache(maxsize=128)
def _task_cases(tests: str) -> dict:
    program = driver("plain") + "\n" + driver("grade_cases")
    outcome = run_python(program, input_bytes=tests.encode(), limits=CASES_LIMITS, guard=False)
    if outcome.error:
        raise TaskSpecError(f"the tests could not be read: {outcome.error}")
    try:
        spec = plain.loads_json(outcome.result.decode("utf-8"))
    except (ValueError, RecursionError):
        last = outcome.stderr.strip().splitlines()[-1:] or ["no answer"]
        raise TaskSpecError(f"the tests could not be read: {last[0]}") from None
    if type(spec) is dict and type(spec.get("error")) is str:
        raise TaskSpecError(f"the tests are broken: {spec['error']}")
    _check_spec(spec)
    return spec


def _check_spec(spec) -> None:
    """The recorded cases are JSON from a jail: check their shape before trusting any of it."""
    if type(spec) is not dict or type(spec.get("scenarios")) is not str:
        raise TaskSpecError("the recorded cases are malformed")
    steps, tests = spec.get("steps"), spec.get("tests")
    if type(steps) is not list or type(tests) is not list or not tests:
        raise TaskSpecError("the tests define no test_* functions")
    for index, step in enumerate(steps):
        ok = (
            type(step) is dict and step.get("id") == index and type(step.get("run")) is str
            and step.get("kind") in STEP_KINDS and type(step.get("name")) is str and step["name"].isidentifier()
            and (step.get("target") is None or (type(step["target"]) is int and 0 <= step["target"] < index))
            and type(step.get("args")) is list and type(step.get("kwargs")) is dict and type(step.get("watch")) is bool
        )  # fmt: skip
        if not ok:
            raise TaskSpecError(f"recorded step {index} is malformed")
    for test in tests:
        if type(test) is not dict or type(test.get("name")) is not str or type(test.get("checks")) is not list:
            raise TaskSpecError("a recorded test is malformed")
        for check in test["checks"]:
            refs = check.get("steps") if type(check) is dict else None
            if check.get("kind") not in CHECK_KINDS or type(refs) is not list or not refs:
                raise TaskSpecError(f"{test['name']}: a check is malformed")
            if not all(type(r) is int and 0 <= r < len(steps) for r in refs):
                raise TaskSpecError(f"{test['name']}: a check names an unknown step")
            if not _check_fields_ok(check):
                raise TaskSpecError(f"{test['name']}: a {check['kind']} check is malformed")
    for step in steps:
        if step["target"] is not None and steps[step["target"]]["run"] != step["run"]:
            raise TaskSpecError(f"recorded step {step['id']} uses a result of another run")


_CHECK_FIELDS = {
    "equal": {"expected"},
    "raises": {"exception", "contains"},
    "same": {"prefix"},
    "faster": {"seconds"},
}


def _check_fields_ok(check: dict) -> bool:
    """A check's own fields have the types the verdict relies on (expected values decode)."""
    if not set(check) <= {"kind", "steps", "message"} | _CHECK_FIELDS.get(check["kind"], set()):
        return False
    if type(check.get("message", "")) is not str or len(check["steps"]) != (
        2 if check["kind"] in ("same", "differ") else 1
    ):
        return False
    try:
        if check["kind"] == "equal":
            plain.decode(check["expected"], matchers=True)
    except (KeyError, ValueError):
        return False
    kind = check["kind"]
    if kind == "raises":
        contains = check.get("contains")
        return type(check.get("exception")) is str and type(contains) is list and all(type(c) is str for c in contains)
    if kind == "same":
        return check.get("prefix") is None or type(check["prefix"]) is int
    if kind == "faster":
        return type(check.get("seconds")) is float
    return True


# --- 2. calls -------------------------------------------------------------------------------------


@dataclass
class _Run:
    replies: dict[int, dict]
    problem: str | None  # why some (or all) of its steps have no answer
    load_output: str = ""
    load_failed: bool = False


def _call_in_jail(code: str, scenarios: str, steps: list[dict], limits: Limits) -> _Run:
    request = json.dumps({"code": code, "scenarios": scenarios, "steps": steps}).encode()
    program = driver("plain") + "\n" + driver("grade_calls")
    outcome = run_python(program, input_bytes=request, limits=limits, guard=False)
    return _read_replies(outcome, steps, limits)


def _limit_hit(error: dict, limits: Limits) -> str | None:
    """The runner's words for a limit the program met as an exception (and caught, as the driver does)."""
    if error["type"] == "MemoryError":
        return f"stopped: it tried to use more than {limits.memory_mb} MiB of memory"
    if error["type"] == "OSError" and error["message"].startswith("[Errno 27]"):  # EFBIG: RLIMIT_FSIZE
        return f"stopped: it printed more than {limits.output_bytes // 1024} KiB of output"
    return None


def _read_replies(outcome: SandboxResult, steps: list[dict], limits: Limits) -> _Run:
    lines = outcome.result.split(b"\n")
    lines.pop()  # after the last newline: empty, or a line cut short when the run was stopped
    replies: dict[int, dict] = {}
    try:
        if not lines:
            raise _Unanswered()
        first = _json_line(lines[0])
        if set(first) == {"load_error", "output"} and _is_exception(first["load_error"]):
            error = _trim({"raised": first["load_error"]})["raised"]
            text = f"{error['type']}: {error['message']}" if error["message"] else error["type"]
            stopped = outcome.error or _limit_hit(error, limits) or f"your code could not be loaded: {text}"
            return _Run({}, stopped, _text(first["output"]), load_failed=True)
        if set(first) != {"loaded", "output"} or first["loaded"] is not True or type(first["output"]) is not str:
            raise _Tampered("the first line is not the loading report")
        if len(lines) - 1 > len(steps):
            raise _Tampered("more answers than calls")
        for number, (line, step) in enumerate(zip(lines[1:], steps, strict=False), start=2):
            reply = _json_line(line)
            if reply.get("id") != step["id"] or not set(reply) <= _REPLY_KEYS or not _well_formed(reply):
                raise _Tampered(f"line {number} does not answer call {step['id']}")
            if "value" in reply:
                reply["value"] = plain.decode(reply["value"])
            _trim(reply)
            replies[step["id"]] = reply
    except _Unanswered:
        pass
    except (_Tampered, ValueError) as exc:
        return _Run({}, f"the program's answers were not in the expected form ({exc}); none of them was used")
    problem: str | None = outcome.error
    if problem is None and len(replies) < len(steps):
        last = outcome.stderr.strip().splitlines()[-1:]
        why = f": {last[0]}" if last else ""
        problem = f"the program ended before its tests finished (exit code {outcome.exit_code}){why}"
    return _Run(replies, problem, _text(first.get("output", "")) if lines else "")


class _Tampered(Exception):
    pass


class _Unanswered(Exception):
    pass


def _json_line(line: bytes) -> dict:
    try:
        value = plain.loads_json(line.decode("utf-8"))
    except RecursionError:  # nested deeper than the parser goes: no honest encoder writes that
        raise _Tampered("a line is nested too deeply") from None
    if type(value) is not dict:
        raise _Tampered("a line is not an object")
    return value


def _is_exception(value) -> bool:
    if type(value) is not dict or set(value) != {"type", "message", "class"}:
        return False
    kind = getattr(builtins, value["type"], None) if type(value["type"]) is str else None
    return isinstance(kind, type) and issubclass(kind, BaseException) and all(type(v) is str for v in value.values())


def _well_formed(reply: dict) -> bool:
    outcomes = [key for key in ("value", "raised", "unplain") if key in reply]
    seconds = reply.get("seconds")
    timed = isinstance(seconds, int | float) and type(seconds) is not bool and seconds >= 0
    return (
        len(outcomes) == 1 and type(reply.get("output")) is str and timed
        and ("raised" not in reply or _is_exception(reply["raised"]))
        and ("unplain" not in reply or type(reply["unplain"]) is str)
        and ("args_after_unplain" not in reply or type(reply["args_after_unplain"]) is str)
    )  # fmt: skip


def _text(value) -> str:
    return value[: 4 * OUTPUT_CHARS] if type(value) is str else ""


def _trim(reply: dict) -> dict:
    """Texts from the jail are the learner's: keep them short (a forged line may be megabytes)."""
    if "raised" in reply:
        raised = reply["raised"]
        reply["raised"] = {"type": raised["type"], "message": raised["message"][:1000], "class": raised["class"][:100]}
    for key, limit in (("unplain", 500), ("args_after_unplain", 500), ("output", 4 * OUTPUT_CHARS)):
        if type(reply.get(key)) is str:
            reply[key] = reply[key][:limit]
    return reply


# --- 3. verdict -----------------------------------------------------------------------------------


def grade(tests: str, code: str, *, limits: Limits = GRADE_LIMITS) -> GradeResult:
    """Grade `code` (the learner's submission) against `tests` (a task's tests, FORMAT.md).

    TaskSpecError when the tests themselves are broken."""
    started = time.monotonic()
    spec = task_cases(tests)
    steps = spec["steps"]
    order: list[str] = []
    for step in steps:
        if step["run"] not in order:
            order.append(step["run"])
    runs = {name: _call_in_jail(code, spec["scenarios"], [s for s in steps if s["run"] == name], limits)
            for name in order or ["main"]}  # fmt: skip
    results = [_judge(test, steps, runs) for test in spec["tests"]]
    first = runs[order[0]] if order else runs["main"]
    if first.load_output and results:
        results[0].output = _cap(first.load_output + results[0].output)
    problems = [run.problem for run in runs.values() if run.problem]
    if problems:
        status, message = "error", problems[0]
    else:
        status = "pass" if all(r.status == "pass" for r in results) else "fail"
        message = ""
    return GradeResult(status, message, results, time.monotonic() - started)


def _judge(test: dict, steps: list[dict], runs: dict[str, _Run]) -> TestResult:
    result = TestResult(test["name"], "pass")
    output = ""
    for step_id in test.get("steps") or []:
        if type(step_id) is int and 0 <= step_id < len(steps):
            reply = runs[steps[step_id]["run"]].replies.get(step_id)
            output += reply["output"] if reply else ""
    result.output = _cap(output)
    for check in test["checks"]:
        answers = []
        for step_id in check["steps"]:
            run = runs[steps[step_id]["run"]]
            if step_id not in run.replies:
                result.status = "error"
                result.message = f"{_describe(steps, step_id)} did not answer: {run.problem or 'no answer'}"
                return result
            answers.append(run.replies[step_id])
        status, reason = _evaluate(check, [steps[i] for i in check["steps"]], answers, steps)
        if status != "pass":
            result.status = status
            note = check.get("message") or ""
            result.message = f"{note}: {reason}" if note else reason
            return result
    return result


def _evaluate(check: dict, asked: list[dict], answers: list[dict], steps: list[dict]) -> tuple[str, str]:
    kind, reply, what = check["kind"], answers[0], _describe(steps, asked[0]["id"])
    if kind == "raises":
        return _expect_raise(check, reply, what)
    if kind == "faster":
        seconds = reply["seconds"]
        if seconds < check["seconds"]:
            return "pass", ""
        return "fail", f"{what} took {seconds:.2f} s; it must take less than {check['seconds']:g} s"
    if kind == "unchanged":
        if "args_after" not in reply:
            return "fail", f"{what}: its arguments could not be read back ({reply.get('args_after_unplain', '')})"
        before = plain.decode([asked[0]["args"], asked[0]["kwargs"]], ref=lambda n: None)
        after = plain.decode(reply["args_after"], ref=lambda n: None)
        if plain.mismatch(plain.Exact(before), after):
            return "fail", f"{what} changed its arguments; it must leave them as they were"
        return "pass", ""
    expected = plain.decode(check["expected"], matchers=True) if kind == "equal" else None
    if type(expected) is plain.Anything and "raised" not in reply:
        return "pass", ""
    for one, answer in zip(asked, answers, strict=True):
        problem = _no_value(answer, _describe(steps, one["id"]))
        if problem:
            return problem
    if kind == "equal":
        reason = plain.mismatch(expected, reply["value"])
        return ("fail", f"{what}: {reason}") if reason else ("pass", "")
    other = answers[1]["value"]
    if kind == "same":
        prefix = check.get("prefix")
        if type(prefix) is int:
            other = other[:prefix] if type(other) in (list, tuple, str, bytes) else other
        reason = plain.mismatch(other, reply["value"])
        return ("fail", f"{what} and {_describe(steps, asked[1]['id'])} differ: {reason}") if reason else ("pass", "")
    if plain.mismatch(other, reply["value"]) is None:  # differ
        return "fail", f"{what} and {_describe(steps, asked[1]['id'])} both returned {plain._short(other)}"
    return "pass", ""


def _no_value(reply: dict, what: str) -> tuple[str, str] | None:
    if "raised" in reply:
        raised = reply["raised"]
        text = f"{raised['type']}: {raised['message']}" if raised["message"] else raised["type"]
        return "error", f"{what} raised {text}"
    if "unplain" in reply:
        return "fail", f"{what} returned something that is not plain data: {reply['unplain']}"
    return None


def _expect_raise(check: dict, reply: dict, what: str) -> tuple[str, str]:
    wanted = getattr(builtins, check.get("exception", ""), None)
    if not (isinstance(wanted, type) and issubclass(wanted, BaseException)):
        return "error", f"the test expects an unknown exception {check.get('exception')!r}"
    if "raised" not in reply:
        got = f"returned {plain._short(reply['value'])}" if "value" in reply else "returned something"
        return "fail", f"{what} {got}; it must raise {wanted.__name__}"
    raised = reply["raised"]
    if not issubclass(getattr(builtins, raised["type"]), wanted):
        return "fail", f"{what} raised {raised['type']}: {raised['message']}; it must raise {wanted.__name__}"
    missing = [part for part in check.get("contains") or [] if part not in raised["message"]]
    if missing:
        return (
            "fail",
            f"{what} raised {wanted.__name__} with the message {raised['message']!r}; it must mention {missing}",
        )
    return "pass", ""


def _describe(steps: list[dict], step_id: int) -> str:
    step = steps[step_id]

    def show(value) -> str:
        try:
            return plain._short(plain.decode(value, ref=lambda n: _Named(f"<result of {steps[n]['name']}>")), 60)
        except ValueError:
            return "?"

    args = [show(a) for a in step["args"]] + [f"{k}={show(v)}" for k, v in step["kwargs"].items()]
    call = f"{step['name']}({', '.join(args)})"
    if step["kind"] == "attr":
        return f"{steps[step['target']]['name']}(...).{step['name']}"
    if step["kind"] == "method":
        return f"{steps[step['target']]['name']}(...).{call}"
    return call


class _Named:
    def __init__(self, text: str):
        self.text = text

    def __repr__(self) -> str:
        return self.text


def _cap(text: str) -> str:
    if len(text) <= OUTPUT_CHARS:
        return text
    return text[:OUTPUT_CHARS] + f"\n[output truncated to {OUTPUT_CHARS} characters]"
