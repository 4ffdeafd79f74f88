"""Template context for the learner pages."""

from django.conf import settings
from django.http import HttpRequest


def heartbeat(request: HttpRequest) -> dict[str, int]:
    """How often a visible lesson or quiz page reports activity: rendered into the page's
    data-heartbeat-seconds, which static/js/heartbeat.js reads (no inline script under the CSP)."""
    return {"heartbeat_seconds": settings.HEARTBEAT_SECONDS}
