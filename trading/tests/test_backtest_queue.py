"""Backtests run as tasks: a slow strategy never holds a web worker, and each learner has limits."""

import time
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from common.testing import race
from trading.models import BacktestRun, BacktestStatus
from trading.services import backtest_run
from trading.tests.conftest import run_queued_tasks
from trading.tests.factories import BacktestRunFactory, BotConfigurationFactory, TradingStrategyFactory
from trading.tests.test_lab_views import BACKTEST, unlocked_student

SLEEPY = """import time
import numpy as np


def signals(candles, params):
    time.sleep(1)  # on every history the lookahead check cuts: about 5 s per backtest
    return np.zeros(len(candles["close"]), dtype=np.int8)
"""


def sleepy_backtest(user) -> dict:
    strategy = TradingStrategyFactory(bot_config=BotConfigurationFactory(user=user), strategy_code=SLEEPY)
    return {**BACKTEST, "strategy": f"own:{strategy.pk}"}


@pytest.mark.django_db(transaction=True)
def test_three_slow_backtests_are_queued_at_once_and_healthz_stays_fast(modules, market, queued_tasks):
    clients = []
    for _ in range(3):
        user = unlocked_student()
        client = Client()
        client.force_login(user)
        clients.append((client, sleepy_backtest(user)))
    for client, form in clients:
        started = time.perf_counter()
        response = client.post(reverse("trading:backtest_new"), form)
        assert time.perf_counter() - started < 1.0  # inline, each took more than 5 s
        assert response.status_code == 302
        page = client.get(response.url).content.decode()
        assert 'data-testid="backtest-status">Queued<' in page
        assert 'hx-trigger="every 2s"' in page and 'http-equiv="refresh"' in page  # htmx, or a reload without JS
    assert BacktestRun.objects.filter(status=BacktestStatus.QUEUED).count() == 3
    started = time.perf_counter()
    assert Client().get("/healthz").status_code == 200
    assert time.perf_counter() - started < 0.5

    run_queued_tasks(workers=3)  # manage.py db_worker, three of them

    for client, _ in clients:
        run = BacktestRun.objects.get(user=client.session["_auth_user_id"])
        assert run.status == BacktestStatus.FINISHED and run.metrics["num_trades"] == 0 and run.finished_at
        page = client.get(run.get_absolute_url()).content.decode()
        assert 'data-testid="metrics"' in page and "hx-trigger" not in page
        fragment = client.get(run.get_absolute_url(), headers={"HX-Request": "true"})
        assert fragment["HX-Refresh"] == "true"  # htmx reloads the page to show the result


@pytest.mark.django_db
def test_a_learner_has_at_most_two_backtests_waiting_or_running(client, modules, market, queued_tasks):
    user = unlocked_student()
    client.force_login(user)
    for _ in range(2):
        assert client.post(reverse("trading:backtest_new"), BACKTEST).status_code == 302
    response = client.post(reverse("trading:backtest_new"), BACKTEST)
    assert response.status_code == 200
    assert "You already have 2 backtests waiting or running, and at most 2 can run at a time" in (
        response.content.decode()
    )
    assert BacktestRun.objects.count() == 2
    for run in BacktestRun.objects.all():  # a worker runs them
        backtest_run(backtest_id=str(run.pk))
    assert set(BacktestRun.objects.values_list("status", flat=True)) == {BacktestStatus.FINISHED}
    assert client.post(reverse("trading:backtest_new"), BACKTEST).status_code == 302


@pytest.mark.django_db(transaction=True)
def test_concurrent_posts_cannot_pass_the_limit_together(modules, market, queued_tasks):
    user = unlocked_student()
    clients = []
    for _ in range(6):
        client = Client()
        client.force_login(user)
        clients.append(client)
    responses, errors = race(lambda client: client.post(reverse("trading:backtest_new"), BACKTEST), clients)
    assert not errors, errors
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 200, 302, 302]
    assert BacktestRun.objects.filter(user=user).count() == 2


@pytest.mark.django_db
def test_a_learner_runs_at_most_so_many_backtests_an_hour(client, modules, market, settings):
    settings.BACKTESTS_PER_HOUR = 3
    user = unlocked_student()
    client.force_login(user)
    for _ in range(3):
        assert client.post(reverse("trading:backtest_new"), BACKTEST).status_code == 302
    response = client.post(reverse("trading:backtest_new"), BACKTEST)
    assert response.status_code == 200
    assert "You have run 3 backtests in the last hour, the most allowed. Try again in 60 minutes." in (
        response.content.decode()
    )
    assert BacktestRun.objects.count() == 3
    BacktestRun.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    assert client.post(reverse("trading:backtest_new"), BACKTEST).status_code == 302


@pytest.mark.django_db
def test_a_run_whose_worker_died_does_not_block_the_learner(client, modules, market):
    user = unlocked_student()
    long_ago = timezone.now() - timedelta(hours=1)
    stale = BacktestRunFactory.create_batch(
        2, user=user, status=BacktestStatus.RUNNING, started_at=long_ago, created_at=long_ago
    )
    client.force_login(user)
    assert client.post(reverse("trading:backtest_new"), BACKTEST).status_code == 302
    for run in stale:
        run.refresh_from_db()
        assert run.status == BacktestStatus.FAILED and "worker" in run.error
        assert (
            "The backtest could not run: the worker running it stopped"
            in client.get(run.get_absolute_url()).content.decode()
        )


@pytest.mark.django_db
def test_a_run_is_done_once_whatever_the_queue_delivers(modules, market):
    run = BacktestRunFactory(status=BacktestStatus.QUEUED, parameters={"fast": "10", "slow": "30"})
    backtest_run(backtest_id=str(run.pk))
    run.refresh_from_db()
    finished = run.finished_at
    assert run.status == BacktestStatus.FINISHED and run.bars == 1500
    backtest_run(backtest_id=str(run.pk))  # delivered twice: nothing happens
    run.refresh_from_db()
    assert run.finished_at == finished


@pytest.mark.django_db
def test_nobody_reaches_another_learners_run_by_id(client, modules, market, queued_tasks):
    owner, other = unlocked_student(), unlocked_student()
    client.force_login(owner)
    client.post(reverse("trading:backtest_new"), BACKTEST)
    queued = BacktestRun.objects.get()
    failed = BacktestRunFactory(user=owner, status=BacktestStatus.FAILED, error="secret detail")
    client.force_login(other)
    for run in (queued, failed):
        assert client.get(run.get_absolute_url()).status_code == 404
        assert client.get(run.get_absolute_url(), headers={"HX-Request": "true"}).status_code == 404
    assert "secret detail" not in client.get(reverse("trading:backtests")).content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 50])
def test_the_progress_page_queries_do_not_grow(client, modules, market, django_assert_max_num_queries, rows):
    user = unlocked_student()
    client.force_login(user)
    runs = [BacktestRunFactory(user=user, status=status) for status in BacktestStatus.values for _ in range(rows)]
    for run in runs[::rows]:
        for headers in ({}, {"HX-Request": "true"}):
            with django_assert_max_num_queries(12):
                assert client.get(run.get_absolute_url(), headers=headers).status_code == 200
    with django_assert_max_num_queries(12):
        html = client.get(reverse("trading:backtests")).content.decode()
    assert html.count(">failed</span>") == rows  # the newest 100 runs: finished and failed ones
