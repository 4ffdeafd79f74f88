"""Writes for the assessments app: quiz sittings, code submissions, grading and peer review."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Role
from assessments.models import (
    Assessment,
    CodeSubmission,
    PeerReview,
    QuizAttempt,
    QuizSitting,
    SubmissionStatus,
)
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


# How long a quiz form keeps its ticket across reloads (the same ticket, so the same option order);
# a form opened longer ago than this gets a fresh ticket.
TICKET_REUSE = timedelta(hours=1)


def quiz_ticket_for_form(*, user: User, module: Module, previous: str | None) -> str:
    """The ticket for the quiz form shown now: `previous` (the one this learner's session was
    shown last) while it is valid, recent and not yet submitted, else a new one."""
    if previous:
        ticket = quiz_ticket_read(previous, module=module)
        if (
            ticket is not None
            and timezone.now() - ticket.issued_at < TICKET_REUSE
            and not QuizSitting.objects.filter(user=user, submission_token=ticket.token).exists()
        ):
            return previous
    return quiz_ticket_issue(module=module)


def quiz_option_order(*, token: uuid.UUID, question: Assessment) -> list[str]:
    """The order a sitting shows a multiple-choice question's options in: shuffled, and always
    the same for the same sitting (seeded by its token and the question), so a reload shows the
    same order. Options keep their keys (A-D), so grading does not depend on the order."""
    keys = sorted(question.options or {})
    random.Random(f"{token}:{question.pk}").shuffle(keys)
    return keys


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


def _sitting_open(
    *, user: User, module: Module, token: uuid.UUID, started_at: datetime, at: datetime
) -> tuple[QuizSitting, bool]:
    """The sitting of this (user, token), created now unless it exists; True when created. The
    unique key decides, even between simultaneous requests."""
    try:
        with transaction.atomic():
            sitting = QuizSitting.objects.create(
                user=user, module=module, submission_token=token, started_at=started_at, submitted_at=at
            )
    except IntegrityError:
        return QuizSitting.objects.get(user=user, submission_token=token), False
    return sitting, True


def _even_share(*, started_at: datetime, submitted_at: datetime, questions: int) -> int:
    """Seconds per question when only the sitting's duration is known, capped per question."""
    elapsed = max(0.0, (submitted_at - started_at).total_seconds())
    return int(min(elapsed / max(1, questions), MAX_SECONDS_PER_QUESTION))


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
    sitting, created = _sitting_open(user=user, module=module, token=ticket.token, started_at=ticket.issued_at, at=now)
    if not created:
        return sitting
    per_question = _even_share(started_at=ticket.issued_at, submitted_at=now, questions=len(questions))
    sitting_grade(sitting=sitting, questions=questions, answers=answers, when=now, seconds_for=lambda q: per_question)
    module_visit(user=user, module=module)
    progress_recompute(user=user, module=module)
    return sitting


