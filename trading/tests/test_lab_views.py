"""The lab through the test client: access, ownership, forms with bad input, stored runs."""

import re

import pytest
from django.urls import reverse

from accounts.tests.factories import TeacherFactory, UserFactory
from courses.models import Module, ProgressStatus
from courses.tests.factories import UserProgressFactory
from trading.models import BacktestRun, BotConfiguration, PaperSession, PaperStatus, TradingStrategy
from trading.paper import paper_session_run, paper_session_stop
from trading.tests.factories import (
    BacktestRunFactory,
    BotConfigurationFactory,
    PaperSessionFactory,
    TradingStrategyFactory,
)

pytestmark = pytest.mark.django_db


def unlocked_student():
    user = UserFactory()
    for module_id in (9, 14):
        UserProgressFactory(user=user, module_id=module_id, status=ProgressStatus.COMPLETED)
    return user


BACKTEST = {
    "series": "BTC/USDT|1h",
    "strategy": "sma_crossover",
    "parameters": "fast=10 slow=30",
    "cash": "10000",
    "position_pct": "100",
    "stop_loss_pct": "2",
    "commission": "0.001",
}


def test_the_lab_is_locked_until_module_17_is_unlocked(client, modules):
    client.force_login(UserFactory())
    response = client.get(reverse("trading:lab"))
    assert response.status_code == 403
    html = response.content.decode()
    for module in Module.objects.filter(id__in=[9, 14]):
        assert f"{module.id}. {module.title}" in html
    client.force_login(unlocked_student())
    assert client.get(reverse("trading:lab")).status_code == 200
    client.force_login(TeacherFactory())
    assert client.get(reverse("trading:lab")).status_code == 200


def test_the_glossary_is_public(client):
    html = client.get(reverse("trading:glossary")).content.decode()
    assert "sharpe_ratio" in html and "mean(r) / std(r, ddof = 1)" in html


def test_a_backtest_is_run_stored_and_shown_with_benchmarks_charts_and_why_cards(client, modules, market):
    user = unlocked_student()
    client.force_login(user)
    response = client.post(reverse("trading:backtest_new"), BACKTEST)
    assert response.status_code == 302
    run = BacktestRun.objects.get(user=user)
    assert run.engine_version and run.bars == 1500 and run.is_synthetic
    assert run.parameters == {"fast": "10", "slow": "30"} and float(run.stop_loss_pct) == 2
    assert run.metrics["num_trades"] == len(run.trades) > 0
    html = client.get(response.url).content.decode()
    assert "Buy and hold" in html and "Cash" in html and "synthetic data" in html
    assert html.count("<svg") >= 2 and "<polyline" in html
    assert "Why?" in html and "sma_10" in html


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"parameters": "fast"}, "name=value pairs"),
        ({"parameters": "fast=abc"}, "fast must be a whole number"),
        ({"parameters": "fast=50 slow=10"}, "fast must be shorter than slow"),
        ({"position_pct": "0"}, "greater than or equal to 0.01"),
        ({"position_pct": "150"}, "less than or equal to 100"),
        ({"stop_loss_pct": "-1"}, "greater than or equal to 0"),
        ({"series": "NOPE|1h"}, "Select a valid choice"),
        ({"strategy": "own:00000000-0000-0000-0000-000000000000"}, "Select a valid choice"),
    ],
)
def test_bad_backtest_input_gets_a_message_and_nothing_is_stored(client, modules, market, changes, message):
    client.force_login(unlocked_student())
    response = client.post(reverse("trading:backtest_new"), {**BACKTEST, **changes})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not BacktestRun.objects.exists()


def test_a_student_strategy_that_peeks_is_flagged_on_its_result(client, modules, market):
    user = unlocked_student()
    client.force_login(user)
    bot = BotConfigurationFactory(user=user)
    code = (
        "import numpy as np\ndef signals(c, p):\n    x = c['close']\n    return (np.r_[x[1:], x[-1]] > x).astype(int)\n"
    )
    strategy = TradingStrategyFactory(bot_config=bot, strategy_name="peek", strategy_code=code)
    response = client.post(reverse("trading:backtest_new"), {**BACKTEST, "strategy": f"own:{strategy.pk}"})
    assert response.status_code == 302
    html = client.get(response.url).content.decode()
    assert "peeks into the future" in html
    strategy.refresh_from_db()
    assert strategy.backtest_results["num_trades"] > 0


def test_a_failing_student_strategy_is_explained_on_the_form(client, modules, market):
    user = unlocked_student()
    client.force_login(user)
    bot = BotConfigurationFactory(user=user)
    strategy = TradingStrategyFactory(
        bot_config=bot, strategy_name="boom", strategy_code="def signals(c, p):\n    return 1 / 0\n"
    )
    # The run is a task: the form queues it and its page shows why it failed.
    response = client.post(reverse("trading:backtest_new"), {**BACKTEST, "strategy": f"own:{strategy.pk}"}, follow=True)
    assert "The backtest could not run: ZeroDivisionError: division by zero (strategy.py, line 2)" in (
        response.content.decode()
    )


