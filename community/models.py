from django.conf import settings
from django.db import models

from common.fields import choices_check, created_at, range_check, seed_boolean, updated_at, uuid_primary_key
from courses.models import Module


class CohortRole(models.TextChoices):
    STUDENT = "student", "Student"
    INSTRUCTOR = "instructor", "Instructor"


class VoteType(models.TextChoices):
    UPVOTE = "upvote", "Upvote"
    DOWNVOTE = "downvote", "Downvote"


class AchievementCategory(models.TextChoices):
    COMPLETION = "completion", "Completion"
    SCORE = "score", "Score"
    ENGAGEMENT = "engagement", "Engagement"
    HELPER = "helper", "Helper"


class Cohort(models.Model):
    id = uuid_primary_key()
    name = models.CharField(max_length=100)
    description = models.TextField(null=True, blank=True)
    start_date = models.DateField(null=True, blank=True)
    end_date = models.DateField(null=True, blank=True)
    is_active = seed_boolean(True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        db_column="created_by",
        on_delete=models.DO_NOTHING,  # NO ACTION, as the schema; see accounts.services.user_delete
        null=True,
        blank=True,
        related_name="cohorts_created",
        db_index=False,
    )
    created_at = created_at()
    updated_at = updated_at()

    class Meta:
        db_table = "cohorts"
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="cohorts_end_after_start"
            )
        ]
        indexes = [
            models.Index(fields=["is_active"], name="idx_cohorts_active"),
            models.Index(fields=["start_date", "end_date"], name="idx_cohorts_dates"),
        ]

    def __str__(self) -> str:
        return self.name


class CohortMember(models.Model):
    id = uuid_primary_key()
    cohort = models.ForeignKey(Cohort, on_delete=models.DB_CASCADE, related_name="members", db_index=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="cohort_memberships", db_index=False
    )
    role = models.CharField(max_length=20, choices=CohortRole.choices)
    joined_at = created_at()

    class Meta:
        db_table = "cohort_members"
        ordering = ["cohort_id", "role", "joined_at"]
        constraints = [
            models.UniqueConstraint(fields=["cohort", "user"], name="cohort_members_cohort_id_user_id_key"),
            choices_check("role", CohortRole, "cohort_members"),
        ]
        indexes = [
            models.Index(fields=["cohort"], name="idx_cohort_members_cohort"),
            models.Index(fields=["user"], name="idx_cohort_members_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.cohort_id} as {self.role}"


class ForumPost(models.Model):
    id = uuid_primary_key()
    module = models.ForeignKey(
        Module, on_delete=models.DB_CASCADE, null=True, blank=True, related_name="forum_posts", db_index=False
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="forum_posts", db_index=False
    )
    parent_post = models.ForeignKey(
        "self", on_delete=models.DB_CASCADE, null=True, blank=True, related_name="replies", db_index=False
    )
    title = models.CharField(max_length=200, null=True, blank=True, help_text="Empty for replies.")
    content = models.TextField()
    is_pinned = seed_boolean(False)
    is_solved = seed_boolean(False)
    upvotes = models.IntegerField(null=True, default=0, db_default=0, editable=False)
    created_at = created_at()
    updated_at = updated_at()

    class Meta:
        db_table = "forum_posts"
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["module"], name="idx_forum_module"),
            models.Index(fields=["user"], name="idx_forum_user"),
            models.Index(fields=["parent_post"], name="idx_forum_parent"),
            models.Index(
                fields=["is_pinned"], name="idx_forum_pinned", condition=models.Q(is_pinned=models.Value(True))
            ),
        ]

    def __str__(self) -> str:
        return self.title or f"reply to {self.parent_post_id}"


class ForumVote(models.Model):
    pk = models.CompositePrimaryKey("post_id", "user_id")
    post = models.ForeignKey(ForumPost, on_delete=models.DB_CASCADE, related_name="votes", db_index=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="forum_votes", db_index=False
    )
    vote_type = models.CharField(max_length=10, choices=VoteType.choices, null=True)
    created_at = created_at()

    class Meta:
        db_table = "forum_votes"
        constraints = [choices_check("vote_type", VoteType, "forum_votes")]

    def __str__(self) -> str:
        return f"{self.vote_type} by {self.user_id} on {self.post_id}"


class Achievement(models.Model):
    id = uuid_primary_key()
    name = models.CharField(max_length=100)
    description = models.TextField(null=True, blank=True)
    icon = models.CharField(max_length=50, null=True, blank=True)
    category = models.CharField(max_length=50, choices=AchievementCategory.choices, null=True, blank=True)
    criteria = models.JSONField(null=True, blank=True, help_text="See curriculum/content/FORMAT.md for the grammar.")
    points = models.IntegerField(null=True, default=0, db_default=0)
    is_active = seed_boolean(True)

    class Meta:
        db_table = "achievements"
        ordering = ["category", "points", "name"]
        constraints = [
            choices_check("category", AchievementCategory, "achievements"),
            range_check("points", "achievements", low=0),
        ]

    def __str__(self) -> str:
        return self.name


class UserAchievement(models.Model):
    pk = models.CompositePrimaryKey("user_id", "achievement_id")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.DB_CASCADE, related_name="achievements", db_index=False
    )
    achievement = models.ForeignKey(Achievement, on_delete=models.DB_CASCADE, related_name="earners", db_index=False)
    earned_at = created_at()
    progress = models.JSONField(null=True, blank=True)

    class Meta:
        db_table = "user_achievements"
        ordering = ["-earned_at"]
        indexes = [models.Index(fields=["user"], name="idx_user_achievements_user")]

    def __str__(self) -> str:
        return f"{self.user_id} earned {self.achievement_id}"
