"""Results that cannot be forged: the verdict is decided here, never in the submission's process.

Every forgery a submission can try from inside its jail ends as a failing or erroring result with
a message; hostile programs end as an error with theirs, and this process carries on.
"""

import json
import resource
from pathlib import Path

import pytest
import yaml

from sandbox import Limits, grade
from sandbox.drivers import plain
from sandbox.grading import GradeResult, TaskSpecError

FAST = Limits(cpu_seconds=2, wall_seconds=6, memory_mb=512, result_bytes=8 * 1024 * 1024)

TESTS = """
def test_add(t):
    t.expect(t.call("add", 2, 3), 5)

def test_add_negative(t):
    t.expect(t.call("add", 10, -4), 6)

def test_add_needs_numbers(t):
    t.raises(t.call("add", 1, None), "TypeError")
"""
RIGHT = "def add(a, b):\n    return a + b\n"
WRONG = "def add(a, b):\n    return 0\n"

TEXT_TESTS = """
def test_name(t):
    t.expect(t.call("name"), "satoshi")
"""


def graded(code: str, tests: str = TESTS) -> GradeResult:
    return grade(tests, code, limits=FAST)


def test_the_right_answer_passes_and_a_wrong_one_fails_with_its_message():
    result = graded(RIGHT)
    assert result.status == "pass" and [t.status for t in result.tests] == ["pass"] * 3
    result = graded(WRONG)
    assert result.status == "fail"
    assert result.tests[0].message == "add(2, 3): expected 5, got 0"
    assert result.tests[2].status == "fail" and "it must raise TypeError" in result.tests[2].message


def test_the_results_are_exercism_v2_shaped_json_with_capped_output():
    result = graded("def add(a, b):\n    print('x' * 2000)\n    return a + b\n")
    data = json.loads(json.dumps(result.as_json()))
    assert data["version"] == 2 and data["status"] == "pass" and data["duration"] > 0
    assert set(data["tests"][0]) == {"name", "status", "message", "output"}
    assert data["tests"][0]["output"].startswith("x" * 500)
    assert data["tests"][0]["output"].endswith("[output truncated to 500 characters]")


# --- forgeries: each is graded as failing or error, with its message -------------------------------

FAKE_OLD_RESULTS = json.dumps([{"name": n, "passed": True, "message": ""} for n in ("test_add", "test_add_negative")])

FORGERIES = {
    "patching the driver's globals": (
        WRONG + "import __main__\n"
        "__main__.mismatch = lambda *a, **k: None\n"
        "__main__._dumps = lambda value: 'true'\n"
        "__main__._exception = lambda exc: {'type': 'TypeError', 'message': '', 'class': 'TypeError'}\n",
        "fail",
        "expected 5, got True",
    ),
    "os._exit(0) after printing fake results": (
        f"print({FAKE_OLD_RESULTS!r})\nimport os\nos._exit(0)\n",
        "error",
        "the program ended before its tests finished (exit code 0)",
    ),
    "writing fake results to the result descriptors": (
        WRONG + "import os\n"
        f"for fd in range(3, 40):\n    try:\n        os.write(fd, {FAKE_OLD_RESULTS!r}.encode() + b'\\n')\n"
        "    except OSError:\n        pass\n",
        "error",
        "the program's answers were not in the expected form",
    ),
    "forging the reply lines, then exiting": (
        "import os, sys\n"
        "for fd in range(3, 40):\n    try:\n"
        '        os.write(fd, b\'{"loaded": true, "output": ""}\\n{"id": 0, "passed": true}\\n\')\n'
        "    except OSError:\n        pass\nos._exit(0)\n",
        "error",
        "not in the expected form",
    ),
    "a reply nested too deeply to parse, with a megabyte message": (
        "import os\n"
        'line = b\'{"loaded": true, "output": ""}\\n{"id": 0, "value": \' + b\'[\' * 200000 + b\'\\n\'\n'
        "for fd in range(3, 40):\n    try:\n        os.write(fd, line)\n    except OSError:\n        pass\n"
        "os._exit(0)\n",
        "error",
        "nested too deeply",
    ),
    "__eq__ that is always True": (
        "class Yes:\n    def __eq__(self, other):\n        return True\n    __hash__ = object.__hash__\n"
        "def add(a, b):\n    return Yes()\n",
        "fail",
        "is not plain data",
    ),
    "an int subclass": (
        "class Five(int):\n    def __eq__(self, other):\n        return True\n    __hash__ = int.__hash__\n"
        "def add(a, b):\n    return Five(0)\n",
        "fail",
        "Five is not plain data",
    ),
    "monkeypatching builtins and assert names": (
        "import builtins\n"
        "class Yes:\n    def __eq__(self, other):\n        return True\n"
        "builtins.AssertionError = type('NeverRaised', (Exception,), {})\n"
        "builtins.isinstance = lambda *a: True\n"
        "builtins.type = lambda *a: int\n"
        "builtins.__import__ = None\n"
        "def add(a, b):\n    return Yes()\n",
        "error",  # the driver itself breaks: nothing it could still say would count
        "the program ended before its tests finished",
    ),
    "raising SystemExit inside a test": (
        "def add(a, b):\n    raise SystemExit(0)\n",
        "fail",
        "add(2, 3) raised SystemExit",
    ),
    "raising SystemExit while loading": (
        "raise SystemExit(0)\n",
        "error",
        "your code could not be loaded: SystemExit",
    ),
    "a huge return value": (
        "def add(a, b):\n    return 'x' * 50_000_000\n",
        "fail",
        "larger than 1024 KiB",
    ),
    "a huge flood on the result channel": (
        "import os\nblock = b'x' * (1 << 20)\n"
        "for fd in range(3, 40):\n    try:\n        for _ in range(12):\n            os.write(fd, block)\n"
        "    except OSError:\n        pass\n" + WRONG,
        "error",
        "the result was larger than 8 MiB",
    ),
}


