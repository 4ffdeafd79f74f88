"""Writes for the assessments app: grading and recording quiz sittings."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.models import Assessment, QuizAttempt, QuizSitting
from assessments.selectors import quiz_questions
from courses.models import Module
from courses.services import module_visit, progress_for_update, progress_recompute

if TYPE_CHECKING:
    from accounts.models import User

QUIZ_TOKEN_SALT = "assessments.quiz-token"
MAX_SECONDS_PER_QUESTION = 30 * 60


class QuizLimitReached(Exception):
    """The learner has used today's sittings for this module."""


class QuizUnavailable(Exception):
    """The module has no questions to ask."""


@dataclass(frozen=True)
class QuizTicket:
    token: uuid.UUID
    issued_at: datetime
    module_id: int | None = None


def quiz_ticket_issue(*, module: Module) -> str:
    """A signed token for one quiz form: the sitting's identity, its module, when it was opened."""
    data = {"token": str(uuid.uuid4()), "issued": timezone.now().timestamp(), "module": module.id}
    return signing.dumps(data, salt=QUIZ_TOKEN_SALT)


def quiz_ticket_read(value: str, *, module: Module) -> QuizTicket | None:
    """The ticket, or None when it is forged, expired or belongs to another module's quiz."""
    try:
        data = signing.loads(value, salt=QUIZ_TOKEN_SALT, max_age=24 * 3600)
        ticket = QuizTicket(
            uuid.UUID(data["token"]), datetime.fromtimestamp(float(data["issued"]), tz=UTC), int(data["module"])
        )
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
    return ticket if ticket.module_id == module.id else None


def sittings_left_today(*, user: User, module: Module) -> int:
    start_of_day = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    used = QuizSitting.objects.filter(user=user, module=module, submitted_at__gte=start_of_day).count()
    return max(0, settings.QUIZ_MAX_SITTINGS_PER_DAY - used)


def sitting_grade(
    *,
    sitting: QuizSitting,
    questions: Sequence[Assessment],
    answers: Mapping[str, str],
    when: datetime,
    seconds_for: Callable[[Assessment], int],
) -> None:
    """Grade every question of a sitting, write one quiz_attempts row each, and total the sitting."""
    attempts = []
    score = 0
    for question in questions:
        answer = str(answers.get(str(question.id), "")).strip()
        correct = question.is_correct(answer)
        points = (question.points or 0) if correct else 0
        score += points
        attempts.append(
            QuizAttempt(
                user_id=sitting.user_id,
                assessment=question,
                sitting=sitting,
                user_answer=answer,
                is_correct=correct,
                points_earned=points,
                attempted_at=when,
                time_spent_seconds=seconds_for(question),
            )
        )
    QuizAttempt.objects.bulk_create(attempts)
    sitting.score = score
    sitting.max_score = sum(q.points or 0 for q in questions)
    percent = sitting.score / sitting.max_score * 100 if sitting.max_score else 100
    sitting.percent = Decimal(percent).quantize(Decimal("0.01"))
    sitting.passed = percent >= settings.QUIZ_PASS_PERCENT
    sitting.save(update_fields=["score", "max_score", "percent", "passed"])


@transaction.atomic
def quiz_submit(*, user: User, module: Module, answers: Mapping[str, str], ticket: QuizTicket) -> QuizSitting:
    """Grade one sitting of the module's quiz and record one quiz_attempts row per question.

    The questions are the module's own, as the quiz page asks them (selectors.quiz_questions), not
    whatever the caller might pass. Submitting the same form twice (refresh, double click, two
    tabs) returns the first sitting: the (user, token) unique constraint decides, even for
    simultaneous requests.
    """
    questions = list(quiz_questions(module=module))
    if not questions:
        raise QuizUnavailable("This module has no quiz questions yet.")
    # Lock the learner's progress row: two tabs with two different tickets cannot both slip under
    # the daily limit.
    progress_for_update(user=user, module=module)
    existing = QuizSitting.objects.filter(user=user, submission_token=ticket.token).first()
    if existing:
        return existing
    if sittings_left_today(user=user, module=module) <= 0:
        raise QuizLimitReached(
            f"You have used today's {settings.QUIZ_MAX_SITTINGS_PER_DAY} attempts at this quiz. Try again tomorrow."
        )
    now = timezone.now()
    try:
        with transaction.atomic():
            sitting = QuizSitting.objects.create(
                user=user, module=module, submission_token=ticket.token, started_at=ticket.issued_at, submitted_at=now
            )
    except IntegrityError:
        return QuizSitting.objects.get(user=user, submission_token=ticket.token)

    elapsed = max(0.0, (now - ticket.issued_at).total_seconds())
    per_question = int(min(elapsed / max(1, len(questions)), MAX_SECONDS_PER_QUESTION))
    sitting_grade(sitting=sitting, questions=questions, answers=answers, when=now, seconds_for=lambda q: per_question)
    module_visit(user=user, module=module)
    progress_recompute(user=user, module=module)
    return sitting
