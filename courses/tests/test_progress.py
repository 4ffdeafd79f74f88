"""Progress, time and votes: the services behind the learner pages."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.tests.factories import UserFactory
from assessments.models import QuizSitting
from assessments.tests.factories import AssessmentFactory
from common.testing import race
from courses import services
from courses.models import LearningResource, ProgressStatus, ResourceVote, UserProgress
from courses.tests.factories import LearningResourceFactory, LessonFactory, ModuleFactory

pytestmark = pytest.mark.django_db


def quiz_module(lesson_count: int):
    """A module with lessons and a one-question quiz (progress counts the quiz as one more part)."""
    module = ModuleFactory()
    AssessmentFactory(module=module)
    return module, [LessonFactory(module=module, order_index=i) for i in range(1, lesson_count + 1)]


@pytest.fixture
def module_with_lessons():
    return quiz_module(3)


def _pass_quiz(user, module, passed=True):
    import uuid

    QuizSitting.objects.create(user=user, module=module, submission_token=uuid.uuid4(), passed=passed, percent=80)


def test_first_visit_starts_the_module(module_with_lessons):
    module, _ = module_with_lessons
    user = UserFactory()
    services.module_visit(user=user, module=module)
    progress = UserProgress.objects.get(user=user, module=module)
    assert progress.status == ProgressStatus.IN_PROGRESS
    assert progress.started_at is not None and progress.last_accessed is not None
    first_start = progress.started_at
    services.module_visit(user=user, module=module)
    progress.refresh_from_db()
    assert progress.started_at == first_start


def test_percent_counts_lessons_and_the_quiz(module_with_lessons):
    module, lessons = module_with_lessons
    user = UserFactory()
    progress = services.lesson_complete(user=user, lesson=lessons[0])
    assert progress.progress_percent == Decimal("25.00")  # 1 of (3 lessons + quiz)
    services.lesson_complete(user=user, lesson=lessons[0])  # twice changes nothing
    progress.refresh_from_db()
    assert progress.progress_percent == Decimal("25.00")
    services.lesson_complete(user=user, lesson=lessons[1])
    progress = services.lesson_complete(user=user, lesson=lessons[2])
    assert progress.progress_percent == Decimal("75.00")
    assert progress.status == ProgressStatus.IN_PROGRESS and progress.completed_at is None


def test_completed_needs_every_lesson_and_a_passed_quiz(module_with_lessons):
    module, lessons = module_with_lessons
    user = UserFactory()
    _pass_quiz(user, module, passed=False)
    for lesson in lessons:
        progress = services.lesson_complete(user=user, lesson=lesson)
    assert progress.status == ProgressStatus.IN_PROGRESS
    _pass_quiz(user, module)
    progress = services.progress_recompute(user=user, module=module)
    assert progress.status == ProgressStatus.COMPLETED
    assert progress.progress_percent == Decimal("100.00")
    assert progress.completed_at is not None


def test_one_third_rounds_to_two_decimals():
    module, lessons = quiz_module(2)
    progress = services.lesson_complete(user=UserFactory(), lesson=lessons[0])
    assert progress.progress_percent == Decimal("33.33")


def test_heartbeats_credit_real_time_only_up_to_the_cap(module_with_lessons, settings):
    module, _ = module_with_lessons
    user = UserFactory()
    assert services.activity_heartbeat(user=user, module=module) == 0  # the first beat starts the clock
    progress = UserProgress.objects.get(user=user, module=module)
    UserProgress.objects.filter(pk=progress.pk).update(last_heartbeat_at=timezone.now() - timedelta(seconds=30))
    assert 29 <= services.activity_heartbeat(user=user, module=module) <= 31
    # A tab left open overnight: the next beat earns one capped interval, not eight hours.
    UserProgress.objects.filter(pk=progress.pk).update(last_heartbeat_at=timezone.now() - timedelta(hours=8))
    assert services.activity_heartbeat(user=user, module=module) == settings.HEARTBEAT_MAX_CREDIT_SECONDS
    progress.refresh_from_db()
    assert progress.active_seconds <= 31 + settings.HEARTBEAT_MAX_CREDIT_SECONDS
    assert progress.time_spent_minutes == progress.active_seconds // 60


def test_two_tabs_do_not_count_double(module_with_lessons):
    module, _ = module_with_lessons
    user = UserFactory()
    services.activity_heartbeat(user=user, module=module)
    # The second tab beats right after the first: almost no time has passed, so almost nothing is credited.
    assert services.activity_heartbeat(user=user, module=module) <= 1


def test_minutes_accumulate_from_seconds(module_with_lessons):
    module, _ = module_with_lessons
    user = UserFactory()
    services.activity_heartbeat(user=user, module=module)
    for _ in range(3):
        UserProgress.objects.filter(user=user).update(last_heartbeat_at=timezone.now() - timedelta(seconds=30))
        services.activity_heartbeat(user=user, module=module)
    progress = UserProgress.objects.get(user=user)
    assert progress.active_seconds >= 89 and progress.time_spent_minutes == 1


def test_resource_vote_toggles_and_counts():
    resource = LearningResourceFactory()
    user = UserFactory()
    assert services.resource_vote_toggle(user=user, resource=resource) is True
    assert LearningResource.objects.get(pk=resource.pk).upvotes == 1
    assert services.resource_vote_toggle(user=user, resource=resource) is False
    assert LearningResource.objects.get(pk=resource.pk).upvotes == 0
    assert not ResourceVote.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_simultaneous_votes_from_many_learners_are_all_counted():
    resource = LearningResourceFactory()
    users = [UserFactory() for _ in range(8)]
    _, errors = race(lambda user: services.resource_vote_toggle(user=user, resource=resource), users)
    assert errors == []
    assert LearningResource.objects.get(pk=resource.pk).upvotes == 8 == ResourceVote.objects.count()


@pytest.mark.django_db(transaction=True)
def test_two_tabs_completing_lessons_at_once_keep_progress_true():
    module, lessons = quiz_module(6)
    user = UserFactory()
    _, errors = race(lambda lesson: services.lesson_complete(user=user, lesson=lesson), lessons)
    assert errors == []
    progress = UserProgress.objects.get(user=user, module=module)
    assert progress.progress_percent == Decimal("85.71")  # 6 of 7


def test_tabs_on_two_modules_do_not_count_double():
    (first, _), (second, _) = quiz_module(1), quiz_module(1)
    user = UserFactory()
    services.activity_heartbeat(user=user, module=first)
    UserProgress.objects.filter(user=user).update(last_heartbeat_at=timezone.now() - timedelta(seconds=30))
    assert services.activity_heartbeat(user=user, module=first) >= 29
    # The other module's tab reports right after: the real time since the last report is ~0.
    assert services.activity_heartbeat(user=user, module=second) <= 1
