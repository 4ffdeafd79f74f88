from django.contrib import admin

from common.admin import MARKDOWN_EDITOR
from courses.models import LearningResource, Lesson, Module, UserProgress


class LessonInline(admin.StackedInline):
    model = Lesson
    extra = 0
    fields = ("order_index", "title", "lesson_type", "estimated_minutes", "content")
    formfield_overrides = MARKDOWN_EDITOR
    show_change_link = True


class ResourceInline(admin.TabularInline):
    model = LearningResource
    extra = 0
    fields = ("title", "url", "resource_type", "difficulty", "upvotes")
    readonly_fields = ("upvotes",)


@admin.register(Module)
class ModuleAdmin(admin.ModelAdmin):
    list_display = ("id", "title", "track", "order_index", "duration_hours", "is_published", "prerequisites")
    list_display_links = ("id", "title")
    list_filter = ("track", "is_published")
    search_fields = ("title", "description")
    ordering = ("order_index",)
    inlines = [LessonInline, ResourceInline]  # assessments.admin adds the questions between them


@admin.register(Lesson)
class LessonAdmin(admin.ModelAdmin):
    list_display = ("module", "order_index", "title", "lesson_type", "estimated_minutes", "updated_at")
    list_display_links = ("title",)
    list_filter = ("lesson_type", "module__track", "module")
    search_fields = ("title", "content")
    list_select_related = ("module",)
    ordering = ("module_id", "order_index")
    formfield_overrides = MARKDOWN_EDITOR


@admin.register(UserProgress)
class UserProgressAdmin(admin.ModelAdmin):  # community.admin narrows it to a teacher's cohorts
    list_display = ("user", "module", "status", "progress_percent", "time_spent_minutes", "last_accessed")
    list_filter = ("status", "module__track", "module")
    search_fields = ("user__username", "user__email")
    list_select_related = ("user", "module")


@admin.register(LearningResource)
class LearningResourceAdmin(admin.ModelAdmin):
    list_display = ("title", "module", "resource_type", "difficulty", "upvotes", "url")
    list_filter = ("resource_type", "difficulty", "module")
    search_fields = ("title", "url")
    list_select_related = ("module",)
    readonly_fields = ("added_by", "upvotes", "created_at")

    def save_model(self, request, obj, form, change):
        if not change and obj.added_by_id is None:
            obj.added_by = request.user
        super().save_model(request, obj, form, change)