def test_students_see_only_their_own_bots_strategies_runs_and_sessions(client, modules, market):
    owner, other = unlocked_student(), unlocked_student()
    client.force_login(owner)
    client.post(reverse("trading:backtest_new"), BACKTEST)
    bot = BotConfigurationFactory(user=owner, name="mine")
    strategy = TradingStrategyFactory(bot_config=bot)
    session = PaperSessionFactory(bot=bot)
    run = BacktestRun.objects.get()
    client.force_login(other)
    for url in (
        reverse("trading:bot", args=[bot.pk]),
        reverse("trading:strategy", args=[bot.pk, strategy.pk]),
        reverse("trading:backtest", args=[run.pk]),
        reverse("trading:paper", args=[session.pk]),
    ):
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("trading:paper_start", args=[bot.pk])).status_code == 404
    assert client.post(reverse("trading:paper_stop", args=[session.pk])).status_code == 404
    assert "mine" not in client.get(reverse("trading:lab")).content.decode()
    assert "sma_crossover" not in client.get(reverse("trading:backtests")).content.decode()


BOT = {
    "name": "Trend bot",
    "llm_provider": "anthropic",
    "llm_model": "claude-3-5-haiku-latest",
    "max_position_size_percent": "25",
    "stop_loss_percent": "5",
    "symbol": "BTC/USDT|1h",
    "strategy_weight": "0.6",
    "llm_weight": "0.4",
    "entry_threshold": "0.5",
    "llm_every_bars": "12",
}


def test_a_bot_is_edited_through_fields_not_raw_json(client, modules, market):
    user = unlocked_student()
    client.force_login(user)
    response = client.post(reverse("trading:bot_new"), BOT)
    assert response.status_code == 302
    bot = BotConfiguration.objects.get(user=user)
    assert bot.is_paper_trading is True
    assert bot.config_json["signal_weights"] == {"strategy": 0.6, "llm": 0.4}
    assert bot.config_json["symbol"] == "BTC/USDT" and bot.config_json["llm_every_bars"] == 12
    page = client.get(reverse("trading:bot", args=[bot.pk])).content.decode()
    assert 'name="strategy_weight"' in page and "config_json" not in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"max_position_size_percent": "0"}, "More than 0 and at most 100."),
        ({"max_position_size_percent": "100.5"}, "More than 0 and at most 100."),
        ({"stop_loss_percent": "-2"}, "More than 0 and at most 100."),
        ({"strategy_weight": "0", "llm_weight": "0"}, "At least one weight must be above 0."),
        ({"llm_provider": "skynet"}, "Select a valid choice"),
        ({"is_paper_trading": ""}, None),  # not a field: trading is always paper
    ],
)
def test_bot_risk_settings_are_validated(client, modules, market, changes, message):
    client.force_login(unlocked_student())
    response = client.post(reverse("trading:bot_new"), {**BOT, **changes})
    if message is None:
        assert response.status_code == 302
        assert BotConfiguration.objects.get().is_paper_trading is True
        return
    assert response.status_code == 200 and message in response.content.decode()
    assert not BotConfiguration.objects.exists()


def test_strategy_code_is_checked_for_syntax_without_running_it(client, modules):
    user = unlocked_student()
    bot = BotConfigurationFactory(user=user)
    client.force_login(user)
    page = client.get(reverse("trading:strategy_new", args=[bot.pk])).content.decode()
    assert "def signals(candles, params)" in page  # the starter code
    bad = {"strategy_name": "x", "strategy_code": "def signals(c, p)\n    return 0\n"}
    response = client.post(reverse("trading:strategy_new", args=[bot.pk]), bad)
    assert "Syntax error on line 1" in response.content.decode()
    good = {
        "strategy_name": "x",
        "strategy_code": "def signals(c, p):\n    return [0] * len(c['close'])\n",
        "is_active": "on",
    }
    assert client.post(reverse("trading:strategy_new", args=[bot.pk]), good).status_code == 302
    assert TradingStrategy.objects.get().is_active


def test_paper_trading_replays_with_clamps_and_stops_logged(
    client, modules, market, django_capture_on_commit_callbacks
):
    user = unlocked_student()
    client.force_login(user)
    client.post(reverse("trading:bot_new"), {**BOT, "max_position_size_percent": "10", "stop_loss_percent": "1"})
    bot = BotConfiguration.objects.get()
    with django_capture_on_commit_callbacks(execute=True):  # the task is enqueued on commit
        response = client.post(reverse("trading:paper_start", args=[bot.pk]))
    session = PaperSession.objects.get()
    assert response.url == reverse("trading:paper", args=[session.pk])
    assert session.status == PaperStatus.FINISHED and session.bars_done == session.bars_total == 1499
    assert session.llm_source == "rules" and session.llm_calls > 0
    clamps = session.events.filter(kind="clamp")
    assert clamps.exists() and all(e.data["allowed"] <= 10 for e in clamps)
    assert session.events.filter(kind="stop").exists()
    assert all(t["exit_reason"] in ("signal", "stop") for t in session.trades)
    html = client.get(response.url).content.decode()
    assert "Finished" in html and "clamped to the 10% maximum position size" in html
    fragment = client.get(response.url, headers={"HX-Request": "true"}).content.decode()
    assert 'id="paper-progress"' in fragment and "<html" not in fragment


