"""Reads for the courses app that cross relations."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Literal

from django.db.models import Count, Exists, F, IntegerField, Max, OuterRef, QuerySet
from django.db.models.functions import Cast
from django.utils import timezone

from courses.models import (
    Lesson,
    LessonCompletion,
    Module,
    ProgressStatus,
    ResourceVote,
    Track,
    UserProgress,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User
    from courses.filters import ResourceFilter

# --- learner pages ---------------------------------------------------------------------------


@dataclass
class ModuleCard:
    """A module as one learner sees it in lists: their progress and, if locked, why."""

    module: Module
    lesson_count: int
    progress: UserProgress | None
    missing: list[Module]

    @property
    def locked(self) -> bool:
        return bool(self.missing)

    @property
    def percent(self) -> float:
        return float(self.progress.progress_percent or 0) if self.progress else 0.0

    @property
    def status(self) -> str:
        return (self.progress.status if self.progress else None) or ProgressStatus.NOT_STARTED


def can_bypass_locks(*, user: User | AnonymousUser) -> bool:
    return user.is_authenticated and user.is_staff


def visible_modules(*, user: User | AnonymousUser) -> QuerySet[Module]:
    """Modules a user may see: published ones, or all of them for teachers and admins."""
    modules = Module.objects.all()
    if not can_bypass_locks(user=user):
        modules = modules.filter(is_published=True)
    return modules


def progress_by_module(*, user: User | AnonymousUser) -> dict[int, UserProgress]:
    if not user.is_authenticated:
        return {}
    return {p.module_id: p for p in UserProgress.objects.filter(user=user)}


def missing_prerequisites(*, module: Module, completed: set[int], modules_by_id: Mapping[int, Module]) -> list[Module]:
    return [modules_by_id[p] for p in (module.prerequisites or []) if p not in completed and p in modules_by_id]


def catalog_cards(*, user: User | AnonymousUser) -> list[ModuleCard]:
    """Every visible module with lesson count, the user's progress and lock reason (3 queries)."""
    modules = list(visible_modules(user=user).annotate(lesson_count=Count("lessons")).order_by("order_index", "id"))
    all_modules = {m.id: m for m in modules}
    progress = progress_by_module(user=user)
    completed = {mid for mid, p in progress.items() if p.status == ProgressStatus.COMPLETED}
    bypass = can_bypass_locks(user=user)
    return [
        ModuleCard(
            module=m,
            lesson_count=m.lesson_count,
            progress=progress.get(m.id),
            missing=[] if bypass else missing_prerequisites(module=m, completed=completed, modules_by_id=all_modules),
        )
        for m in modules
    ]


def module_card(*, user: User | AnonymousUser, module_id: int) -> ModuleCard | None:
    """The module as this user sees it, or None when it does not exist or is hidden from them."""
    module = visible_modules(user=user).filter(id=module_id).first()
    if module is None:
        return None
    progress = progress_by_module(user=user)
    completed = {mid for mid, p in progress.items() if p.status == ProgressStatus.COMPLETED}
    missing: list[Module] = []
    if not can_bypass_locks(user=user) and module.prerequisites:
        # The same rule as the catalog: an unpublished prerequisite cannot be completed, so it
        # does not lock anything.
        prerequisites = visible_modules(user=user).in_bulk(module.prerequisites)
        missing = missing_prerequisites(module=module, completed=completed, modules_by_id=prerequisites)
    return ModuleCard(
        module=module, lesson_count=module.lessons.count(), progress=progress.get(module.id), missing=missing
    )


def module_lessons(*, module: Module, user: User | AnonymousUser) -> list[tuple[Lesson, bool]]:
    """The module's lessons in order (without their bodies) with the user's completion ticks."""
    lessons = list(module.lessons.order_by("order_index", "created_at").defer("content"))
    done: set[int] = set()
    if user.is_authenticated:
        done = set(
            LessonCompletion.objects.filter(user=user, lesson__module=module).values_list("lesson_id", flat=True)
        )
    return [(lesson, lesson.id in done) for lesson in lessons]


def next_lesson_position(*, lessons: list[tuple[Lesson, bool]]) -> int:
    """1-based position of the first lesson not yet complete (the last one when all are)."""
    for position, (_, done) in enumerate(lessons, 1):
        if not done:
            return position
    return len(lessons) or 1


MAX_LESSONS = 1000  # a position beyond any module's size (and PostgreSQL's OFFSET range)


def lesson_at(*, module: Module, position: int) -> Lesson | None:
    if not 1 <= position <= MAX_LESSONS:
        return None
    return module.lessons.order_by("order_index", "created_at")[position - 1 : position].first()


def module_resources(*, module: Module, user: User | AnonymousUser, params: Mapping[str, Any] | None) -> ResourceFilter:
    """The module's resources filtered and sorted per `params`, with the user's votes marked."""
    from courses.filters import ResourceFilter

    queryset = module.resources.all()
    if user.is_authenticated:
        queryset = queryset.annotate(voted=Exists(ResourceVote.objects.filter(resource=OuterRef("pk"), user=user)))
    return ResourceFilter(params, queryset=queryset)


