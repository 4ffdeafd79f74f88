from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from courses import selectors, services
from courses.forms import ProfileForm
from courses.models import LearningResource, Track
from courses.rendering import lesson_html


def learnable_module(request, module_id: int):
    """The module card if the user may study it now; Http404 when hidden, a redirect when locked."""
    card = selectors.module_card(request.user, module_id)
    if card is None:
        raise Http404("No such module")
    if card.locked:
        names = ", ".join(f"{m.id}. {m.title}" for m in card.missing)
        messages.warning(request, f"Module {card.module.id} is locked — complete {names} first.")
        return card, redirect("courses:module", module_id=module_id)
    return card, None


def catalog(request):
    cards = selectors.catalog_cards(request.user)
    groups = [(label, [c for c in cards if c.module.track == value]) for value, label in Track.choices]
    return render(request, "courses/catalog.html", {"groups": [g for g in groups if g[1]]})


def module_detail(request, module_id: int):
    card = selectors.module_card(request.user, module_id)
    if card is None:
        raise Http404("No such module")
    lessons = selectors.module_lessons(card.module, request.user)
    resources = selectors.module_resources(card.module, request.user, request.GET)
    context = {
        "card": card,
        "lessons": lessons,
        "next_position": selectors.next_lesson_position(lessons),
        "resources": resources,
        "quiz": _quiz_summary(request.user, card.module),
    }
    return render(request, "courses/module_detail.html", context)


def _quiz_summary(user, module):
    from assessments.selectors import quiz_summary

    return quiz_summary(user=user, module=module)


@login_required
def lesson_detail(request, module_id: int, position: int):
    card, locked = learnable_module(request, module_id)
    if locked:
        return locked
    lessons = selectors.module_lessons(card.module, request.user)
    if not 1 <= position <= len(lessons):
        raise Http404("No such lesson")
    lesson, done = lessons[position - 1]  # its body was deferred; rendering loads it
    services.module_visit(user=request.user, module=card.module)
    context = {
        "card": card,
        "lesson": lesson,
        "html": lesson_html(lesson),
        "done": done,
        "position": position,
        "lessons": lessons,
        "previous": position - 1 if position > 1 else None,
        "next": position + 1 if position < len(lessons) else None,
    }
    return render(request, "courses/lesson_detail.html", context)


@login_required
@require_POST
def lesson_complete(request, module_id: int, position: int):
    card, locked = learnable_module(request, module_id)
    if locked:
        return locked
    lesson = selectors.lesson_at(card.module, position)
    if lesson is None:
        raise Http404("No such lesson")
    progress = services.lesson_complete(user=request.user, lesson=lesson)
    if request.htmx:
        return render(
            request,
            "courses/lesson_detail.html#complete-button",
            {"card": card, "done": True, "position": position, "progress": progress},
        )
    messages.success(request, f"Lesson complete — module progress {progress.progress_percent:.0f}%.")
    lessons = selectors.module_lessons(card.module, request.user)
    if position < len(lessons):
        return redirect("courses:lesson", module_id=module_id, position=position + 1)
    return redirect("courses:module", module_id=module_id)


@login_required
@require_POST
def heartbeat(request, module_id: int):
    card, locked = learnable_module(request, module_id)
    if locked:
        return HttpResponse(status=403)
    credited = services.activity_heartbeat(user=request.user, module=card.module)
    return HttpResponse(str(credited), content_type="text/plain")


@login_required
@require_POST
def resource_vote(request, module_id: int, resource_id):
    card = selectors.module_card(request.user, module_id)
    if card is None:
        raise Http404("No such module")
    resource = get_object_or_404(LearningResource, pk=resource_id, module=card.module)
    voted = services.resource_vote_toggle(user=request.user, resource=resource)
    resource.refresh_from_db(fields=["upvotes"])
    resource.voted = voted
    if request.htmx:
        return render(request, "courses/module_detail.html#vote-button", {"resource": resource, "card": card})
    messages.success(request, "Thanks for your vote." if voted else "Vote removed.")
    return redirect(reverse("courses:module", args=[module_id]) + "#resources")


@login_required
def dashboard(request):
    return render(request, "courses/dashboard.html", {"board": selectors.dashboard(request.user)})


@login_required
def profile(request):
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST" and form.is_valid():
        services.profile_update(
            user=request.user, full_name=form.cleaned_data["full_name"] or "", username=form.cleaned_data["username"]
        )
        messages.success(request, "Your profile is saved.")
        return redirect("courses:profile")
    return render(request, "courses/profile.html", {"form": form})
