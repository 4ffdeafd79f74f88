from django import template

from assessments.answers import accepted_answers

register = template.Library()


@register.filter
def get_item(mapping, key):
    return (mapping or {}).get(key, "")


@register.filter
def first_answer(accepted: str) -> str:
    """The first of the accepted short answers ("nonce|a nonce" shows as "nonce")."""
    return next(iter(accepted_answers(accepted)), "")
