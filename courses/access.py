"""Who may open a module's pages: one rule for every view that takes a `module_id`."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect

from courses import selectors


def module_visible(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """The module exists and this user may see it (unpublished ones are 404 for students).

    The view gets the user's `card` (a selectors.ModuleCard) instead of `module_id`.
    """

    @wraps(view)
    def wrapper(request: HttpRequest, module_id: int, *args, **kwargs) -> HttpResponse:
        card = selectors.module_card(user=request.user, module_id=module_id)
        if card is None:
            raise Http404("No such module")
        return view(request, *args, card=card, **kwargs)

    return wrapper


def module_learnable(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """This learner may study the module now: visible, and its prerequisites are completed.

    A locked module sends the learner back to its page with the reason (teachers and admins are
    never locked out). The view gets `card`, as with module_visible.
    """

    @wraps(view)
    def locked_redirect(request: HttpRequest, *args, card: selectors.ModuleCard, **kwargs) -> HttpResponse:
        if card.locked:
            names = ", ".join(f"{m.id}. {m.title}" for m in card.missing)
            messages.warning(request, f"Module {card.module.id} is locked — complete {names} first.")
            return redirect(card.module)
        return view(request, *args, card=card, **kwargs)

    return module_visible(locked_redirect)