def continue_target(*, user: User | AnonymousUser) -> tuple[Module, int] | None:
    """The module the user touched last and not finished, with the position of its next lesson."""
    if not user.is_authenticated:
        return None
    progress = (
        UserProgress.objects.filter(user=user, status=ProgressStatus.IN_PROGRESS, module__is_published=True)
        .select_related("module")
        .order_by(F("last_accessed").desc(nulls_last=True))
        .first()
    )
    if progress is None:
        return None
    return progress.module, next_lesson_position(lessons=module_lessons(module=progress.module, user=user))


@dataclass(frozen=True)
class TrackProgress:
    """One track on the dashboard: how many of its published modules the learner completed."""

    value: str
    label: str
    done: int
    total: int

    @property
    def percent(self) -> int:
        return round(self.done / self.total * 100) if self.total else 0


@dataclass(frozen=True)
class QuizRow:
    """The learner's sittings of one module's quiz, summed up."""

    module_id: int
    module_title: str
    sittings: int
    best: Decimal
    passed: bool


@dataclass(frozen=True)
class ActivityItem:
    """A lesson completed (kind "lesson", `title` is the lesson's) or a quiz sitting (kind "quiz",
    `title` is the module's, with its percent and verdict). The template words them."""

    kind: Literal["lesson", "quiz"]
    when: datetime | None
    module_id: int
    title: str
    percent: Decimal | None = None
    passed: bool = False


_LONG_AGO = datetime.min.replace(tzinfo=UTC)  # sorts an item without a timestamp last


@dataclass
class Dashboard:
    tracks: list[TrackProgress]
    in_progress: list[tuple[UserProgress, int]]
    completed: list[UserProgress]
    quiz_rows: list[QuizRow]
    total_minutes: int
    activity: list[ActivityItem]


def dashboard(*, user: User) -> Dashboard:
    """Everything on a learner's dashboard in a fixed number of queries."""
    from assessments.models import QuizSitting

    modules = list(Module.objects.filter(is_published=True).annotate(lesson_count=Count("lessons")))
    progress = progress_by_module(user=user)
    tracks = []
    for value, label in Track.choices:
        in_track = [m for m in modules if m.track == value]
        done = sum(1 for m in in_track if (p := progress.get(m.id)) and p.status == ProgressStatus.COMPLETED)
        tracks.append(TrackProgress(value=value, label=label, done=done, total=len(in_track)))
    by_id = {m.id: m for m in modules}
    in_progress_ids = [mid for mid, p in progress.items() if p.status == ProgressStatus.IN_PROGRESS]
    done_ids = set(
        LessonCompletion.objects.filter(user=user, lesson__module_id__in=in_progress_ids).values_list(
            "lesson_id", flat=True
        )
    )
    lessons_by_module: dict[int, list[tuple[Lesson, bool]]] = {}
    for lesson in (
        Lesson.objects.filter(module_id__in=in_progress_ids)
        .order_by("order_index", "created_at")
        .only("id", "module_id")
    ):
        lessons_by_module.setdefault(lesson.module_id, []).append((lesson, lesson.id in done_ids))
    in_progress: list[tuple[UserProgress, int]] = []
    completed: list[UserProgress] = []
    for p in sorted(progress.values(), key=lambda p: p.last_accessed or p.started_at or timezone.now(), reverse=True):
        if p.module_id not in by_id:
            continue
        p.module = by_id[p.module_id]
        if p.status == ProgressStatus.COMPLETED:
            completed.append(p)
        elif p.status == ProgressStatus.IN_PROGRESS:
            in_progress.append((p, next_lesson_position(lessons=lessons_by_module.get(p.module_id, []))))
    quiz_rows = [
        QuizRow(
            module_id=row["module_id"],
            module_title=row["module__title"],
            sittings=row["sittings"],
            best=row["best"],
            passed=bool(row["passed"]),
        )
        for row in QuizSitting.objects.filter(user=user)
        .values("module_id", "module__title")
        .annotate(sittings=Count("id"), best=Max("percent"), passed=Max(Cast("passed", IntegerField())))
        .order_by("module_id")
    ]
    lessons_done = [
        ActivityItem(kind="lesson", when=c.completed_at, module_id=c.lesson.module_id, title=c.lesson.title)
        for c in LessonCompletion.objects.filter(user=user).select_related("lesson").order_by("-completed_at")[:10]
    ]
    sittings = [
        ActivityItem(
            kind="quiz",
            when=s.submitted_at,
            module_id=s.module_id,
            title=s.module.title,
            percent=s.percent,
            passed=s.passed,
        )
        for s in QuizSitting.objects.filter(user=user).select_related("module").order_by("-submitted_at")[:10]
    ]
    activity = sorted(lessons_done + sittings, key=lambda a: a.when or _LONG_AGO, reverse=True)[:10]
    return Dashboard(
        tracks=tracks,
        in_progress=in_progress,
        completed=completed,
        quiz_rows=quiz_rows,
        total_minutes=sum(p.time_spent_minutes or 0 for p in progress.values()),
        activity=activity,
    )
