from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.forms.models import BaseInlineFormSet

import assessments.admin  # noqa: F401  (registers first the admins replaced below)
import courses.admin  # noqa: F401
from assessments.models import CodeSubmission, PeerReview, QuizAttempt
from common.admin import reregister
from community.models import Achievement, Cohort, CohortMember, CohortRole, ForumPost, VoteType
from community.selectors import taught_cohorts, taught_students
from community.services import (
    ENROL_REFUSED,
    cohort_creator_enrol,
    cohort_member_removal_refusal,
    cohort_member_remove,
    cohort_member_save,
)
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


class CohortMemberForm(forms.ModelForm):
    """Checks the membership rules next to the fields (the service checks them again on save)."""

    class Meta:
        model = CohortMember
        fields = ("cohort", "user", "role")

    def clean(self):
        data = super().clean()
        user, role = data.get("user"), data.get("role")
        if user is not None and role == CohortRole.INSTRUCTOR and not (user.is_teacher or user.is_admin):
            self.add_error("role", "Only teachers and admins can be instructors.")
        return data


class MembershipRules:
    """Memberships grant a teacher access to learners' data, so (community.services): only admins
    add or change them; a teacher removes students from the cohorts they teach, nothing else.
    Shared by the members admin and the inline on the cohort page."""

    def has_add_permission(self, request, *args):
        return request.user.is_admin

    def has_change_permission(self, request, obj=None):
        return request.user.is_admin

    def has_delete_permission(self, request, obj=None):
        if request.user.is_admin:
            return True
        if not request.user.is_teacher:
            return False
        if isinstance(obj, CohortMember):
            return cohort_member_removal_refusal(actor=request.user, member=obj) is None
        return True  # the list's bulk action and the inline; each row is checked on delete

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "cohort" and not request.user.is_admin:
            kwargs["queryset"] = taught_cohorts(teacher=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


class MembersFormSet(BaseInlineFormSet):
    """Refuses, next to the row, a removal the user may not make (the service refuses it again)."""

    request = None

    def clean(self):
        super().clean()
        if self.request is None or self.request.user.is_admin:
            return
        # Django ignores rows a user may not add or change; say so instead of a silent success.
        for form in self.forms:
            user, role = form.data.get(form.add_prefix("user")), form.data.get(form.add_prefix("role"))
            if form.instance.pk is None:
                attempted = bool(user or role)
            else:
                attempted = (user is not None and user != str(form.instance.user_id)) or (
                    role is not None and role != form.instance.role
                )
            if attempted:
                raise ValidationError(ENROL_REFUSED)
        for form in self.deleted_forms:
            if form.instance.pk is None:
                continue
            refusal = cohort_member_removal_refusal(actor=self.request.user, member=form.instance)
            if refusal:
                raise ValidationError(f"{form.instance.user}: {refusal}")


class CohortMemberInline(MembershipRules, admin.TabularInline):
    model = CohortMember
    form = CohortMemberForm
    formset = MembersFormSet
    extra = 0
    fields = ("user", "role", "joined_at")
    readonly_fields = ("joined_at",)
    raw_id_fields = ("user",)

    def get_formset(self, request, obj=None, **kwargs):
        formset = super().get_formset(request, obj, **kwargs)
        return type(formset.__name__, (formset,), {"request": request})


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

    def save_formset(self, request, form, formset, change):
        if formset.model is not CohortMember:
            return super().save_formset(request, form, formset, change)
        # Through the services, which refuse what the user may not do: the whole page is one
        # transaction, so a refusal here saves nothing of it.
        members = formset.save(commit=False)
        for member in formset.deleted_objects:
            cohort_member_remove(actor=request.user, member=member)
        for member in members:
            cohort_member_save(actor=request.user, member=member)


class TaughtCohortFilter(admin.RelatedOnlyFieldListFilter):
    """The cohorts of the rows the user may see (a teacher's own), not every cohort."""


@admin.register(CohortMember)
class CohortMemberAdmin(MembershipRules, admin.ModelAdmin):
    form = CohortMemberForm

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if not request.user.is_admin:
            queryset = queryset.filter(cohort__in=taught_cohorts(teacher=request.user))
        return queryset

    list_display = ("user", "cohort", "role", "joined_at")
    list_filter = ("role", ("cohort", TaughtCohortFilter))
    search_fields = ("user__username", "user__email", "cohort__name")
    list_select_related = ("user", "cohort")
    raw_id_fields = ("user",)

    def save_model(self, request, obj, form, change):
        cohort_member_save(actor=request.user, member=obj)

    def delete_model(self, request, obj):
        cohort_member_remove(actor=request.user, member=obj)

    def delete_queryset(self, request, queryset):
        members = list(queryset)
        for member in members:  # every row is checked before any is removed
            refusal = cohort_member_removal_refusal(actor=request.user, member=member)
            if refusal:
                raise PermissionDenied(f"{member.user}: {refusal}")
        for member in members:
            cohort_member_remove(actor=request.user, member=member)


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
