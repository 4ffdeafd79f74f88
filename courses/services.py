"""Writes for the courses app."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Case, F, Max, Value, When
from django.db.models.functions import Coalesce
from django.utils import timezone

from assessments.models import Assessment
from community.models import Achievement
from courses.content_format import CONTENT_DIR, AssessmentData, LessonData, ModuleData, read_curriculum
from courses.models import (
    LearningResource,
    Lesson,
    LessonCompletion,
    Module,
    ProgressStatus,
    ResourceVote,
    UserProgress,
)


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)  # rows in the database that the files no longer have

    def count(self, bucket: str, kind: str) -> None:
        counts = getattr(self, bucket)
        counts[kind] = counts.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _apply(obj, values: dict, *, update: bool, report: SeedReport, kind: str) -> None:
    """Create `obj` from `values`, or (with update) overwrite the fields that differ."""
    if obj._state.adding:
        for name, value in values.items():
            setattr(obj, name, value)
        obj.full_clean()
        obj.save()
        report.count("created", kind)
        return
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if update and changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.full_clean()
        obj.save()
        report.count("updated", kind)
    else:
        report.count("unchanged", kind)


def _module_values(module: ModuleData) -> dict:
    return {
        "title": module.title,
        "slug": module.slug,
        "description": module.description,
        "track": module.track,
        "duration_hours": Decimal(str(module.duration_hours)),
        "order_index": module.id,
        "is_published": True,
        "prerequisites": list(module.prerequisites),
    }


def _lesson_values(lesson: LessonData) -> dict:
    return {
        "title": lesson.title,
        "content": lesson.content,
        "lesson_type": lesson.lesson_type,
        "order_index": lesson.order_index,
        "estimated_minutes": lesson.estimated_minutes,
    }


def _assessment_values(item: AssessmentData) -> dict:
    return {
        "question_text": item.question_text,
        "question_type": item.question_type,
        "options": item.options,
        "correct_answer": item.correct_answer,
        "explanation": item.explanation,
        "points": item.points,
        "starter_code": item.starter_code,
        "test_code": item.test_code,
        "reference_solution": item.reference_solution,
    }


@transaction.atomic
def curriculum_seed(*, root: Path = CONTENT_DIR, update: bool = False) -> SeedReport:
    """Load the curriculum files into the database in one transaction.

    Every file is validated first (ContentError lists every problem; nothing is written). Without
    `update`, existing rows are left as they are, so a second run changes nothing. With `update`,
    rows are overwritten from the files. Rows the files no longer have are kept and reported: deleting
    a lesson or question would delete students' completions and attempts.
    """
    curriculum = read_curriculum(root)
    report = SeedReport()
    existing_modules = Module.objects.in_bulk([m.id for m in curriculum.modules])
    for data in curriculum.modules:
        module = existing_modules.get(data.id) or Module(id=data.id)
        _apply(module, _module_values(data), update=update, report=report, kind="modules")

        lessons = {lesson.slug: lesson for lesson in module.lessons.all()}
        for lesson_data in data.lessons:
            lesson = lessons.pop(lesson_data.slug, None) or Lesson(module=module, slug=lesson_data.slug)
            _apply(lesson, _lesson_values(lesson_data), update=update, report=report, kind="lessons")
        report.kept += [f"lesson {module.id}/{slug}" for slug in lessons]

        questions = {q.order_index: q for q in module.assessments.all()}
        for item in data.assessments:
            question = questions.pop(item.order_index, None) or Assessment(module=module, order_index=item.order_index)
            _apply(question, _assessment_values(item), update=update, report=report, kind="assessments")
        report.kept += [f"assessment {module.id}/{order}" for order in questions]

        resources = {r.url: r for r in module.resources.all()}
        for resource_data in data.resources:
            resource = resources.pop(resource_data.url, None) or LearningResource(module=module, url=resource_data.url)
            values = {
                "title": resource_data.title,
                "resource_type": resource_data.resource_type,
                "difficulty": resource_data.difficulty,
            }
            _apply(resource, values, update=update, report=report, kind="resources")
        report.kept += [f"resource {module.id}/{url}" for url in resources]

    achievements = {a.name: a for a in Achievement.objects.all()}
    for data in curriculum.achievements:
        achievement = achievements.get(data.name) or Achievement(name=data.name)
        values = {
            "description": data.description,
            "icon": data.icon,
            "category": data.category,
            "points": data.points,
            "criteria": data.criteria,
            "is_active": True,
        }
        _apply(achievement, values, update=update, report=report, kind="achievements")
    return report


# --- progress ----------------------------------------------------------------------------------


def progress_for_update(*, user, module) -> UserProgress:
    UserProgress.objects.bulk_create([UserProgress(user=user, module=module)], ignore_conflicts=True)
    return UserProgress.objects.select_for_update().get(user=user, module=module)


@transaction.atomic
def module_visit(*, user, module: Module) -> None:
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


def progress_recompute(*, user, module: Module) -> UserProgress:
    """Make the module's user_progress row true again from lesson completions and quiz sittings.

    percent = (completed lessons + quiz passed) / (lessons + 1) × 100; completed when every lesson
    is complete and the quiz is passed. The row is locked, so two tabs cannot interleave.
    """
    from assessments.models import QuestionType, QuizSitting

    with transaction.atomic():
        progress = progress_for_update(user=user, module=module)
        lessons = module.lessons.count()
        done = LessonCompletion.objects.filter(user=user, lesson__module=module).count()
        # A module without quiz questions is measured by its lessons alone.
        has_quiz = module.assessments.exclude(question_type=QuestionType.CODING_TASK).exists()
        quiz_passed = has_quiz and QuizSitting.objects.filter(user=user, module=module, passed=True).exists()
        parts = lessons + (1 if has_quiz else 0)
        now = timezone.now()
        percent = (done + quiz_passed) / parts * 100 if parts else 0
        progress.progress_percent = Decimal(round(percent, 2)).quantize(Decimal("0.01"))
        if lessons and done >= lessons and (quiz_passed or not has_quiz):
            progress.status = ProgressStatus.COMPLETED
            progress.completed_at = progress.completed_at or now
        else:
            progress.status = ProgressStatus.IN_PROGRESS
            progress.completed_at = None
        progress.started_at = progress.started_at or now
        progress.last_accessed = now
        progress.save(update_fields=["progress_percent", "status", "completed_at", "started_at", "last_accessed"])
    return progress


@transaction.atomic
def lesson_complete(*, user, lesson: Lesson) -> UserProgress:
    """Mark a lesson complete (a second call changes nothing) and update the module's progress."""
    LessonCompletion.objects.bulk_create([LessonCompletion(user=user, lesson=lesson)], ignore_conflicts=True)
    return progress_recompute(user=user, module=lesson.module)


@transaction.atomic
def activity_heartbeat(*, user, module: Module) -> int:
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
def resource_vote_toggle(*, user, resource: LearningResource) -> bool:
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


@transaction.atomic
def profile_update(*, user, full_name: str, username: str):
    user.full_name = full_name.strip() or None
    user.username = username.strip()
    user.full_clean(exclude=["password"])
    user.save(update_fields=["full_name", "username", "updated_at"])
    return user
