"""Grading and recording quiz sittings."""

import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from assessments import services
from assessments.models import QuestionType, QuizAttempt, QuizSitting
from assessments.selectors import quiz_questions, sittings_with_answers
from assessments.tests.factories import AssessmentFactory
from common.testing import race
from courses.models import ProgressStatus, UserProgress
from courses.tests.factories import LessonFactory, ModuleFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def quiz_module():
    module = ModuleFactory()
    LessonFactory(module=module, order_index=1)
    AssessmentFactory(module=module, order_index=1, correct_answer="B")
    AssessmentFactory(module=module, order_index=2, question_type=QuestionType.TRUE_FALSE, options=None,
                      correct_answer="false")  # fmt: skip
    AssessmentFactory(module=module, order_index=3, question_type=QuestionType.SHORT_ANSWER, options=None,
                      correct_answer="nonce|a nonce| number used once ")  # fmt: skip
    AssessmentFactory(module=module, order_index=4, question_type=QuestionType.CODING_TASK, options=None,
                      correct_answer=None)  # fmt: skip
    return module


def ticket(minutes_ago=5):
    return services.QuizTicket(uuid.uuid4(), timezone.now() - timedelta(minutes=minutes_ago))


def answers_for(module, mc="B", tf="false", sa="nonce"):
    return {str(q.id): v for q, v in zip(quiz_questions(module=module), (mc, tf, sa), strict=True)}


def test_the_quiz_page_asks_no_coding_tasks(quiz_module):
    questions = quiz_questions(module=quiz_module)
    assert [q.question_type for q in questions] == ["multiple-choice", "true-false", "short-answer"]


@pytest.mark.parametrize(
    ("qtype", "correct", "given", "expected"),
    [
        ("multiple-choice", "B", "B", True),
        ("multiple-choice", "B", "b", False),
        ("multiple-choice", "B", "C", False),
        ("true-false", "false", "false", True),
        ("true-false", "false", "FALSE", True),
        ("true-false", "false", "true", False),
        ("short-answer", "nonce|a nonce", "  NONCE ", True),
        ("short-answer", "nonce|a nonce", "a   Nonce", True),
        ("short-answer", "nonce|a nonce", "nonces", False),
        ("short-answer", "5000 sats|5,000 sats", "5000SATS", True),
        ("short-answer", "multi-sig", "multi sig", False),
        ("short-answer", "proof of work|pow", "Proof  of   Work", True),
        ("short-answer", "nonce|a nonce", "", False),
    ],
)
def test_grading_each_question_type(qtype, correct, given, expected):
    question = AssessmentFactory.build(question_type=qtype, correct_answer=correct)
    assert question.is_correct(given) is expected


def test_a_sitting_writes_one_attempt_per_question_with_points_and_time(quiz_module):
    user = UserFactory()
    answers = answers_for(quiz_module, sa="A Nonce")
    sitting = services.quiz_submit(user=user, module=quiz_module, answers=answers, ticket=ticket(6))
    attempts = list(QuizAttempt.objects.filter(sitting=sitting).order_by("assessment__order_index"))
    assert [a.is_correct for a in attempts] == [True, True, True]
    assert [a.points_earned for a in attempts] == [10, 10, 10]
    assert all(115 <= a.time_spent_seconds <= 125 for a in attempts)  # 6 minutes over 3 questions
    assert (sitting.score, sitting.max_score, float(sitting.percent), sitting.passed) == (30, 30, 100.0, True)


def test_a_sitting_grades_the_modules_quiz_questions_whatever_the_answers_name(quiz_module):
    coding_task = quiz_module.assessments.coding_tasks().get()
    elsewhere = AssessmentFactory()  # another module's question
    answers = {**answers_for(quiz_module), str(coding_task.id): "print(1)", str(elsewhere.id): "B"}
    sitting = services.quiz_submit(user=UserFactory(), module=quiz_module, answers=answers, ticket=ticket())
    graded = set(sitting.attempts.values_list("assessment_id", flat=True))
    assert graded == set(quiz_module.assessments.quiz().values_list("id", flat=True))
    assert (sitting.score, sitting.max_score) == (30, 30)


