"""Reads for the assessments app."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Prefetch, QuerySet

from assessments.models import Assessment, QuizAttempt, QuizSitting
from courses.models import Module

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User


def quiz_questions(*, module: Module) -> QuerySet[Assessment]:
    """The questions a module's quiz page asks, in order (coding tasks are graded elsewhere)."""
    return module.assessments.quiz().order_by("order_index")


@dataclass
class QuizSummary:
    question_count: int
    sittings: int
    best_percent: float | None
    passed: bool
    pass_percent: int


def quiz_summary(*, user: User | AnonymousUser, module: Module) -> QuizSummary:
    count = module.assessments.quiz().count()
    if not user.is_authenticated:
        return QuizSummary(count, 0, None, False, settings.QUIZ_PASS_PERCENT)
    sittings = list(QuizSitting.objects.filter(user=user, module=module).values_list("percent", "passed"))
    best = max((float(p) for p, _ in sittings), default=None)
    return QuizSummary(count, len(sittings), best, any(ok for _, ok in sittings), settings.QUIZ_PASS_PERCENT)


def answers_revealed(*, user: User, module: Module) -> bool:
    """Whether the result pages show the right answers of this module's quiz to this learner
    (settings.QUIZ_REVEAL_ANSWERS): "after-pass" once they have passed it, "always" or "never".
    Before that, a learner sees which answers were wrong and the explanations, not the answers,
    so the questions cannot simply be answered from the first result page."""
    mode = settings.QUIZ_REVEAL_ANSWERS
    if mode == "always":
        return True
    if mode == "never":
        return False
    return QuizSitting.objects.filter(user=user, module=module, passed=True).exists()


def sitting_history(*, user: User, module: Module) -> QuerySet[QuizSitting]:
    return QuizSitting.objects.filter(user=user, module=module).order_by("-submitted_at")


def sittings_with_answers(*, user: User, module: Module) -> QuerySet[QuizSitting]:
    """The user's own sittings of the module, each with `answers`: its attempts with their
    questions in question order (one query for the sittings, one for all their attempts)."""
    attempts = QuizAttempt.objects.select_related("assessment").order_by("assessment__order_index")
    return QuizSitting.objects.filter(user=user, module=module).prefetch_related(
        Prefetch("attempts", queryset=attempts, to_attr="answers")
    )
