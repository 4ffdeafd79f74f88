from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render

from assessments import selectors, services
from assessments.forms import QuizForm
from courses.access import module_learnable
from courses.services import module_visit


@login_required
@module_learnable
def quiz(request, card):
    module = card.module
    questions = list(selectors.quiz_questions(module=module))
    session_key = f"quiz_ticket:{module.id}"
    if request.method == "POST":
        ticket = services.quiz_ticket_read(request.POST.get("ticket", ""), module=module)
        if ticket is None:
            messages.error(request, "This quiz form has expired or was altered; here is a fresh one.")
            return redirect("assessments:quiz", module_id=module.id)
        form = QuizForm(request.POST, questions=questions, option_order=_option_order(ticket.token))
        if form.is_valid():
            try:
                sitting = services.quiz_submit(user=request.user, module=module, answers=form.answers(), ticket=ticket)
            except (services.QuizLimitReached, services.QuizUnavailable) as refusal:
                messages.error(request, str(refusal))
                return redirect(module)
            return redirect(sitting)
        messages.error(request, "Some questions need an answer; they are marked below. Nothing was submitted.")
    else:
        # A reload shows the same sitting (the same ticket, so the same option order).
        value = services.quiz_ticket_for_form(
            user=request.user, module=module, previous=request.session.get(session_key)
        )
        request.session[session_key] = value
        ticket = services.quiz_ticket_read(value, module=module)
        order = _option_order(ticket.token) if ticket else None
        form = QuizForm(initial={"ticket": value}, questions=questions, option_order=order)
    module_visit(user=request.user, module=module)
    context = {
        "card": card,
        "form": form,
        "left_today": services.sittings_left_today(user=request.user, module=module),
        "summary": selectors.quiz_summary(user=request.user, module=module),
    }
    return render(request, "assessments/quiz.html", context)


def _option_order(token):
    if not settings.QUIZ_SHUFFLE_OPTIONS:
        return None
    return lambda question: services.quiz_option_order(token=token, question=question)


@login_required
@module_learnable
def quiz_result(request, card, sitting_id):
    sittings = selectors.sittings_with_answers(user=request.user, module=card.module)
    sitting = get_object_or_404(sittings, pk=sitting_id)  # another learner's sitting is a 404 too
    context = {
        "card": card,
        "sitting": sitting,
        "pass_percent": settings.QUIZ_PASS_PERCENT,
        "reveal": selectors.answers_revealed(user=request.user, module=card.module),
    }
    return render(request, "assessments/quiz_result.html", context)


@login_required
@module_learnable
def quiz_history(request, card):
    sittings = selectors.sitting_history(user=request.user, module=card.module)
    return render(request, "assessments/quiz_history.html", {"card": card, "sittings": sittings})
