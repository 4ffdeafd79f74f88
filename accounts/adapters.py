from allauth.account.adapter import DefaultAccountAdapter

from accounts.models import Role


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up always makes a student: roles are granted by an admin, never chosen by the user."""

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.role = Role.STUDENT
        user.email = user.email.lower()
        if commit:
            user.save()
        return user
