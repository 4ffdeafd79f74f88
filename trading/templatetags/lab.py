from django import template

register = template.Library()


@register.filter
def duration(seconds) -> str:
    """3725 → '1 h 2 min'; 200000 → '2 d 7 h'."""
    try:
        seconds = int(float(seconds))
    except (TypeError, ValueError):
        return "—"
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes} min"
    return f"{minutes} min"


@register.filter
def params(values) -> str:
    return " ".join(f"{k}={v}" for k, v in (values or {}).items()) or "defaults"
