"""Reads for the assessments app."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from assessments.models import Assessment, QuizSitting
from courses.models import Module


def quiz_questions(module: Module) -> list[Assessment]:
    """The questions a module's quiz page asks (coding tasks are graded elsewhere)."""
    return list(module.assessments.quiz().order_by("order_index"))


@dataclass
class QuizSummary:
    question_count: int
    sittings: int
    best_percent: float | None
    passed: bool
    pass_percent: int


def quiz_summary(*, user, module: Module) -> QuizSummary:
    count = module.assessments.quiz().count()
    if not user.is_authenticated:
        return QuizSummary(count, 0, None, False, settings.QUIZ_PASS_PERCENT)
    sittings = list(QuizSitting.objects.filter(user=user, module=module).values_list("percent", "passed"))
    best = max((float(p) for p, _ in sittings), default=None)
    return QuizSummary(count, len(sittings), best, any(ok for _, ok in sittings), settings.QUIZ_PASS_PERCENT)


def sitting_history(*, user, module: Module):
    return QuizSitting.objects.filter(user=user, module=module).order_by("-submitted_at")


def sitting_with_answers(*, user, module: Module, sitting_id) -> QuizSitting | None:
    """A sitting of the user's own, with its attempts and their questions (2 queries)."""
    sitting = QuizSitting.objects.filter(user=user, module=module, pk=sitting_id).first()
    if sitting is None:
        return None
    sitting.answers = list(sitting.attempts.select_related("assessment").order_by("assessment__order_index"))
    return sitting
