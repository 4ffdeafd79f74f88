"""In a real Chromium: a strategy idea → a backtest with charts → a paper-trading session."""

from io import StringIO

import pytest
from django.core.management import call_command

from accounts.tests.factories import DEFAULT_PASSWORD, UserFactory
from courses.models import ProgressStatus, UserProgress

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def student():
    call_command("seed_curriculum", stdout=StringIO())
    call_command("generate_candles", "--symbol", "BTC/USDT", "--timeframe", "1h", "--bars", "3000", "--seed", "3",
                 stdout=StringIO())  # fmt: skip
    user = UserFactory(email="trader@example.org")
    for module_id in (9, 14):
        UserProgress.objects.create(user=user, module_id=module_id, status=ProgressStatus.COMPLETED)
    return user


def test_from_strategy_idea_to_backtest_to_paper_trading(page, student):
    console = []
    page.on("console", lambda message: console.append(message.text))
    page.goto("/accounts/login/")
    page.locator("input[name=login]").fill("trader@example.org")
    page.locator("input[name=password]").fill(DEFAULT_PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/")

    page.goto("/trading/")
    page.get_by_role("link", name="Create a bot").click()
    page.locator("input[name=name]").fill("My first bot")
    page.locator("select[name=llm_provider]").select_option("ollama")
    page.locator("input[name=llm_model]").fill("llama3.1:8b")
    page.locator("input[name=max_position_size_percent]").fill("50")
    page.locator("input[name=stop_loss_percent]").fill("3")
    page.get_by_role("button", name="Save bot").click()
    page.get_by_role("link", name="Write a strategy").click()
    page.locator("input[name=strategy_name]").fill("Close above its average")
    editor = page.locator("textarea[name=strategy_code]")
    editor.click()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # indents instead of leaving the editor
    page.keyboard.type("# my note")
    assert editor.input_value().endswith("\n    # my note")  # Tab typed four spaces
    page.locator("input[name=is_active]").check()
    page.get_by_role("button", name="Save").click()
    page.get_by_role("link", name="Backtest it").click()
    page.get_by_test_id("run-backtest").click()
    page.wait_for_url("**/trading/backtests/*/")
    assert page.locator("svg.chart").count() == 2
    metrics = page.get_by_test_id("metrics").inner_text()
    assert "Total return" in metrics and "Buy and hold" in metrics
    assert page.get_by_text("Why?").count() > 0

    page.goto("/trading/")
    page.get_by_role("link", name="My first bot").click()
    page.get_by_test_id("start-paper").click()
    page.wait_for_url("**/trading/paper/*/")
    page.get_by_test_id("paper-status").filter(has_text="Finished").wait_for(timeout=30000)
    assert "Portfolio value" in page.get_by_test_id("portfolio").inner_text()
    assert page.get_by_test_id("events").locator("li").count() > 0
    assert [m for m in console if "Content Security Policy" in m] == []
