from django.contrib import admin

from assessments.forms import AssessmentAdminForm
from assessments.models import Assessment, CodeSubmission, PeerReview, QuizAttempt
from common.admin import reregister
from courses.admin import LessonInline, ModuleAdmin, ResourceInline
from courses.models import Module

# community.admin narrows the attempt, submission and review lists to a teacher's cohorts.


class AssessmentInline(admin.StackedInline):
    model = Assessment
    form = AssessmentAdminForm
    extra = 0
    show_change_link = True


class ModuleWithQuestionsAdmin(ModuleAdmin):
    """A module's page with its quiz questions and coding tasks between its lessons and resources."""

    inlines = [LessonInline, AssessmentInline, ResourceInline]


reregister(Module, ModuleWithQuestionsAdmin)


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
class QuizAttemptAdmin(admin.ModelAdmin):
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
class CodeSubmissionAdmin(admin.ModelAdmin):
    list_display = ("user", "assessment", "submission_version", "status", "grade", "max_grade", "submitted_at")
    list_filter = ("status", "assessment__module")
    search_fields = ("user__username", "user__email", "instructor_feedback")
    list_select_related = ("user", "assessment")
    date_hierarchy = "submitted_at"
    readonly_fields = ("user", "assessment", "github_url", "file_uploads", "submission_version", "submitted_at")
    inlines = [PeerReviewInline]


@admin.register(PeerReview)
class PeerReviewAdmin(admin.ModelAdmin):
    list_display = ("submission", "reviewer", "is_helpful", "submitted_at")
    list_filter = ("is_helpful",)
    search_fields = ("reviewer__username", "comments")
    list_select_related = ("submission", "reviewer")
