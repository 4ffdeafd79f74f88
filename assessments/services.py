"""Writes for the assessments app: grading and recording quiz sittings."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from assessments.models import Assessment, QuizAttempt, QuizSitting
from assessments.selectors import quiz_questions
from courses.models import Module
from courses.services import module_visit, progress_for_update, progress_recompute

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


def sittings_left_today(*, user, module: Module) -> int:
    start_of_day = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    used = QuizSitting.objects.filter(user=user, module=module, submitted_at__gte=start_of_day).count()
    return max(0, settings.QUIZ_MAX_SITTINGS_PER_DAY - used)


def sitting_grade(*, sitting: QuizSitting, questions: list[Assessment], answers: dict, when, seconds_for) -> None:
    """Grade every question of a sitting, write one quiz_attempts row each, and total the sitting."""
    attempts = []
    for question in questions:
        answer = str(answers.get(str(question.id), "")).strip()
        correct = question.is_correct(answer)
        attempts.append(
            QuizAttempt(
                user_id=sitting.user_id,
                assessment=question,
                sitting=sitting,
                user_answer=answer,
                is_correct=correct,
                points_earned=(question.points or 0) if correct else 0,
                attempted_at=when,
                time_spent_seconds=seconds_for(question),
            )
        )
    QuizAttempt.objects.bulk_create(attempts)
    sitting.score = sum(a.points_earned for a in attempts)
    sitting.max_score = sum(q.points or 0 for q in questions)
    percent = sitting.score / sitting.max_score * 100 if sitting.max_score else 100
    sitting.percent = Decimal(percent).quantize(Decimal("0.01"))
    sitting.passed = percent >= settings.QUIZ_PASS_PERCENT
    sitting.save(update_fields=["score", "max_score", "percent", "passed"])


@transaction.atomic
def quiz_submit(*, user, module: Module, questions: list[Assessment], answers: dict, ticket: QuizTicket) -> QuizSitting:
    """Grade one sitting and record one quiz_attempts row per question.

    Submitting the same form twice (refresh, double click, two tabs) returns the first sitting: the
    (user, token) unique constraint decides, even for simultaneous requests.
    """
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


@transaction.atomic
def quiz_sitting_record(
    *,
    user,
    module: Module,
    answers: dict,
    token: uuid.UUID,
    started_at: datetime,
    submitted_at: datetime,
    seconds_for: Callable[[Assessment], int] | None = None,
    questions: list[Assessment] | None = None,
) -> QuizSitting:
    """Record a sitting of a module's quiz taken at a known time (an import, the demo school).

    Graded like a submitted quiz form, by `sitting_grade`, then the learner's progress is recomputed
    as of `submitted_at`. The daily limit is a rule for live submissions and is not applied here.
    Recording the same (user, token) twice returns the first sitting. `seconds_for(question)` is the
    time spent on each question; by default the sitting's duration is shared evenly. `questions`
    are the module's quiz questions when the caller has them already (default: read them).
    """
    if not isinstance(answers, dict):
        raise ValidationError({"answers": "Answers are a mapping of question id to answer."})
    if started_at > submitted_at:
        raise ValidationError({"started_at": "A sitting cannot start after it was submitted."})
    if questions is None:
        questions = quiz_questions(module)
    elif any(q.module_id != module.pk or q.is_coding_task for q in questions):
        raise ValidationError({"questions": "Only this module's quiz questions belong to its sittings."})
    if not questions:
        raise QuizUnavailable("This module has no quiz questions yet.")
    try:  # the (user, token) unique key finds a sitting recorded before, even a moment ago
        with transaction.atomic():
            sitting = QuizSitting.objects.create(
                user=user, module=module, submission_token=token, started_at=started_at, submitted_at=submitted_at
            )
    except IntegrityError:
        return QuizSitting.objects.get(user=user, submission_token=token)
    per_question = int(min((submitted_at - started_at).total_seconds() / len(questions), MAX_SECONDS_PER_QUESTION))
    sitting_grade(
        sitting=sitting,
        questions=questions,
        answers=answers,
        when=submitted_at,
        seconds_for=seconds_for or (lambda question: per_question),
    )
    progress_recompute(user=user, module=module, at=submitted_at)
    return sitting
