"""Writes for the courses app."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Max, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from courses.models import (
    LearningResource,
    Lesson,
    LessonCompletion,
    Module,
    ProgressStatus,
    ResourceVote,
    UserProgress,
)

if TYPE_CHECKING:
    from accounts.models import User

# --- progress ----------------------------------------------------------------------------------


def progress_for_update(*, user: User, module: Module) -> UserProgress:
    UserProgress.objects.bulk_create([UserProgress(user=user, module=module)], ignore_conflicts=True)
    return UserProgress.objects.select_for_update().get(user=user, module=module)


@transaction.atomic
def module_visit(*, user: User, module: Module) -> None:
    """A lesson or quiz page was opened: the module is started (once) and was accessed now."""
    now = timezone.now()
    UserProgress.objects.bulk_create([UserProgress(user=user, module=module)], ignore_conflicts=True)
    UserProgress.objects.filter(user=user, module=module).update(
        started_at=Coalesce(F("started_at"), Value(now)),
        last_accessed=now,
        status=Case(
            When(status=ProgressStatus.NOT_STARTED, then=Value(ProgressStatus.IN_PROGRESS)),
            When(status__isnull=True, then=Value(ProgressStatus.IN_PROGRESS)),
            default=F("status"),
        ),
    )


def progress_recompute(*, user: User, module: Module, at: datetime | None = None) -> UserProgress:
    """Make the module's user_progress row true again from lesson completions and quiz sittings.

    percent = (completed lessons + quiz passed) / (lessons + 1) × 100; completed when every lesson
    is complete and the quiz is passed. The row is locked, so two tabs cannot interleave.

    `at` is when the event that changed the progress happened (default: now), so a history
    recorded afterwards (an import, the demo school) gets its real dates; a back-dated event never
    moves `last_accessed` backwards.
    """
    from assessments.models import QuizSitting

    with transaction.atomic():
        progress = progress_for_update(user=user, module=module)
        lessons = module.lessons.count()
        done = LessonCompletion.objects.filter(user=user, lesson__module=module).count()
        # A module without quiz questions is measured by its lessons alone.
        has_quiz = module.assessments.quiz().exists()
        quiz_passed = has_quiz and QuizSitting.objects.filter(user=user, module=module, passed=True).exists()
        parts = lessons + (1 if has_quiz else 0)
        now = at or timezone.now()
        percent = (done + quiz_passed) / parts * 100 if parts else 0
        progress.progress_percent = Decimal(round(percent, 2)).quantize(Decimal("0.01"))
        if lessons and done >= lessons and (quiz_passed or not has_quiz):
            progress.status = ProgressStatus.COMPLETED
            progress.completed_at = progress.completed_at or now
        else:
            progress.status = ProgressStatus.IN_PROGRESS
            progress.completed_at = None
        progress.started_at = progress.started_at or now
        if at is None or progress.last_accessed is None or at > progress.last_accessed:
            progress.last_accessed = now
        progress.save(update_fields=["progress_percent", "status", "completed_at", "started_at", "last_accessed"])
    return progress


@transaction.atomic
def lesson_complete(*, user: User, lesson: Lesson, at: datetime | None = None) -> UserProgress:
    """Mark a lesson complete (a second call changes nothing) and update the module's progress.

    `at` is when the learner completed it (default: now)."""
    completion = LessonCompletion(user=user, lesson=lesson)
    if at is not None:
        completion.completed_at = at
    LessonCompletion.objects.bulk_create([completion], ignore_conflicts=True)
    return progress_recompute(user=user, module=lesson.module, at=at)


@transaction.atomic
def lesson_completions_record(
    *, user: User, completions: Mapping[Lesson, datetime] | Iterable[tuple[Lesson, datetime]]
) -> list[UserProgress]:
    """Record lessons a learner completed at known times (an import, the demo school) in one go.

    A lesson already complete keeps its first completion. Each module touched is recomputed once
    by `progress_recompute`, as of its latest completion here, and counts as started no later than
    its earliest one. Returns the modules' progress rows.
    """
    pairs = list(completions.items() if isinstance(completions, Mapping) else completions)
    spans: dict[int, tuple[Module, datetime, datetime]] = {}
    for lesson, at in pairs:
        if not isinstance(at, datetime) or timezone.is_naive(at):
            raise ValueError(f"lesson {lesson.pk}: the completion time must be a timezone-aware datetime")
        module, first, last = spans.get(lesson.module_id, (lesson.module, at, at))
        spans[lesson.module_id] = (module, min(first, at), max(last, at))
    LessonCompletion.objects.bulk_create(
        [LessonCompletion(user=user, lesson=lesson, completed_at=at) for lesson, at in pairs], ignore_conflicts=True
    )
    progress = []
    for module, first, last in spans.values():
        row = progress_recompute(user=user, module=module, at=last)
        if row.started_at is None or row.started_at > first:  # started no later than the earliest lesson recorded here
            UserProgress.objects.filter(pk=row.pk).update(started_at=first)
            row.started_at = first
        progress.append(row)
    return progress


@transaction.atomic
def progress_time_credit(*, user: User, module: Module, seconds: int) -> None:
    """Credit time spent on a module that no heartbeat measured (an import, the demo school).

    Added with F() to `active_seconds`, from which `time_spent_minutes` is derived as the
    heartbeat derives it, so the two columns stay consistent and concurrent credits add up.
    """
    if isinstance(seconds, bool) or not isinstance(seconds, int) or seconds < 0:
        raise ValueError("seconds must be a whole number ≥ 0")
    total = F("active_seconds") + seconds
    for _ in range(2):  # the row usually exists: one UPDATE; otherwise create it and update again
        if UserProgress.objects.filter(user=user, module=module).update(
            active_seconds=total, time_spent_minutes=total / 60
        ):
            return
        UserProgress.objects.bulk_create([UserProgress(user=user, module=module)], ignore_conflicts=True)


@transaction.atomic
def activity_heartbeat(*, user: User, module: Module) -> int:
    """Credit active time on a lesson or quiz page; returns the seconds credited.

    The page reports every HEARTBEAT_SECONDS while visible. Each report credits the real time since
    the previous report of any tab, capped at HEARTBEAT_MAX_CREDIT_SECONDS: two tabs cannot count
    double, and a tab left open overnight earns one capped interval, not the night.
    """
    # The user's row is the lock: tabs open on different modules take turns, and the previous
    # report of any of them (any module) bounds the credit.
    get_user_model().objects.select_for_update().filter(pk=user.pk).first()
    progress = progress_for_update(user=user, module=module)
    now = timezone.now()
    credit = 0
    last = UserProgress.objects.filter(user=user).aggregate(last=Max("last_heartbeat_at"))["last"]
    if last is not None:
        elapsed = (now - last).total_seconds()
        credit = int(max(0, min(elapsed, settings.HEARTBEAT_MAX_CREDIT_SECONDS)))
    progress.active_seconds += credit
    progress.time_spent_minutes = progress.active_seconds // 60
    progress.last_heartbeat_at = now
    progress.last_accessed = now
    progress.save(update_fields=["active_seconds", "time_spent_minutes", "last_heartbeat_at", "last_accessed"])
    return credit


@transaction.atomic
def resource_vote_toggle(*, user: User, resource: LearningResource) -> bool:
    """Upvote a resource, or take the upvote back; returns whether the user now has a vote on it."""
    removed, _ = ResourceVote.objects.filter(resource=resource, user=user).delete()
    if removed:
        LearningResource.objects.filter(pk=resource.pk).update(upvotes=F("upvotes") - 1)
        return False
    try:
        with transaction.atomic():
            ResourceVote.objects.create(resource=resource, user=user)
    except IntegrityError:  # a simultaneous click already voted
        return True
    LearningResource.objects.filter(pk=resource.pk).update(upvotes=F("upvotes") + 1)
    return True
