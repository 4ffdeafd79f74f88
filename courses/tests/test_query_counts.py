"""A page's number of queries does not grow with the data: each page holds the same ceiling for
1 row and for 50 (modules, lessons, resources, quiz questions and sittings, progress rows)."""

import re
import uuid

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from assessments.models import QuestionType, QuizAttempt, QuizSitting
from assessments.tests.factories import AssessmentFactory
from courses.models import LessonCompletion, ProgressStatus
from courses.tests.factories import LearningResourceFactory, LessonFactory, ModuleFactory, UserProgressFactory

pytestmark = pytest.mark.django_db

PAGES = {
    "home": (lambda m: "/", 12),
    "catalog": (lambda m: reverse("courses:catalog"), 12),
    "module": (lambda m: reverse("courses:module", args=[m.id]), 16),
    "lesson": (lambda m: reverse("courses:lesson", args=[m.id, 1]), 21),  # +1: the session records the opening
    "quiz": (lambda m: reverse("assessments:quiz", args=[m.id]), 20),
    "history": (lambda m: reverse("assessments:quiz_history", args=[m.id]), 14),
    "dashboard": (lambda m: reverse("courses:dashboard"), 16),
}


def build(n: int):
    """A learner with n of everything around one module."""
    user = UserFactory()
    modules = [ModuleFactory(prerequisites=[]) for _ in range(n)]
    module = modules[0]
    lessons = [LessonFactory(module=module, order_index=i + 1) for i in range(n)]
    questions = [
        AssessmentFactory(
            module=module,
            order_index=i + 1,
            question_type=[QuestionType.MULTIPLE_CHOICE, QuestionType.TRUE_FALSE, QuestionType.SHORT_ANSWER][i % 3],
            correct_answer=["B", "true", "nonce"][i % 3],
        )
        for i in range(n)
    ]
    for _ in range(n):
        LearningResourceFactory(module=module)
    for m in modules:
        UserProgressFactory(user=user, module=m, status=ProgressStatus.IN_PROGRESS, progress_percent=10)
    LessonCompletion.objects.bulk_create([LessonCompletion(user=user, lesson=lesson) for lesson in lessons])
    for _ in range(n):
        sitting = QuizSitting.objects.create(user=user, module=module, submission_token=uuid.uuid4(), percent=50)
        QuizAttempt.objects.bulk_create(
            [QuizAttempt(user=user, assessment=q, sitting=sitting, user_answer="B", is_correct=True) for q in questions]
        )
    return user, module, sitting


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("rows", [1, 50])
def test_page_queries_do_not_grow_with_rows(client, django_assert_max_num_queries, page, rows):
    user, module, _ = build(rows)
    client.force_login(user)
    url_for, ceiling = PAGES[page]
    with django_assert_max_num_queries(ceiling):
        response = client.get(url_for(module))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 50])
def test_quiz_result_queries_do_not_grow(client, django_assert_max_num_queries, rows):
    user, module, sitting = build(rows)
    client.force_login(user)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("assessments:quiz_result", args=[module.id, sitting.pk]))
    assert response.status_code == 200
    assert len(re.findall(r'class="card mb-3', response.content.decode())) == rows


def test_counts_are_identical_for_1_and_50_rows(client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for rows in (1, 50):
        user, module, sitting = build(rows)
        client.force_login(user)
        for page, (url_for, _) in PAGES.items():
            with CaptureQueriesContext(connection) as queries:
                client.get(url_for(module))
            counts.setdefault(page, []).append(len(queries))
    assert {page: c for page, c in counts.items() if c[0] != c[1]} == {}
