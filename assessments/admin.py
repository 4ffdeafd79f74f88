from django import forms
from django.contrib import admin

from assessments.forms import AssessmentAdminForm
from assessments.models import Assessment, CodeSubmission, PeerReview, QuizAttempt, SubmissionStatus
from assessments.services import code_submission_grade
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


class CodeSubmissionAdminForm(forms.ModelForm):
    """Grading in the admin: the grade is checked here, next to its field; saving goes through
    code_submission_grade, which records who graded and when."""

    class Meta:
        model = CodeSubmission
        fields = ("status", "grade", "rubric_scores", "instructor_feedback")

    def clean(self):
        data = super().clean()
        status, grade = data.get("status"), data.get("grade")
        if status in (SubmissionStatus.GRADED, SubmissionStatus.REVISION_NEEDED):
            if grade is None:
                self.add_error("grade", "Give a grade to mark the submission graded or revision-needed.")
            elif self.instance.max_grade is not None and not 0 <= grade <= self.instance.max_grade:
                self.add_error("grade", f"The grade is from 0 to {self.instance.max_grade}.")
        return data


@admin.register(CodeSubmission)
class CodeSubmissionAdmin(admin.ModelAdmin):
    form = CodeSubmissionAdminForm
    list_display = ("user", "assessment", "submission_version", "status", "grade", "max_grade", "submitted_at")
    list_filter = ("status", "assessment__module")
    search_fields = ("user__username", "user__email", "instructor_feedback")
    list_select_related = ("user", "assessment")
    date_hierarchy = "submitted_at"
    readonly_fields = (
        "user", "assessment", "github_url", "file_uploads", "submission_version", "submitted_at",
        "max_grade", "graded_by", "graded_at",
    )  # fmt: skip
    inlines = [PeerReviewInline]

    def save_model(self, request, obj, form, change):
        if change and obj.status in (SubmissionStatus.GRADED, SubmissionStatus.REVISION_NEEDED):
            data = form.cleaned_data
            code_submission_grade(
                submission=obj,
                grader=request.user,
                grade=data["grade"],
                feedback=data.get("instructor_feedback") or "",
                rubric_scores=data.get("rubric_scores"),
                status=obj.status,
            )
        else:
            super().save_model(request, obj, form, change)


@admin.register(PeerReview)
class PeerReviewAdmin(admin.ModelAdmin):
    list_display = ("submission", "reviewer", "is_helpful", "submitted_at")
    list_filter = ("is_helpful",)
    search_fields = ("reviewer__username", "comments")
    list_select_related = ("submission", "reviewer")
