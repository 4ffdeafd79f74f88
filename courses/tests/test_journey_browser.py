"""A new student learns module 1 in a real Chromium: sign up → catalog → lesson → mark complete →
quiz → results → dashboard → a locked module says why."""

from io import StringIO

import pytest
from django.core.management import call_command

from assessments.models import QuestionType
from courses.models import Module, UserProgress

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def curriculum():
    call_command("seed_curriculum", stdout=StringIO())


def test_a_new_student_learns_module_one(page, curriculum):
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.goto("/accounts/signup/")
    page.get_by_label("Email").fill("journey@example.org")
    page.get_by_label("Username").fill("journey")
    page.locator("input[name=password1]").fill("a-long-journey-passphrase")
    page.locator("input[name=password2]").fill("a-long-journey-passphrase")
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_url("**/")

    page.get_by_role("link", name="Modules").first.click()
    page.get_by_test_id("module-card-1").get_by_role("link", name="1. Blockchain Technology").click()
    page.get_by_role("link", name="Start").click()
    page.wait_for_url("**/modules/1/lessons/1/")
    assert page.locator("h1").inner_text().startswith("What a ledger is")
    page.get_by_test_id("mark-complete").click()
    page.get_by_test_id("lesson-done").wait_for()  # swapped in by htmx, no reload
    assert "Module progress: 14%" in page.locator("#complete-area").inner_text()

    page.goto("/modules/1/quiz/")
    module = Module.objects.get(id=1)
    for question in module.assessments.quiz():
        name = f"q_{question.id}"
        if question.question_type == QuestionType.SHORT_ANSWER:
            page.locator(f"input[name='{name}']").fill(question.accepted_answers[0])
        else:
            page.locator(f"input[name='{name}'][value='{question.correct_answer}']").check()
    page.get_by_test_id("submit-quiz").click()
    verdict = page.get_by_test_id("quiz-verdict").inner_text()
    assert "100%" in verdict and "Passed" in verdict
    assert page.get_by_text("Your answer:").count() == 10

    page.get_by_role("link", name="Dashboard").first.click()
    in_progress = page.get_by_test_id("in-progress").inner_text()
    assert "1. Blockchain Technology" in in_progress and "29%" in in_progress  # 1 lesson + quiz of 7
    assert "100%" in page.get_by_test_id("quiz-table").inner_text()
    progress = UserProgress.objects.get(user__username="journey", module_id=1)
    assert float(progress.progress_percent) == 28.57

    page.goto("/modules/4/")
    assert "Locked — complete 3. Wallets, Keys and Self-Custody first." in " ".join(
        page.get_by_test_id("lock-reason").inner_text().split()
    )
    page.goto("/modules/4/lessons/1/")
    page.wait_for_url("**/modules/4/")
    assert [m for m in console if "Content Security Policy" in m] == []


def test_the_catalog_is_readable_at_360_pixels(browser, live_server, curriculum):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 360, "height": 740})
    page = context.new_page()
    page.goto("/modules/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent").strip() == "Skip to main content"
    context.close()
