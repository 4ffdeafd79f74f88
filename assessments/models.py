from django.conf import settings
from django.db import models
from django.urls import reverse

from assessments.answers import accepted_answers, short_answer_matches
from common.fields import choices_check, created_at, range_check, uuid_primary_key
from courses.models import Module


class QuestionType(models.TextChoices):
    MULTIPLE_CHOICE = "multiple-choice", "Multiple choice"
    TRUE_FALSE = "true-false", "True / false"
    SHORT_ANSWER = "short-answer", "Short answer"
    CODING_TASK = "coding-task", "Coding task"


class SubmissionStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    GRADED = "graded", "Graded"
    REVISION_NEEDED = "revision-needed", "Revision needed"


class AssessmentQuerySet(models.QuerySet):
    def quiz(self) -> "AssessmentQuerySet":
        """The questions a module's quiz asks: everything but coding tasks (graded in the sandbox)."""
        return self.exclude(question_type=QuestionType.CODING_TASK)

    def coding_tasks(self) -> "AssessmentQuerySet":
        return self.filter(question_type=QuestionType.CODING_TASK)


class Assessment(models.Model):
    id = uuid_primary_key()
    module = models.ForeignKey(Module, on_delete=models.DB_CASCADE, related_name="assessments", db_index=False)
    question_text = models.TextField()
    question_type = models.CharField(max_length=50, choices=QuestionType.choices)
    options = models.JSONField(null=True, blank=True, help_text='Multiple choice: {"A": "...", ..., "D": "..."}')
    correct_answer = models.TextField(
        null=True,
        blank=True,
        help_text="Multiple choice: the option key. True/false: true or false. "
        "Short answer: accepted answers separated by |.",
    )
    explanation = models.TextField(null=True, blank=True)
    points = models.IntegerField(null=True, default=10, db_default=10)
    order_index = models.IntegerField()
    created_at = created_at()
    # Coding tasks (modules 11–17): run in the sandbox, never in the web process.
    starter_code = models.TextField(blank=True, default="", db_default="")
    test_code = models.TextField(
        blank=True,
        default="",
        db_default="",
        help_text="Hidden tests: test_*(t) functions that record calls and checks (curriculum/content/FORMAT.md).",
    )
    reference_solution = models.TextField(blank=True, default="", db_default="")

    objects = AssessmentQuerySet.as_manager()

    class Meta:
        db_table = "assessments"
        ordering = ["module_id", "order_index"]
        constraints = [
            choices_check("question_type", QuestionType, "assessments"),
            range_check("points", "assessments", low=0),
            range_check("order_index", "assessments", low=0),
        ]
        indexes = [
            models.Index(fields=["module"], name="idx_assessments_module"),
            models.Index(fields=["question_type"], name="idx_assessments_type"),
        ]

    def __str__(self) -> str:
        return f"{self.module_id}.{self.order_index} {self.question_text[:60]}"

    @property
    def is_coding_task(self) -> bool:
        return self.question_type == QuestionType.CODING_TASK

    @property
    def accepted_answers(self) -> list[str]:
        """Short answer: every accepted spelling; other types: the one correct answer."""
        if self.question_type == QuestionType.SHORT_ANSWER:
            return accepted_answers(self.correct_answer)
        return [self.correct_answer] if self.correct_answer else []

    def is_correct(self, answer: str) -> bool:
        answer = (answer or "").strip()
        if self.question_type == QuestionType.SHORT_ANSWER:
            return short_answer_matches(answer, self.correct_answer)
        if self.question_type == QuestionType.TRUE_FALSE:
            return answer.lower() == (self.correct_answer or "").lower()
        return answer == (self.correct_answer or "")


class QuizSitting(models.Model):
    """One sitting of a module's quiz (extra table): the attempts it graded share its id."""

    id = uuid_primary_key()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="quiz_sittings", db_index=False
    )
    module = models.ForeignKey(Module, on_delete=models.DB_CASCADE, related_name="quiz_sittings", db_index=False)
    # The token rendered into the quiz form: a refresh or double click submits it twice, and the
    # unique constraint turns the second submission into "show the first result".
    submission_token = models.UUIDField()
    started_at = models.DateTimeField(null=True, blank=True)
    submitted_at = created_at()
    score = models.IntegerField(default=0)
    max_score = models.IntegerField(default=0)
    percent = models.DecimalField(max_digits=5, decimal_places=2, default=0)
    passed = models.BooleanField(default=False)

    class Meta:
        db_table = "quiz_sittings"
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["user", "submission_token"], name="quiz_sittings_user_token_key"),
            range_check("percent", "quiz_sittings", low=0, high=100),
            range_check("score", "quiz_sittings", low=0),
        ]
        indexes = [models.Index(fields=["user", "module", "submitted_at"], name="idx_sittings_user_module")]

    def __str__(self) -> str:
        return f"{self.user_id} on module {self.module_id}: {self.percent}%"

    def get_absolute_url(self) -> str:
        return reverse("assessments:quiz_result", args=[self.module_id, self.pk])


