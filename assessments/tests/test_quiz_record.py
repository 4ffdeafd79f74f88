"""Quiz sittings recorded at a known time (imports, the demo school): graded, then counted."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError

from accounts.tests.factories import UserFactory
from assessments import services
from assessments.models import QuestionType, QuizAttempt, QuizSitting
from assessments.tests.factories import AssessmentFactory
from common.testing import race
from courses.models import ProgressStatus, UserProgress
from courses.services import lesson_complete
from courses.tests.factories import LessonFactory, ModuleFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)


@pytest.fixture
def quiz_module():
    module = ModuleFactory()
    LessonFactory(module=module, order_index=1)
    AssessmentFactory(module=module, order_index=1, correct_answer="B")
    AssessmentFactory(
        module=module, order_index=2, question_type=QuestionType.TRUE_FALSE, options=None, correct_answer="false"
    )
    AssessmentFactory(module=module, order_index=3, question_type=QuestionType.CODING_TASK, options=None)
    return module


def _answers(module, *given):
    questions = module.assessments.quiz().order_by("order_index")
    return {str(q.id): answer for q, answer in zip(questions, given, strict=True)}


def test_a_recorded_sitting_is_graded_and_counts_toward_progress_at_its_time(quiz_module):
    user = UserFactory()
    lesson_complete(user=user, lesson=quiz_module.lessons.get(), at=T0 - timedelta(days=1))
    sitting = services.quiz_sitting_record(
        user=user,
        module=quiz_module,
        answers=_answers(quiz_module, "B", "false"),
        token=uuid.uuid4(),
        started_at=T0 - timedelta(minutes=10),
        submitted_at=T0,
    )
    assert (sitting.score, sitting.max_score, sitting.passed) == (20, 20, True)
    attempts = QuizAttempt.objects.filter(sitting=sitting)
    assert attempts.count() == 2  # coding tasks are not part of the quiz
    assert {a.attempted_at for a in attempts} == {T0} and {a.time_spent_seconds for a in attempts} == {300}
    progress = UserProgress.objects.get(user=user, module=quiz_module)
    assert progress.status == ProgressStatus.COMPLETED and progress.completed_at == T0
    assert progress.started_at == T0 - timedelta(days=1) and progress.last_accessed == T0


def test_a_failed_sitting_leaves_the_module_in_progress(quiz_module):
    user = UserFactory()
    sitting = services.quiz_sitting_record(
        user=user,
        module=quiz_module,
        answers=_answers(quiz_module, "A", "true"),
        token=uuid.uuid4(),
        started_at=T0,
        submitted_at=T0,
        seconds_for=lambda question: 42,
    )
    assert sitting.passed is False and float(sitting.percent) == 0
    assert set(QuizAttempt.objects.values_list("time_spent_seconds", flat=True)) == {42}
    assert UserProgress.objects.get(user=user, module=quiz_module).status == ProgressStatus.IN_PROGRESS


def test_recording_the_same_sitting_twice_keeps_the_first(quiz_module):
    user, token = UserFactory(), uuid.uuid4()
    arguments = {"user": user, "module": quiz_module, "token": token, "started_at": T0, "submitted_at": T0}
    first = services.quiz_sitting_record(**arguments, answers=_answers(quiz_module, "B", "false"))
    second = services.quiz_sitting_record(**arguments, answers=_answers(quiz_module, "A", "true"))
    assert first.pk == second.pk and second.passed
    assert QuizSitting.objects.count() == 1 and QuizAttempt.objects.count() == 2


def test_a_sitting_cannot_end_before_it_starts(quiz_module):
    with pytest.raises(ValidationError, match="cannot start after"):
        services.quiz_sitting_record(
            user=UserFactory(),
            module=quiz_module,
            answers={},
            token=uuid.uuid4(),
            started_at=T0,
            submitted_at=T0 - timedelta(seconds=1),
        )
    assert not QuizSitting.objects.exists() and not UserProgress.objects.exists()


def test_a_module_without_questions_has_no_sittings():
    with pytest.raises(services.QuizUnavailable):
        services.quiz_sitting_record(
            user=UserFactory(), module=ModuleFactory(), answers={}, token=uuid.uuid4(), started_at=T0, submitted_at=T0
        )
    assert not QuizSitting.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_same_sitting_recorded_twice_at_once_is_kept_once(quiz_module):
    user, token = UserFactory(), uuid.uuid4()
    answers = _answers(quiz_module, "B", "false")
    results, errors = race(
        lambda _: services.quiz_sitting_record(
            user=user, module=quiz_module, answers=answers, token=token, started_at=T0, submitted_at=T0
        ),
        range(3),
    )
    assert not errors and len({sitting.pk for sitting in results}) == 1
    assert QuizSitting.objects.count() == 1 and QuizAttempt.objects.count() == 2


def test_questions_given_by_the_caller_must_be_the_modules_quiz(quiz_module):
    other = AssessmentFactory()
    coding = quiz_module.assessments.get(question_type=QuestionType.CODING_TASK)
    for questions in ([other], [coding]):
        with pytest.raises(ValidationError, match="quiz questions"):
            services.quiz_sitting_record(
                user=UserFactory(),
                module=quiz_module,
                answers={},
                token=uuid.uuid4(),
                started_at=T0,
                submitted_at=T0,
                questions=questions,
            )
    assert not QuizSitting.objects.exists()
