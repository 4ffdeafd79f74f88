from django import forms

from accounts.models import User


class ProfileForm(forms.ModelForm):
    class Meta:
        model = User
        fields = ["full_name", "username"]
        labels = {"full_name": "Full name (optional)"}
