"""The spec's three sample queries run unmodified (only the :name parameters are bound)."""

import re
from pathlib import Path

import pytest
from django.db import connection

from accounts.tests.factories import UserFactory
from assessments.tests.factories import AssessmentFactory, QuizAttemptFactory
from courses.models import ProgressStatus
from courses.tests.factories import LessonFactory, ModuleFactory, UserProgressFactory

pytestmark = pytest.mark.django_db

_SQL = (Path(__file__).resolve().parents[2] / "docs" / "seed-sample-queries.sql").read_text()
QUERIES = [q.strip() for q in re.sub(r"^--.*$", "", _SQL, flags=re.MULTILINE).split(";") if q.strip()]


def _run(sql, **params):
    sql = re.sub(r":(\w+)", r"%(\1)s", sql)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        columns = [c.name for c in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def test_there_are_three_sample_queries():
    assert len(QUERIES) == 3


def test_completed_modules_query():
    user = UserFactory()
    first, second, third = ModuleFactory(id=1, order_index=2), ModuleFactory(id=2, order_index=1), ModuleFactory(id=3)
    UserProgressFactory(user=user, module=first, status=ProgressStatus.COMPLETED)
    UserProgressFactory(user=user, module=second, status=ProgressStatus.COMPLETED)
    UserProgressFactory(user=user, module=third, status=ProgressStatus.IN_PROGRESS)
    UserProgressFactory(module=third, status=ProgressStatus.COMPLETED)  # someone else's
    rows = _run(QUERIES[0], user_id=user.id)
    assert [row["id"] for row in rows] == [2, 1]


def test_module_with_lessons_and_assessments_query():
    module = ModuleFactory(id=4)
    LessonFactory(module=module, title="Hashes"), LessonFactory(module=module, title="Blocks")
    AssessmentFactory(module=module), AssessmentFactory(module=module), AssessmentFactory(module=module)
    LessonFactory(module=ModuleFactory(id=5))
    rows = _run(QUERIES[1], module_id=4)
    assert len(rows) == 1
    assert sorted(lesson["title"] for lesson in rows[0]["lessons"]) == ["Blocks", "Hashes"]
    assert len(rows[0]["assessments"]) == 3


def test_quiz_performance_query():
    user = UserFactory()
    module_a, module_b = ModuleFactory(id=6, title="Alpha"), ModuleFactory(id=7, title="Beta")
    q1, q2 = AssessmentFactory(module=module_a), AssessmentFactory(module=module_a)
    QuizAttemptFactory(user=user, assessment=q1, is_correct=True)
    QuizAttemptFactory(user=user, assessment=q2, is_correct=False)
    QuizAttemptFactory(user=user, assessment=q1, is_correct=True)
    QuizAttemptFactory(user=user, assessment=AssessmentFactory(module=module_b), is_correct=True)
    QuizAttemptFactory(assessment=q1, is_correct=False)  # someone else's
    rows = _run(QUERIES[2], user_id=user.id)
    assert [(r["module"], r["attempts"], r["correct"]) for r in rows] == [("Alpha", 3, 2), ("Beta", 1, 1)]
    assert round(float(rows[0]["accuracy"]), 2) == 66.67