def test_a_paper_session_can_be_stopped(modules, market):
    user = unlocked_student()
    bot = BotConfigurationFactory(user=user, config_json={"symbol": "BTC/USDT", "timeframe": "1h"})
    session = PaperSessionFactory(bot=bot)
    # As if Stop were pressed just after the worker started: it ends at the first checkpoint.
    PaperSession.objects.filter(pk=session.pk).update(stop_requested=True)
    paper_session_run(str(session.pk))
    session.refresh_from_db()
    assert session.status == PaperStatus.STOPPED
    assert 0 < session.bars_done < session.bars_total


def test_only_one_running_session_per_bot(client, modules, market):
    user = unlocked_student()
    bot = BotConfigurationFactory(user=user)
    PaperSessionFactory(bot=bot, status=PaperStatus.RUNNING)
    client.force_login(user)
    response = client.post(reverse("trading:paper_start", args=[bot.pk]), follow=True)
    assert "already has a session running" in response.content.decode()
    assert PaperSession.objects.count() == 1


def test_compare_past_runs(client, modules, market):
    user = unlocked_student()
    client.force_login(user)
    client.post(reverse("trading:backtest_new"), BACKTEST)
    client.post(reverse("trading:backtest_new"), {**BACKTEST, "strategy": "buy_and_hold", "parameters": ""})
    ids = [str(r.pk) for r in BacktestRun.objects.all()]
    html = client.get(reverse("trading:backtests") + "?" + "&".join(f"compare={i}" for i in ids)).content.decode()
    table = re.search(r'data-testid="compare".*?</table>', html, re.S).group(0)
    assert "sma_crossover" in table and "buy_and_hold" in table


@pytest.mark.parametrize("rows", [1, 50])
def test_lab_pages_queries_do_not_grow(client, modules, market, django_assert_max_num_queries, rows):
    user = unlocked_student()
    client.force_login(user)
    run = None
    for _ in range(rows):
        bot = BotConfigurationFactory(user=user)
        TradingStrategyFactory(bot_config=bot)
        run = BacktestRunFactory(user=user)
    session = PaperSessionFactory(bot=bot)
    from trading.models import PaperEvent

    PaperEvent.objects.bulk_create(
        [PaperEvent(session=session, bar_time="2024-01-01T00:00Z", kind="info", message=str(i)) for i in range(rows)]
    )
    for url in (reverse("trading:lab"), reverse("trading:backtests"), reverse("trading:backtest_new"),
                reverse("trading:backtest", args=[run.pk]), reverse("trading:bot", args=[bot.pk]),
                reverse("trading:strategy", args=[bot.pk, bot.strategies.get().pk]),
                reverse("trading:paper", args=[session.pk])):  # fmt: skip
        with django_assert_max_num_queries(12):
            assert client.get(url).status_code == 200


def test_a_queued_session_stops_at_once_and_a_stale_one_does_not_block_the_bot(client, modules, market):
    from datetime import timedelta

    from django.utils import timezone

    user = unlocked_student()
    bot = BotConfigurationFactory(user=user)
    queued = PaperSessionFactory(bot=bot)
    paper_session_stop(session=queued)
    queued.refresh_from_db()
    assert queued.status == PaperStatus.STOPPED
    paper_session_run(str(queued.pk))  # the worker picks it up later: nothing happens
    queued.refresh_from_db()
    assert queued.status == PaperStatus.STOPPED and queued.bars_done == 0
    stale = PaperSessionFactory(bot=bot, status=PaperStatus.RUNNING, checkpoint_at=timezone.now() - timedelta(hours=1))
    client.force_login(user)
    client.post(reverse("trading:paper_start", args=[bot.pk]))
    stale.refresh_from_db()
    assert stale.status == PaperStatus.FAILED and "worker" in stale.error
    assert PaperSession.objects.filter(bot=bot).count() == 3


def test_the_buy_and_hold_column_is_filled(client, modules, market):
    client.force_login(unlocked_student())
    response = client.post(reverse("trading:backtest_new"), BACKTEST)
    run = BacktestRun.objects.get()
    assert run.metrics["buy_and_hold"]["num_trades"] == 1
    html = client.get(response.url).content.decode()
    sharpe_row = re.search(r"Sharpe ratio</th>(.*?)</tr>", html, re.S).group(1)
    assert sharpe_row.count("<td></td>") == 0
