from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from courses import selectors, services
from courses.access import module_learnable, module_visible
from courses.models import LearningResource, Track
from courses.rendering import lesson_html

# Lessons this session has opened (ids). Completing a lesson needs it opened first: "Mark
# complete" sits on the lesson page, so a bare POST (a script ticking every lesson) is refused.
OPENED_LESSONS_KEY = "lessons_opened"
OPENED_LESSONS_KEPT = 1000  # the most recent; a whole course is far fewer
NOT_OPENED = "Open the lesson and read it before marking it complete."


def _lesson_opened_record(request, lesson) -> None:
    opened = request.session.get(OPENED_LESSONS_KEY, [])
    if str(lesson.pk) not in opened:
        request.session[OPENED_LESSONS_KEY] = [*opened, str(lesson.pk)][-OPENED_LESSONS_KEPT:]


def _lesson_was_opened(request, lesson) -> bool:
    return str(lesson.pk) in request.session.get(OPENED_LESSONS_KEY, [])


def catalog(request):
    cards = selectors.catalog_cards(user=request.user)
    groups = [(label, [c for c in cards if c.module.track == value]) for value, label in Track.choices]
    return render(request, "courses/catalog.html", {"groups": [g for g in groups if g[1]]})


@module_visible
def module_detail(request, card):
    lessons = selectors.module_lessons(module=card.module, user=request.user)
    resources = selectors.module_resources(module=card.module, user=request.user, params=request.GET)
    context = {
        "card": card,
        "lessons": lessons,
        "next_position": selectors.next_lesson_position(lessons=lessons),
        "resources": resources,
        "quiz": _quiz_summary(request.user, card.module),
    }
    return render(request, "courses/module_detail.html", context)


def _quiz_summary(user, module):
    from assessments.selectors import quiz_summary

    return quiz_summary(user=user, module=module)


@login_required
@module_learnable
def lesson_detail(request, card, position: int):
    lessons = selectors.module_lessons(module=card.module, user=request.user)
    if not 1 <= position <= len(lessons):
        raise Http404("No such lesson")
    lesson, done = lessons[position - 1]  # its body was deferred; rendering loads it
    services.module_visit(user=request.user, module=card.module)
    _lesson_opened_record(request, lesson)
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
@module_learnable
def lesson_complete(request, card, position: int):
    lesson = selectors.lesson_at(module=card.module, position=position)
    if lesson is None:
        raise Http404("No such lesson")
    if not _lesson_was_opened(request, lesson):
        if request.htmx:
            context = {"card": card, "done": False, "position": position, "refusal": NOT_OPENED}
            return render(request, "courses/lesson_detail.html#complete-button", context)
        messages.error(request, NOT_OPENED)
        return redirect("courses:lesson", module_id=card.module.id, position=position)
    progress = services.lesson_complete(user=request.user, lesson=lesson)
    if request.htmx:
        return render(
            request,
            "courses/lesson_detail.html#complete-button",
            {"card": card, "done": True, "position": position, "progress": progress},
        )
    messages.success(request, f"Lesson complete — module progress {progress.progress_percent:.0f}%.")
    lessons = selectors.module_lessons(module=card.module, user=request.user)
    if position < len(lessons):
        return redirect("courses:lesson", module_id=card.module.id, position=position + 1)
    return redirect(card.module)


@login_required
@require_POST
@module_visible
def heartbeat(request, card):
    if card.locked:
        return HttpResponse(status=403)
    credited = services.activity_heartbeat(user=request.user, module=card.module)
    return HttpResponse(str(credited), content_type="text/plain")


@login_required
@require_POST
@module_visible
def resource_vote(request, card, resource_id):
    resource = get_object_or_404(LearningResource, pk=resource_id, module=card.module)
    voted = services.resource_vote_toggle(user=request.user, resource=resource)
    resource.refresh_from_db(fields=["upvotes"])
    resource.voted = voted
    if request.htmx:
        return render(request, "courses/module_detail.html#vote-button", {"resource": resource, "card": card})
    messages.success(request, "Thanks for your vote." if voted else "Vote removed.")
    return redirect(card.module.get_absolute_url() + "#resources")


@login_required
def dashboard(request):
    return render(request, "courses/dashboard.html", {"board": selectors.dashboard(user=request.user)})