@pytest.mark.parametrize("name", FORGERIES)
def test_a_forgery_cannot_pass(name):
    code, status, message = FORGERIES[name]
    result = graded(code)
    assert result.status == status, result.as_json()
    found = result.message + " | " + " | ".join(t.message for t in result.tests)
    assert message in found, result.as_json()
    assert not any(t.status == "pass" for t in result.tests[:2]), result.as_json()


def test_a_str_subclass_with_a_lying_eq_is_refused():
    code = (
        "class Name(str):\n    def __eq__(self, other):\n        return True\n    __hash__ = str.__hash__\n"
        "def name():\n    return Name('nobody')\n"
    )
    result = graded(code, TEXT_TESTS)
    assert result.status == "fail"
    assert "Name is not plain data" in result.tests[0].message
    assert graded("def name():\n    return 'satoshi'\n", TEXT_TESTS).status == "pass"


def test_a_forged_reply_cannot_carry_matchers_or_objects():
    # What the trusted side accepts from a jail: plain JSON only, matchers refused.
    with pytest.raises(ValueError):
        plain.decode({"$any": []})
    with pytest.raises(ValueError):
        plain.decode({"$approx": [5, 1.0, 1.0]})
    assert plain.decode({"$dict": [["$any", 1]]}) == {"$any": 1}
    assert type(plain.decode(plain.encode((1, b"\x00", {1.5}, float("nan"))))[3]) is float


def test_the_strict_encoder_refuses_subclasses_and_accepts_exact_builtins():
    class Text(str):
        pass

    for value in (Text("x"), type("Number", (int,), {})(1), bytearray(b"x"), object()):
        with pytest.raises(plain.NotPlain):
            plain.encode(value)
    with pytest.raises(plain.NotPlain):
        plain.encode({1: "int key"})
    value = {"a": [1, 2.5, None, True, "s", b"\x01", (1, 2)], "$odd": frozenset({1, 2})}
    assert plain.decode(json.loads(plain.dumps(value))) == value


def test_equality_is_strict_about_bool_and_sequence_types():
    assert plain.mismatch(1, True) and plain.mismatch(True, 1)
    assert plain.mismatch([1, 2], (1, 2)) and plain.mismatch((1,), [1])
    assert plain.mismatch(1, 1.0) is None and plain.mismatch(plain.Exact(1), 1.0)
    assert plain.mismatch(plain.Approx(0.1, 1e-9, 0.0), 0.1 + 1e-12) is None


