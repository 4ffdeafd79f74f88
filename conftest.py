"""Fixtures shared by every app's tests."""

import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]


def _chromium_path() -> str | None:
    if os.path.exists(CHROMIUM):
        return CHROMIUM
    return shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.fixture(scope="session")
def browser():
    path = _chromium_path()
    if path is None:
        if os.environ.get("REQUIRE_BROWSER") or os.environ.get("CI"):
            pytest.fail("Chromium is required for browser tests (CI installs it in .ci/run) but was not found")
        message = "*** BROWSER TESTS SKIPPED: no Chromium found (apt-get install chromium) ***"
        print(f"\n{message}\n")
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by the live
    # server happen in another thread, but fixtures here still touch the ORM from this one.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=path, args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15000)
    yield page
    context.close()


@pytest.fixture
def course():
    """Modules 1 and 2 (2 requires 1) and an unpublished 3, each with two lessons and a two-question quiz."""
    from assessments.models import QuestionType
    from assessments.tests.factories import AssessmentFactory
    from courses.tests.factories import LessonFactory, ModuleFactory

    first = ModuleFactory(id=1, title="Blockchain Technology")
    second = ModuleFactory(id=2, title="Bitcoin", prerequisites=[1])
    hidden = ModuleFactory(id=3, title="Draft module", is_published=False)
    for module in (first, second, hidden):
        for i in (1, 2):
            LessonFactory(module=module, order_index=i, title=f"{module.title} lesson {i}",
                          content=f"## Part {i}\n\nTeaching **text** for {module.title}.")  # fmt: skip
        AssessmentFactory(module=module, order_index=1, correct_answer="B")
        AssessmentFactory(module=module, order_index=2, question_type=QuestionType.TRUE_FALSE, options=None,
                          correct_answer="true", explanation="Because it is.")  # fmt: skip
    return first, second, hidden
