"""The jail for untrusted code: pure Python, no Django (see ``runner`` for how it isolates).

Driver programs are real files in ``sandbox/drivers/``, read with ``driver(name)``. Coding tasks
are graded with ``grade(tests, code)`` (``grading``): the verdict is decided outside the jail.
"""

from sandbox.grading import GradeResult, TaskSpecError, TestResult, coding_tests_problem, grade
from sandbox.runner import Limits, SandboxResult, driver, isolation, isolation_report, run_python

__all__ = [
    "GradeResult", "Limits", "SandboxResult", "TaskSpecError", "TestResult", "driver", "grade", "isolation",
    "isolation_report", "run_python", "coding_tests_problem",
]  # fmt: skip
