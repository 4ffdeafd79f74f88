"""The jail for untrusted code: pure Python, no Django (see ``runner`` for how it isolates).

Driver programs are real files in ``sandbox/drivers/``, read with ``driver(name)``.
"""

from sandbox.runner import Limits, SandboxResult, TestRun, driver, isolation, isolation_report, run_python, run_tests

__all__ = ["Limits", "SandboxResult", "TestRun", "driver", "isolation", "isolation_report", "run_python", "run_tests"]
