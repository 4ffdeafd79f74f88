from django.contrib import admin
from django.db.models import Count, Q

import assessments.admin  # noqa: F401  (registers first the admins replaced below)
import courses.admin  # noqa: F401
from assessments.models import CodeSubmission, PeerReview, QuizAttempt
from common.admin import reregister
from community.models import Achievement, Cohort, CohortMember, ForumPost, VoteType
from community.selectors import taught_cohorts, taught_students
from community.services import cohort_creator_enrol
from courses.models import UserProgress


class TaughtStudentsOnly:
    """For a ModelAdmin: teachers see the rows of the learners in the cohorts they teach; admins
    see everyone. `student_path` is the lookup from the model to its learner's id."""

    student_path = "user_id"

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        user = request.user
        if user.is_teacher:
            queryset = queryset.filter(**{f"{self.student_path}__in": taught_students(teacher=user)})
        return queryset


# Cohorts live here, so this app narrows the learner-data lists of the apps below it (their admin
# modules, imported above, have registered theirs by now).
for model, student_path in (
    (UserProgress, "user_id"),
    (QuizAttempt, "user_id"),
    (CodeSubmission, "user_id"),
    (PeerReview, "submission__user_id"),
):
    registered = type(admin.site.get_model_admin(model))
    scoped = type(f"Taught{registered.__name__}", (TaughtStudentsOnly, registered), {"student_path": student_path})
    reregister(model, scoped)

# forum_votes and user_achievements have composite primary keys, which Django's admin cannot
# register; their rows are shown read-only on the post and the achievement instead.


class CohortMemberInline(admin.TabularInline):
    model = CohortMember
    extra = 0
    fields = ("user", "role", "joined_at")
    readonly_fields = ("joined_at",)
    raw_id_fields = ("user",)


@admin.register(Cohort)
class CohortAdmin(admin.ModelAdmin):
    list_display = ("name", "start_date", "end_date", "is_active", "member_count", "created_by")
    list_filter = ("is_active",)
    search_fields = ("name", "description")
    date_hierarchy = "start_date"
    readonly_fields = ("created_by", "created_at", "updated_at")
    inlines = [CohortMemberInline]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).select_related("created_by").annotate(_members=Count("members"))
        if request.user.is_teacher:  # a teacher sees the cohorts they teach
            queryset = queryset.filter(pk__in=taught_cohorts(teacher=request.user).values("pk"))
        return queryset

    @admin.display(description="Members", ordering="_members")
    def member_count(self, obj):
        return obj._members

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
        if not change:  # a teacher who opens a cohort teaches it
            cohort_creator_enrol(cohort=obj)


@admin.register(CohortMember)
class CohortMemberAdmin(admin.ModelAdmin):
    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_teacher:
            queryset = queryset.filter(cohort__in=taught_cohorts(teacher=request.user))
        return queryset

    list_display = ("user", "cohort", "role", "joined_at")
    list_filter = ("role", "cohort")
    search_fields = ("user__username", "user__email", "cohort__name")
    list_select_related = ("user", "cohort")
    raw_id_fields = ("user",)


@admin.register(ForumPost)
class ForumPostAdmin(admin.ModelAdmin):
    list_display = ("__str__", "module", "user", "is_pinned", "is_solved", "upvotes", "created_at")
    list_filter = ("is_pinned", "is_solved", "module")
    search_fields = ("title", "content", "user__username")
    list_select_related = ("module", "user")
    readonly_fields = ("user", "parent_post", "upvotes", "vote_breakdown", "created_at", "updated_at")
    fields = ("module", "user", "parent_post", "title", "content", "is_pinned", "is_solved", "upvotes",
              "vote_breakdown", "created_at", "updated_at")  # fmt: skip

    @admin.display(description="Votes")
    def vote_breakdown(self, obj):
        counts = obj.votes.aggregate(
            up=Count("pk", filter=Q(vote_type=VoteType.UPVOTE)), down=Count("pk", filter=Q(vote_type=VoteType.DOWNVOTE))
        )
        return f"{counts['up']} up, {counts['down']} down"


@admin.register(Achievement)
class AchievementAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "points", "is_active", "earned_by")
    list_filter = ("category", "is_active")
    search_fields = ("name", "description")
    readonly_fields = ("earned_by",)

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(_earned=Count("earners"))

    @admin.display(description="Earned by", ordering="_earned")
    def earned_by(self, obj):
        return getattr(obj, "_earned", None) if hasattr(obj, "_earned") else obj.earners.count()