@transaction.atomic
def quiz_sitting_record(
    *,
    user: User,
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
        questions = list(quiz_questions(module=module))
    elif any(q.module_id != module.pk or q.is_coding_task for q in questions):
        raise ValidationError({"questions": "Only this module's quiz questions belong to its sittings."})
    if not questions:
        raise QuizUnavailable("This module has no quiz questions yet.")
    sitting, created = _sitting_open(user=user, module=module, token=token, started_at=started_at, at=submitted_at)
    if not created:
        return sitting
    per_question = _even_share(started_at=started_at, submitted_at=submitted_at, questions=len(questions))
    sitting_grade(
        sitting=sitting,
        questions=questions,
        answers=answers,
        when=submitted_at,
        seconds_for=seconds_for or (lambda question: per_question),
    )
    progress_recompute(user=user, module=module, at=submitted_at)
    return sitting


# --- coding tasks and peer review ---------------------------------------------------------------

MAX_SUBMISSION_FILES = 20
MAX_SUBMISSION_BYTES = 256 * 1024


def _files_check(files: object) -> dict[str, str]:
    if not isinstance(files, dict) or not files:
        raise ValidationError({"file_uploads": "Submit at least one file."})
    if len(files) > MAX_SUBMISSION_FILES:
        raise ValidationError({"file_uploads": f"Submit at most {MAX_SUBMISSION_FILES} files."})
    for name, content in files.items():
        if not isinstance(name, str) or not isinstance(content, str):
            raise ValidationError({"file_uploads": "Each file is a name and its text."})
        if not name.strip() or len(name) > 255 or "/" in name or "\\" in name or name.startswith("."):
            raise ValidationError({"file_uploads": f"{name[:50]!r} is not a plain file name."})
    size = sum(len(content.encode()) for content in files.values())
    if size > MAX_SUBMISSION_BYTES:
        message = f"The files are too large ({size} bytes; at most {MAX_SUBMISSION_BYTES})."
        raise ValidationError({"file_uploads": message})
    return dict(files)


def _scores_check(scores: object, field: str) -> dict | None:
    if scores is None:
        return None
    if not isinstance(scores, dict) or not all(
        isinstance(k, str) and isinstance(v, int | float) and not isinstance(v, bool) and v >= 0
        for k, v in scores.items()
    ):
        raise ValidationError({field: "Rubric scores are criterion names with numbers ≥ 0."})
    return dict(scores)


@transaction.atomic
def code_submission_create(
    *, user: User, assessment: Assessment, files: dict[str, str], submitted_at: datetime | None = None
) -> CodeSubmission:
    """Hand in a solution to a coding task: a new version each time (1, 2, ...), status submitted."""
    if not assessment.is_coding_task:
        raise ValidationError({"assessment": "Only coding tasks take code submissions."})
    files = _files_check(files)
    # Serialise the learner's submissions of this task, so two at once get different versions;
    # FOR NO KEY UPDATE does not block inserts that reference the user.
    get_user_model().objects.select_for_update(no_key=True).filter(pk=user.pk).first()
    latest = CodeSubmission.objects.filter(user=user, assessment=assessment).aggregate(v=Max("submission_version"))["v"]
    submission = CodeSubmission(
        user=user,
        assessment=assessment,
        file_uploads=files,
        status=SubmissionStatus.SUBMITTED,
        submission_version=(latest or 0) + 1,
    )
    if submitted_at is not None:
        submission.submitted_at = submitted_at
    submission.full_clean()
    submission.save(force_insert=True)
    return submission


@transaction.atomic
def code_submission_grade(
    *,
    submission: CodeSubmission,
    grader: User,
    grade: int,
    feedback: str,
    rubric_scores: dict | None,
    graded_at: datetime | None = None,
    status: str = SubmissionStatus.GRADED,
) -> CodeSubmission:
    """A teacher's (or admin's) grade, feedback and rubric for a submission; `status` may instead
    ask for a revision. Grading again replaces the previous grade."""
    if grader.role not in (Role.TEACHER, Role.ADMIN) or not grader.is_active:
        raise PermissionDenied("Only teachers and admins grade submissions.")
    if grader.pk == submission.user_id:
        raise PermissionDenied("Nobody grades their own submission.")
    if status not in (SubmissionStatus.GRADED, SubmissionStatus.REVISION_NEEDED):
        raise ValidationError({"status": "A grade marks a submission graded or revision-needed."})
    if isinstance(grade, bool) or not isinstance(grade, int):
        raise ValidationError({"grade": "The grade is a whole number."})
    rubric_scores = _scores_check(rubric_scores, "rubric_scores")
    submission = CodeSubmission.objects.select_for_update().get(pk=submission.pk)
    graded_at = graded_at or timezone.now()
    if submission.submitted_at and graded_at < submission.submitted_at:
        raise ValidationError({"graded_at": "A submission cannot be graded before it was submitted."})
    submission.grade = grade
    submission.instructor_feedback = (feedback or "").strip() or None
    submission.rubric_scores = rubric_scores
    submission.status = status
    submission.graded_at = graded_at
    submission.graded_by = grader
    submission.full_clean()  # the grade is checked against max_grade here
    submission.save(update_fields=["grade", "instructor_feedback", "rubric_scores", "status", "graded_at", "graded_by"])
    return submission


@transaction.atomic
def peer_review_create(
    *,
    submission: CodeSubmission,
    reviewer: User,
    rubric_scores: dict | None,
    comments: str,
    is_helpful: bool | None = None,
    submitted_at: datetime | None = None,
) -> PeerReview:
    """A learner's review of another learner's submission: one per reviewer and submission."""
    if reviewer.pk == submission.user_id:
        raise ValidationError({"reviewer": "You cannot review your own submission."})
    rubric_scores = _scores_check(rubric_scores, "rubric_scores")
    comments = (comments or "").strip()
    if not comments and not rubric_scores:
        raise ValidationError({"comments": "A review needs comments or rubric scores."})
    review = PeerReview(
        submission=submission,
        reviewer=reviewer,
        rubric_scores=rubric_scores,
        comments=comments or None,
        is_helpful=is_helpful,
    )
    if submitted_at is not None:
        review.submitted_at = submitted_at
    if submission.submitted_at and review.submitted_at < submission.submitted_at:
        raise ValidationError({"submitted_at": "A review cannot come before the submission."})
    review.full_clean()  # one review per reviewer and submission
    try:
        with transaction.atomic():
            review.save(force_insert=True)
    except IntegrityError as error:  # a simultaneous review by the same reviewer won
        raise ValidationError("You have already reviewed this submission.") from error
    return review