class QuizAttempt(models.Model):
    id = uuid_primary_key()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="quiz_attempts", db_index=False
    )
    assessment = models.ForeignKey(Assessment, on_delete=models.DB_CASCADE, related_name="attempts", db_index=False)
    user_answer = models.TextField(null=True, blank=True)
    is_correct = models.BooleanField(null=True)
    points_earned = models.IntegerField(null=True)
    attempted_at = created_at()
    time_spent_seconds = models.IntegerField(null=True)
    sitting = models.ForeignKey(
        QuizSitting, on_delete=models.DB_CASCADE, null=True, blank=True, related_name="attempts", db_index=False
    )

    class Meta:
        db_table = "quiz_attempts"
        ordering = ["-attempted_at"]
        constraints = [
            range_check("points_earned", "quiz_attempts", low=0),
            range_check("time_spent_seconds", "quiz_attempts", low=0),
        ]
        indexes = [
            models.Index(fields=["user"], name="idx_attempts_user"),
            models.Index(fields=["assessment"], name="idx_attempts_assessment"),
            models.Index(fields=["attempted_at"], name="idx_attempts_date"),
            models.Index(fields=["sitting"], name="idx_attempts_sitting"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.assessment_id}: {'right' if self.is_correct else 'wrong'}"


class CodeSubmission(models.Model):
    id = uuid_primary_key()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="code_submissions", db_index=False
    )
    assessment = models.ForeignKey(
        Assessment, on_delete=models.DB_CASCADE, related_name="code_submissions", db_index=False
    )
    github_url = models.URLField(max_length=500, null=True, blank=True)
    file_uploads = models.JSONField(null=True, blank=True, help_text='{"filename.py": "content"}')
    status = models.CharField(
        max_length=20,
        choices=SubmissionStatus.choices,
        null=True,
        default=SubmissionStatus.SUBMITTED,
        db_default=SubmissionStatus.SUBMITTED,
    )
    grade = models.IntegerField(null=True, blank=True)
    max_grade = models.IntegerField(null=True, default=100, db_default=100)
    instructor_feedback = models.TextField(null=True, blank=True)
    rubric_scores = models.JSONField(null=True, blank=True)
    submission_version = models.IntegerField(null=True, default=1, db_default=1)
    submitted_at = created_at()
    graded_at = models.DateTimeField(null=True, blank=True)
    graded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_column="graded_by",
        on_delete=models.DO_NOTHING,  # NO ACTION, as the schema; see accounts.services.user_delete
        null=True,
        blank=True,
        related_name="graded_submissions",
        db_index=False,
    )

    class Meta:
        db_table = "code_submissions"
        ordering = ["-submitted_at"]
        constraints = [
            choices_check("status", SubmissionStatus, "code_submissions"),
            range_check("max_grade", "code_submissions", low=1),
            models.CheckConstraint(
                condition=models.Q(grade__gte=0, grade__lte=models.F("max_grade")), name="code_submissions_grade_range"
            ),
            range_check("submission_version", "code_submissions", low=1),
        ]
        indexes = [
            models.Index(fields=["user"], name="idx_submissions_user"),
            models.Index(fields=["assessment"], name="idx_submissions_assessment"),
            models.Index(fields=["status"], name="idx_submissions_status"),
            models.Index(fields=["graded_by"], name="idx_submissions_grader"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} v{self.submission_version} of {self.assessment_id}"


class PeerReview(models.Model):
    id = uuid_primary_key()
    submission = models.ForeignKey(
        CodeSubmission, on_delete=models.DB_CASCADE, related_name="peer_reviews", db_index=False
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="peer_reviews", db_index=False
    )
    rubric_scores = models.JSONField(null=True, blank=True)
    comments = models.TextField(null=True, blank=True)
    is_helpful = models.BooleanField(null=True, blank=True)
    submitted_at = created_at()

    class Meta:
        db_table = "peer_reviews"
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["submission", "reviewer"], name="peer_reviews_submission_id_reviewer_id_key"
            )
        ]
        indexes = [
            models.Index(fields=["submission"], name="idx_peer_reviews_submission"),
            models.Index(fields=["reviewer"], name="idx_peer_reviews_reviewer"),
        ]

    def __str__(self) -> str:
        return f"review by {self.reviewer_id} of {self.submission_id}"
