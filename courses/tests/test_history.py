"""Progress recorded after the fact (imports, the demo school): back-dated, still computed."""

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from accounts.tests.factories import UserFactory
from assessments.models import QuizSitting
from assessments.tests.factories import AssessmentFactory
from common.testing import race
from courses import services
from courses.models import LessonCompletion, ProgressStatus, UserProgress
from courses.tests.factories import LessonFactory, ModuleFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


@pytest.fixture
def module_and_lessons():
    module = ModuleFactory()
    AssessmentFactory(module=module)
    return module, [LessonFactory(module=module, order_index=i) for i in (1, 2, 3)]


def test_a_back_dated_completion_dates_the_completion_and_the_progress(module_and_lessons):
    module, lessons = module_and_lessons
    user = UserFactory()
    progress = services.lesson_complete(user=user, lesson=lessons[0], at=T0)
    assert LessonCompletion.objects.get(user=user).completed_at == T0
    assert progress.started_at == T0 and progress.last_accessed == T0
    assert progress.progress_percent == Decimal("25.00")


def test_an_earlier_event_never_moves_last_accessed_backwards(module_and_lessons):
    module, lessons = module_and_lessons
    user = UserFactory()
    services.lesson_complete(user=user, lesson=lessons[1], at=T0 + timedelta(days=2))
    progress = services.lesson_complete(user=user, lesson=lessons[0], at=T0)
    assert progress.last_accessed == T0 + timedelta(days=2)
    assert progress.progress_percent == Decimal("50.00")


def test_completed_at_is_when_the_last_part_was_done(module_and_lessons):
    module, lessons = module_and_lessons
    user = UserFactory()
    for day, lesson in enumerate(lessons):
        services.lesson_complete(user=user, lesson=lesson, at=T0 + timedelta(days=day))
    QuizSitting.objects.create(user=user, module=module, submission_token=uuid.uuid4(), passed=True, percent=90)
    progress = services.progress_recompute(user=user, module=module, at=T0 + timedelta(days=5))
    assert progress.status == ProgressStatus.COMPLETED
    assert progress.completed_at == T0 + timedelta(days=5) and progress.started_at == T0


def test_without_at_everything_happens_now(module_and_lessons):
    _, lessons = module_and_lessons
    before = datetime.now(UTC)
    progress = services.lesson_complete(user=UserFactory(), lesson=lessons[0])
    assert progress.started_at >= before and progress.last_accessed >= before


def test_a_history_of_completions_is_recorded_and_recomputed_once_per_module(module_and_lessons):
    module, lessons = module_and_lessons
    other = ModuleFactory()
    other_lesson = LessonFactory(module=other, order_index=1)
    user = UserFactory()
    times = {lessons[0]: T0 + timedelta(hours=5), lessons[1]: T0, other_lesson: T0 + timedelta(days=1)}
    rows = services.lesson_completions_record(user=user, completions=times)
    assert {row.module_id for row in rows} == {module.id, other.id}
    progress = UserProgress.objects.get(user=user, module=module)
    assert progress.progress_percent == Decimal("50.00") and progress.status == ProgressStatus.IN_PROGRESS
    assert progress.started_at == T0 and progress.last_accessed == T0 + timedelta(hours=5)
    assert UserProgress.objects.get(user=user, module=other).status == ProgressStatus.COMPLETED  # no quiz there
    # Recording again keeps the first completion times and changes no progress.
    services.lesson_completions_record(user=user, completions={lessons[0]: T0 + timedelta(days=9)})
    assert LessonCompletion.objects.get(user=user, lesson=lessons[0]).completed_at == T0 + timedelta(hours=5)
    assert UserProgress.objects.get(user=user, module=module).progress_percent == Decimal("50.00")


def test_an_earlier_history_moves_the_start_back(module_and_lessons):
    module, lessons = module_and_lessons
    user = UserFactory()
    services.lesson_complete(user=user, lesson=lessons[2], at=T0 + timedelta(days=3))
    services.lesson_completions_record(user=user, completions=[(lessons[0], T0)])
    progress = UserProgress.objects.get(user=user, module=module)
    assert progress.started_at == T0 and progress.last_accessed == T0 + timedelta(days=3)


def test_a_naive_time_is_refused_and_nothing_is_recorded(module_and_lessons):
    _, lessons = module_and_lessons
    user = UserFactory()
    with pytest.raises(ValueError, match="timezone-aware"):
        services.lesson_completions_record(
            user=user, completions=[(lessons[0], T0), (lessons[1], datetime(2026, 3, 2, 10, 0))]
        )
    assert not LessonCompletion.objects.exists() and not UserProgress.objects.exists()


def test_credited_time_keeps_minutes_derived_from_seconds(module_and_lessons):
    module, _ = module_and_lessons
    user = UserFactory()
    services.progress_time_credit(user=user, module=module, seconds=90)
    services.progress_time_credit(user=user, module=module, seconds=45)
    progress = UserProgress.objects.get(user=user, module=module)
    assert progress.active_seconds == 135 and progress.time_spent_minutes == 2


@pytest.mark.parametrize("seconds", [-1, 1.5, "60", True])
def test_credited_time_is_a_whole_number_of_seconds(module_and_lessons, seconds):
    module, _ = module_and_lessons
    with pytest.raises(ValueError):
        services.progress_time_credit(user=UserFactory(), module=module, seconds=seconds)
    assert not UserProgress.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_simultaneous_credits_add_up(module_and_lessons):
    module, _ = module_and_lessons
    user = UserFactory()
    _, errors = race(lambda s: services.progress_time_credit(user=user, module=module, seconds=s), [60] * 5)
    assert not errors
    progress = UserProgress.objects.get(user=user, module=module)
    assert progress.active_seconds == 300 and progress.time_spent_minutes == 5
