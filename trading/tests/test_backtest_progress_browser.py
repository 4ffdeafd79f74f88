"""In a real Chromium: a queued backtest's page follows the run, with htmx and with JavaScript off."""

import pytest

from accounts.tests.factories import DEFAULT_PASSWORD
from trading.tests.conftest import run_queued_tasks
from trading.tests.test_lab_views import unlocked_student

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_progress_page_turns_into_the_result(browser, live_server, page, modules, market, queued_tasks):
    console = []
    page.on("console", lambda message: console.append(message.text))
    user = unlocked_student()
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill(user.email)
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/")

    page.goto("/trading/backtests/new/")
    page.get_by_test_id("run-backtest").click()
    page.wait_for_url("**/trading/backtests/*/")
    assert page.get_by_test_id("backtest-status").inner_text() == "Queued"
    without_js = browser.new_context(
        base_url=live_server.url, java_script_enabled=False, storage_state=page.context.storage_state()
    )
    plain = without_js.new_page()
    plain.goto(page.url)
    assert plain.get_by_test_id("backtest-status").inner_text() == "Queued"

    run_queued_tasks()  # a worker runs it

    page.get_by_test_id("metrics").wait_for(timeout=15000)  # htmx polled, then reloaded the page
    plain.get_by_test_id("metrics").wait_for(timeout=15000)  # the <noscript> refresh reloaded it
    assert page.locator("svg.chart").count() == 2 and plain.locator("svg.chart").count() == 2
    without_js.close()
    assert [m for m in console if "Content Security Policy" in m] == []
