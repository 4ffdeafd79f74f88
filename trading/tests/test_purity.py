"""The pure modules stay importable without Django: the engine runs from the CLI fast path and
the LLM functions are tested without a database."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("module", ["trading.engine", "trading.series", "trading.llm"])
def test_pure_modules_do_not_import_django(module):
    check = f"import sys, {module}; print(sorted(m for m in sys.modules if m.split('.')[0] == 'django'))"
    done = subprocess.run([sys.executable, "-c", check], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
