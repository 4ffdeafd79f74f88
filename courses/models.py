from decimal import Decimal

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.urls import reverse
from markdownx.models import MarkdownxField

from common.fields import (
    choices_check,
    created_at,
    range_check,
    seed_boolean,
    updated_at,
    uuid_primary_key,
)


class Track(models.TextChoices):
    USER = "user", "User"
    POWER_USER = "power-user", "Power user"
    DEVELOPER = "developer", "Developer"
    ARCHITECT = "architect", "Architect"


class LessonType(models.TextChoices):
    READING = "reading", "Reading"
    VIDEO = "video", "Video (with transcript)"
    INTERACTIVE = "interactive", "Interactive"
    CODING = "coding", "Coding"


class ProgressStatus(models.TextChoices):
    NOT_STARTED = "not-started", "Not started"
    IN_PROGRESS = "in-progress", "In progress"
    COMPLETED = "completed", "Completed"


class ResourceType(models.TextChoices):
    VIDEO = "video", "Video"
    ARTICLE = "article", "Article"
    TUTORIAL = "tutorial", "Tutorial"
    DOCUMENTATION = "documentation", "Documentation"


class Difficulty(models.TextChoices):
    BEGINNER = "beginner", "Beginner"
    INTERMEDIATE = "intermediate", "Intermediate"
    ADVANCED = "advanced", "Advanced"


class Module(models.Model):
    id = models.IntegerField(primary_key=True, help_text="Module number (1–17).")
    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=100, blank=True, default="", db_default="", db_index=False, help_text="Content folder name."
    )
    description = models.TextField(null=True, blank=True)
    track = models.CharField(max_length=50, choices=Track.choices)
    duration_hours = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    order_index = models.IntegerField()
    is_published = seed_boolean(False)
    prerequisites = ArrayField(models.IntegerField(), null=True, blank=True, help_text="Ids of earlier modules.")
    created_at = created_at()
    updated_at = updated_at()

    class Meta:
        db_table = "modules"
        ordering = ["order_index", "id"]
        constraints = [
            choices_check("track", Track, "modules"),
            range_check("id", "modules", low=1),
            range_check("duration_hours", "modules", low=0),
            range_check("order_index", "modules", low=0),
        ]
        indexes = [
            models.Index(fields=["track"], name="idx_modules_track"),
            models.Index(fields=["order_index"], name="idx_modules_order"),
        ]

    def __str__(self) -> str:
        return f"{self.id}. {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("courses:module", args=[self.id])


class Lesson(models.Model):
    id = uuid_primary_key()
    module = models.ForeignKey(Module, on_delete=models.DB_CASCADE, related_name="lessons", db_index=False)
    title = models.CharField(max_length=200)
    slug = models.SlugField(
        max_length=100, blank=True, default="", db_default="", db_index=False, help_text="Content file name."
    )
    content = MarkdownxField(help_text="Markdown; previewed live beside the editor.")
    lesson_type = models.CharField(
        max_length=50, choices=LessonType.choices, null=True, default=LessonType.READING, db_default=LessonType.READING
    )
    order_index = models.IntegerField(help_text="1-based position in the module.")
    estimated_minutes = models.IntegerField(null=True, blank=True)
    created_at = created_at()
    updated_at = updated_at()

    class Meta:
        db_table = "lessons"
        ordering = ["module_id", "order_index"]
        constraints = [
            choices_check("lesson_type", LessonType, "lessons"),
            range_check("estimated_minutes", "lessons", low=0),
            range_check("order_index", "lessons", low=0),
        ]
        indexes = [
            models.Index(fields=["module"], name="idx_lessons_module"),
            models.Index(fields=["order_index"], name="idx_lessons_order"),
        ]

    def __str__(self) -> str:
        return f"{self.module_id}.{self.order_index} {self.title}"

    def get_absolute_url(self) -> str:
        return reverse("courses:lesson", args=[self.module_id, self.position])

    @property
    def position(self) -> int:
        """1-based place among the module's lessons, as in its URL (one query; lists number by loop)."""
        earlier = models.Q(order_index__lt=self.order_index) | models.Q(
            order_index=self.order_index, created_at__lt=self.created_at
        )
        return Lesson.objects.filter(earlier, module_id=self.module_id).count() + 1