# --- hostile programs: graded as error with their message, this process unaffected ------------------

HOSTILE = {
    "endless loop": ("while True:\n    pass\n", "more than 2 s of CPU time"),
    "endless loop in a call": ("def add(a, b):\n    while True:\n        pass\n", "more than 2 s of CPU time"),
    "memory bomb": ("blocks = []\nwhile True:\n    blocks.append(bytearray(50 * 1024 * 1024))\n", "512 MiB of memory"),
    "fork": ("import os\nos.fork()\n", "starting processes or threads is not allowed"),
    "network": ("import socket\nsocket.create_connection(('127.0.0.1', 80), timeout=2)\n", "network access"),
    "file read": ("print(open('/etc/passwd').read())\n", "reading /etc/passwd is not allowed"),
    "output flood": ("import os\nwhile True:\n    os.write(1, b'x' * 1_000_000)\n", "64 KiB of output"),
}


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_code_is_graded_as_an_error_with_its_message(name):
    code, message = HOSTILE[name]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    result = graded(code + RIGHT if "call" not in name else code)
    assert result.status == "error", result.as_json()
    assert message in result.message, result.as_json()
    assert result.duration < 3 * (FAST.wall_seconds + 3)
    assert resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before < 50 * 1024
    assert graded(RIGHT).status == "pass"


def test_broken_tests_are_the_authors_problem_not_the_learners():
    with pytest.raises(TaskSpecError, match="checks nothing"):
        grade("def test_nothing(t):\n    pass\n", RIGHT)
    with pytest.raises(TaskSpecError, match="ZeroDivisionError"):
        grade("def test_bad(t):\n    1 / 0\n", RIGHT)
    with pytest.raises(TaskSpecError, match="reading /etc/passwd is not allowed"):
        grade("open('/etc/passwd')\ndef test_x(t):\n    t.expect(t.call('add', 1, 1), 2)\n", RIGHT)


def test_recorded_cases_are_checked_before_the_verdict_relies_on_them():
    from sandbox.grading import _check_spec, task_cases

    spec = task_cases(TESTS)
    _check_spec(spec)
    broken = [
        {**spec, "steps": [{**spec["steps"][0], "kind": "exec"}, *spec["steps"][1:]]},
        {
            **spec,
            "tests": [{**spec["tests"][0], "checks": [{"kind": "equal", "steps": [0], "expected": {"$eval": []}}]}],
        },
        {**spec, "tests": [{**spec["tests"][0], "checks": [{"kind": "raises", "steps": [0], "exception": 1}]}]},
        {**spec, "tests": [{**spec["tests"][0], "checks": [{"kind": "equal", "steps": [99], "expected": 1}]}]},
    ]
    for bad in broken:
        with pytest.raises(TaskSpecError):
            _check_spec(bad)


def test_isolated_runs_share_nothing():
    tests = (
        "def test_no_memory(t):\n"
        "    t.expect(t.call('count'), 1)\n"
        "    t.expect(t.isolated().call('count'), 1)\n"
        "    t.expect(t.call('count'), 2)\n"
    )
    code = "calls = []\ndef count():\n    calls.append(1)\n    return len(calls)\n"
    assert graded(code, tests).status == "pass"


# --- every coding task of the course, through this API (what validate_curriculum does) --------------

CONTENT = Path(__file__).resolve().parents[2] / "curriculum" / "content" / "modules"
TASKS = [
    pytest.param(item, id=f"{folder.name[:2]}-q{index}")
    for folder in sorted(CONTENT.glob("1[1-7]-*"))
    for index, item in enumerate(yaml.safe_load((folder / "assessments.yaml").read_text()), start=1)
    if item["type"] == "coding-task"
]


def test_there_are_19_coding_tasks():
    assert len(TASKS) == 19


@pytest.mark.parametrize("task", TASKS)
def test_each_task_passes_its_solution_and_fails_its_starter(task):
    solution = grade(task["tests"], task["solution"])
    assert solution.status == "pass", solution.as_json()
    starter = grade(task["tests"], task["starter_code"])
    assert starter.status != "pass" and any(t.status != "pass" for t in starter.tests)
