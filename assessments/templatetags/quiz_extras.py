from django import template

register = template.Library()


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key, "")


@register.filter
def first_answer(accepted: str) -> str:
    """The first of the accepted short answers ("nonce|a nonce" shows as "nonce")."""
    return (accepted or "").split("|")[0].strip()
