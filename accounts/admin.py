from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import BaseUserCreationForm, UserChangeForm
from django.contrib.auth.models import Group

from accounts.models import User
from accounts.services import user_delete

# Access comes from User.role alone; Django's groups would be a second, unused source of truth.
admin.site.unregister(Group)


class UserCreationForm(BaseUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "username", "full_name", "role")


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = ("email", "username", "full_name", "role", "is_active")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    list_display = ("username", "email", "full_name", "role", "is_active", "created_at", "last_login")
    list_filter = ("role", "is_active")
    search_fields = ("username", "email", "full_name")
    ordering = ("username",)
    readonly_fields = ("created_at", "updated_at", "last_login")
    filter_horizontal = ()
    fieldsets = (
        (None, {"fields": ("email", "username", "password")}),
        ("Profile", {"fields": ("full_name",)}),
        ("Access", {"fields": ("role", "is_active"), "description": "The role alone decides what a user may do."}),
        ("Dates", {"fields": ("created_at", "updated_at", "last_login")}),
    )
    add_fieldsets = (
        (None, {"classes": ("wide",), "fields": ("email", "username", "full_name", "role", "password1", "password2")}),
    )

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "email" and field is not None:
            field.widget = forms.EmailInput(attrs={"autocomplete": "off"})
        return field

    def delete_model(self, request, obj):
        user_delete(user=obj)

    def delete_queryset(self, request, queryset):
        for user in queryset:
            user_delete(user=user)