def test_pass_mark_is_a_setting(quiz_module, settings):
    user = UserFactory()
    answers = answers_for(quiz_module, sa="wrong")  # 2 of 3 = 66.67 %
    sitting = services.quiz_submit(user=user, module=quiz_module, answers=answers, ticket=ticket())
    assert float(sitting.percent) == 66.67 and sitting.passed is False
    settings.QUIZ_PASS_PERCENT = 60
    sitting = services.quiz_submit(user=user, module=quiz_module, answers=answers, ticket=ticket())
    assert sitting.passed is True


def test_passing_the_quiz_counts_toward_progress(quiz_module):
    from courses.services import lesson_complete

    user = UserFactory()
    lesson_complete(user=user, lesson=quiz_module.lessons.get())
    answers = answers_for(quiz_module)
    services.quiz_submit(user=user, module=quiz_module, answers=answers, ticket=ticket())
    progress = UserProgress.objects.get(user=user, module=quiz_module)
    assert progress.status == ProgressStatus.COMPLETED and float(progress.progress_percent) == 100


def test_submitting_the_same_form_twice_records_one_sitting(quiz_module):
    user = UserFactory()
    answers = answers_for(quiz_module)
    same = ticket()
    first = services.quiz_submit(user=user, module=quiz_module, answers=answers, ticket=same)
    second = services.quiz_submit(user=user, module=quiz_module, answers=answers, ticket=same)
    assert first.pk == second.pk
    assert QuizSitting.objects.count() == 1 and QuizAttempt.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_a_double_click_racing_itself_records_one_sitting(quiz_module):
    user = UserFactory()
    answers = answers_for(quiz_module)
    same = ticket()

    def submit(_):
        sitting = services.quiz_submit(user=user, module=quiz_module, answers=answers, ticket=same)
        return sitting.pk

    results, errors = race(submit, range(4))
    assert errors == []
    assert len(set(results)) == 1 and len(results) == 4
    assert QuizSitting.objects.count() == 1 and QuizAttempt.objects.count() == 3


def test_retake_limit_per_day(quiz_module, settings):
    settings.QUIZ_MAX_SITTINGS_PER_DAY = 2
    user = UserFactory()
    answers = answers_for(quiz_module)
    for _ in range(2):
        services.quiz_submit(user=user, module=quiz_module, answers=answers, ticket=ticket())
    assert services.sittings_left_today(user=user, module=quiz_module) == 0
    with pytest.raises(services.QuizLimitReached, match="Try again tomorrow"):
        services.quiz_submit(user=user, module=quiz_module, answers=answers, ticket=ticket())
    assert QuizSitting.objects.count() == 2
    QuizSitting.objects.update(submitted_at=timezone.now() - timedelta(days=1))
    assert services.sittings_left_today(user=user, module=quiz_module) == 2


def test_a_sitting_comes_with_its_answers_in_question_order_in_two_queries(quiz_module, django_assert_num_queries):
    user = UserFactory()
    answers = answers_for(quiz_module)
    sitting = services.quiz_submit(user=user, module=quiz_module, answers=answers, ticket=ticket())
    with django_assert_num_queries(2):
        found = sittings_with_answers(user=user, module=quiz_module).get(pk=sitting.pk)
        assert [a.assessment.order_index for a in found.answers] == [1, 2, 3]
    assert not sittings_with_answers(user=UserFactory(), module=quiz_module).filter(pk=sitting.pk).exists()


def test_tickets_are_signed_and_bound_to_their_module(quiz_module):
    value = services.quiz_ticket_issue(module=quiz_module)
    assert services.quiz_ticket_read(value, module=quiz_module).module_id == quiz_module.id
    assert services.quiz_ticket_read(value[:-2] + "xx", module=quiz_module) is None
    assert services.quiz_ticket_read("garbage", module=quiz_module) is None
    assert services.quiz_ticket_read(value, module=ModuleFactory()) is None


def test_a_module_without_questions_has_no_quiz_and_counts_lessons_only():
    from courses.services import lesson_complete

    module = ModuleFactory()
    lesson = LessonFactory(module=module, order_index=1)
    AssessmentFactory(module=module, question_type=QuestionType.CODING_TASK, options=None, correct_answer=None)
    user = UserFactory()
    with pytest.raises(services.QuizUnavailable):
        services.quiz_submit(user=user, module=module, answers={}, ticket=ticket())
    progress = lesson_complete(user=user, lesson=lesson)
    assert progress.status == ProgressStatus.COMPLETED and float(progress.progress_percent) == 100
