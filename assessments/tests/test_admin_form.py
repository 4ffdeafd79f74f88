"""The question form of the admin: a coding task's hidden tests must be in the grading format."""

import pytest

from assessments.forms import AssessmentAdminForm
from courses.tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db


def _form(test_code: str) -> AssessmentAdminForm:
    data = {
        "module": ModuleFactory().pk,
        "order_index": 1,
        "question_type": "coding-task",
        "question_text": "Write add(a, b).",
        "points": 10,
        "starter_code": "def add(a, b):\n    return 0\n",
        "test_code": test_code,
        "reference_solution": "def add(a, b):\n    return a + b\n",
    }
    return AssessmentAdminForm(data=data)


def test_recorded_tests_are_accepted():
    form = _form('def test_add(t):\n    t.expect(t.call("add", 2, 3), 5)\n')
    assert form.is_valid(), form.errors


@pytest.mark.parametrize(
    ("tests", "message"),
    [
        ("def test_add():\n    assert add(2, 3) == 5\n", "must define functions test_*(t)"),
        ("def test_add(t):\n    t.expect(\n", "are not valid Python"),
    ],
)
def test_tests_the_grader_cannot_use_are_refused_next_to_the_field(tests, message):
    form = _form(tests)
    assert not form.is_valid()
    assert message in " ".join(form.errors["test_code"])
