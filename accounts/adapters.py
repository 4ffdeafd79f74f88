import logging

from allauth.account.adapter import DefaultAccountAdapter
from django.core.exceptions import ImproperlyConfigured, PermissionDenied

from accounts.models import Role

logger = logging.getLogger(__name__)


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up always makes a student: roles are granted by an admin, never chosen by the user."""

    def get_client_ip(self, request):
        """The client's address for rate limits, from allauth's trusted-proxy settings
        (ALLAUTH_TRUSTED_PROXY_COUNT / ALLAUTH_TRUSTED_CLIENT_IP_HEADER, set from TRUSTED_PROXY_COUNT
        and TRUSTED_CLIENT_IP_HEADER). A request that did not pass the configured proxies (fewer
        X-Forwarded-For entries, or no trusted header) counts under its direct peer's address
        instead of raising ImproperlyConfigured (a 500) or being refused."""
        try:
            return super().get_client_ip(request)
        except ImproperlyConfigured:
            logger.warning("X-Forwarded-For has fewer entries than TRUSTED_PROXY_COUNT; using REMOTE_ADDR")
        except PermissionDenied:  # no usable address in the trusted header
            pass
        peer = request.META.get("REMOTE_ADDR")
        if not peer:
            raise PermissionDenied("Unable to determine client IP address")
        return peer

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=False)
        user.role = Role.STUDENT
        user.email = user.email.lower()
        if commit:
            user.save()
        return user
