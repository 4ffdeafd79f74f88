from django.contrib import admin

from assessments.forms import AssessmentAdminForm
from assessments.models import Assessment, CodeSubmission, PeerReview, QuizAttempt
from curriculum_site.admin_scoping import TaughtStudentsOnly


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    form = AssessmentAdminForm
    list_display = ("module", "order_index", "short_question", "question_type", "correct_answer", "points")
    list_display_links = ("short_question",)
    list_filter = ("question_type", "module__track", "module")
    search_fields = ("question_text", "explanation")
    list_select_related = ("module",)
    ordering = ("module_id", "order_index")

    @admin.display(description="Question")
    def short_question(self, obj):
        return obj.question_text[:90]


@admin.register(QuizAttempt)
class QuizAttemptAdmin(TaughtStudentsOnly, admin.ModelAdmin):
    list_display = ("user", "assessment", "user_answer", "is_correct", "points_earned", "attempted_at")
    list_filter = ("is_correct", "assessment__module", "attempted_at")
    search_fields = ("user__username", "user__email", "assessment__question_text")
    list_select_related = ("user", "assessment")
    date_hierarchy = "attempted_at"
    readonly_fields = [f.name for f in QuizAttempt._meta.fields]


class PeerReviewInline(admin.TabularInline):
    model = PeerReview
    extra = 0
    fields = ("reviewer", "rubric_scores", "comments", "is_helpful", "submitted_at")
    readonly_fields = fields
    can_delete = False


@admin.register(CodeSubmission)
class CodeSubmissionAdmin(TaughtStudentsOnly, admin.ModelAdmin):
    list_display = ("user", "assessment", "submission_version", "status", "grade", "max_grade", "submitted_at")
    list_filter = ("status", "assessment__module")
    search_fields = ("user__username", "user__email", "instructor_feedback")
    list_select_related = ("user", "assessment")
    date_hierarchy = "submitted_at"
    readonly_fields = ("user", "assessment", "github_url", "file_uploads", "submission_version", "submitted_at")
    inlines = [PeerReviewInline]


@admin.register(PeerReview)
class PeerReviewAdmin(TaughtStudentsOnly, admin.ModelAdmin):
    student_path = "submission__user_id"
    list_display = ("submission", "reviewer", "is_helpful", "submitted_at")
    list_filter = ("is_helpful",)
    search_fields = ("reviewer__username", "comments")
    list_select_related = ("submission", "reviewer")
