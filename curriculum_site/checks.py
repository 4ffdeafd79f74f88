"""The site's own system checks (run by `manage.py check`; `--deploy` adds the deploy-tagged ones)."""

from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def email_verification_check(app_configs, **kwargs):
    if settings.DEBUG or settings.ACCOUNT_EMAIL_VERIFICATION == "mandatory":
        return []
    return [
        Warning(
            f"ACCOUNT_EMAIL_VERIFICATION is {settings.ACCOUNT_EMAIL_VERIFICATION!r} with DEBUG off.",
            hint="Set it to mandatory (the default with DEBUG off): otherwise anyone can sign up with an "
            "address they do not own, and password-reset mail goes to addresses nobody confirmed.",
            id="curriculum_site.W001",
        )
    ]