class UserProgress(models.Model):
    id = uuid_primary_key()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="progress", db_index=False
    )
    module = models.ForeignKey(Module, on_delete=models.DB_CASCADE, related_name="progress", db_index=False)
    status = models.CharField(
        max_length=20,
        choices=ProgressStatus.choices,
        null=True,
        default=ProgressStatus.NOT_STARTED,
        db_default=ProgressStatus.NOT_STARTED,
    )
    progress_percent = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, default=Decimal("0.00"), db_default=Decimal("0.00")
    )
    started_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    last_accessed = models.DateTimeField(null=True, blank=True)
    time_spent_minutes = models.IntegerField(null=True, default=0, db_default=0)
    # Extra: active time in seconds (time_spent_minutes is derived from it) and the last heartbeat,
    # so that credited time never exceeds real elapsed time across tabs.
    active_seconds = models.IntegerField(default=0, db_default=0)
    last_heartbeat_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "user_progress"
        verbose_name_plural = "user progress"
        constraints = [
            models.UniqueConstraint(fields=["user", "module"], name="user_progress_user_id_module_id_key"),
            choices_check("status", ProgressStatus, "user_progress"),
            range_check("progress_percent", "user_progress", low=0, high=100),
            range_check("time_spent_minutes", "user_progress", low=0),
            range_check("active_seconds", "user_progress", low=0),
        ]
        indexes = [
            models.Index(fields=["user"], name="idx_progress_user"),
            models.Index(fields=["status"], name="idx_progress_status"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} / module {self.module_id}: {self.status}"


class LearningResource(models.Model):
    id = uuid_primary_key()
    module = models.ForeignKey(
        Module, on_delete=models.DB_CASCADE, related_name="resources", null=True, blank=True, db_index=False
    )
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=500)
    resource_type = models.CharField(max_length=50, choices=ResourceType.choices, null=True, blank=True)
    difficulty = models.CharField(max_length=20, choices=Difficulty.choices, null=True, blank=True)
    upvotes = models.IntegerField(null=True, default=0, db_default=0, editable=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_column="added_by",
        on_delete=models.DO_NOTHING,  # NO ACTION, as the schema; see accounts.services.user_delete
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    created_at = created_at()

    class Meta:
        db_table = "learning_resources"
        ordering = ["module_id", "-upvotes", "title"]
        constraints = [
            choices_check("resource_type", ResourceType, "learning_resources"),
            choices_check("difficulty", Difficulty, "learning_resources"),
            range_check("upvotes", "learning_resources", low=0),
        ]
        indexes = [models.Index(fields=["module"], name="idx_resources_module")]

    def __str__(self) -> str:
        return self.title


class LessonCompletion(models.Model):
    """Per-lesson completion (extra table): a module's progress is counted from these rows."""

    id = uuid_primary_key()
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="lesson_completions", db_index=False
    )
    lesson = models.ForeignKey(Lesson, on_delete=models.DB_CASCADE, related_name="completions", db_index=False)
    completed_at = created_at()

    class Meta:
        db_table = "lesson_completions"
        constraints = [models.UniqueConstraint(fields=["user", "lesson"], name="lesson_completions_user_lesson_key")]
        indexes = [models.Index(fields=["lesson"], name="idx_lesson_completions_lesson")]

    def __str__(self) -> str:
        return f"{self.user_id} completed {self.lesson_id}"


class ResourceVote(models.Model):
    """One upvote per learner and resource (extra table); learning_resources.upvotes counts them."""

    id = uuid_primary_key()
    resource = models.ForeignKey(LearningResource, on_delete=models.DB_CASCADE, related_name="votes", db_index=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="resource_votes", db_index=False
    )
    created_at = created_at()

    class Meta:
        db_table = "resource_votes"
        constraints = [models.UniqueConstraint(fields=["resource", "user"], name="resource_votes_resource_user_key")]
        indexes = [models.Index(fields=["user"], name="idx_resource_votes_user")]

    def __str__(self) -> str:
        return f"{self.user_id} upvoted {self.resource_id}"
