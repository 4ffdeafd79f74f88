"""manage.py validate_curriculum: the author's check, with no database."""

import shutil
from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command

from curriculum.content_format import CONTENT_DIR


def validate(*args) -> str:
    out = StringIO()
    call_command("validate_curriculum", *args, stdout=out)
    return out.getvalue()


def test_the_shipped_curriculum_is_valid():
    output = validate("--no-code")
    assert output.count("module ") == 17 and output.strip().endswith("OK")


def test_a_module_s_coding_tasks_run_in_the_sandbox(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    path = next((content / "modules").glob("11-*")) / "assessments.yaml"
    items = yaml.safe_load(path.read_text())
    task = next(item for item in items if item["type"] == "coding-task")
    task["starter_code"] = task["solution"]  # a starter that already passes gives nothing to do
    path.write_text(yaml.safe_dump(items, sort_keys=False, allow_unicode=True))
    with pytest.raises(CommandError) as error:
        validate("--content-dir", str(content), "--module", "11")
    assert "starter code passes the tests; it must fail" in str(error.value)
    assert str(path.parent) in str(error.value)


def test_a_broken_file_is_named(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    (next((content / "modules").glob("03-*")) / "module.yaml").write_text("id: [unclosed")
    with pytest.raises(CommandError, match="invalid YAML"):
        validate("--content-dir", str(content), "--no-code")


def test_a_folder_without_modules_is_refused(tmp_path):
    with pytest.raises(CommandError, match="has no modules/ folder"):
        validate("--content-dir", str(tmp_path))


def test_an_unknown_module_is_a_problem():
    with pytest.raises(CommandError, match="there is no module 42"):
        validate("--module", "42", "--no-code")
