"""Per-learner caps: paper sessions at once, LLM provider calls per day."""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.tests.factories import UserFactory
from common.testing import race
from trading.models import LLMUsage, PaperSession, PaperStatus
from trading.paper import paper_session_start
from trading.services import llm_call_reserve
from trading.tests.factories import BotConfigurationFactory
from trading.tests.test_lab_views import unlocked_student

LISTENS_TO_THE_LLM = {
    "symbol": "BTC/USDT",
    "timeframe": "1h",
    "signal_weights": {"strategy": 0.5, "llm": 0.5},
    "llm_every_bars": 24,
}


@pytest.mark.django_db
def test_a_learner_runs_at_most_two_paper_sessions_at_once(client, modules, market, queued_tasks):
    user = unlocked_student()
    bots = BotConfigurationFactory.create_batch(3, user=user)
    client.force_login(user)
    for bot in bots[:2]:
        client.post(reverse("trading:paper_start", args=[bot.pk]))
    response = client.post(reverse("trading:paper_start", args=[bots[2].pk]), follow=True)
    assert (
        "You already have 2 paper-trading sessions running, and at most 2 can run at a time; stop one"
        in response.content.decode()
    )
    assert PaperSession.objects.filter(user=user).count() == 2
    PaperSession.objects.filter(bot=bots[0]).update(status=PaperStatus.STOPPED)
    client.post(reverse("trading:paper_start", args=[bots[2].pk]))
    assert PaperSession.objects.filter(user=user, status=PaperStatus.QUEUED).count() == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_starts_on_three_bots_make_two_sessions(modules, market, queued_tasks):
    user = unlocked_student()
    bots = BotConfigurationFactory.create_batch(3, user=user)
    posts = []
    for bot in bots * 2:
        client = Client()
        client.force_login(user)
        posts.append((client, reverse("trading:paper_start", args=[bot.pk])))
    _, errors = race(lambda post: post[0].post(post[1]), posts)
    assert not errors, errors
    assert PaperSession.objects.filter(user=user).count() == 2


def _session(bot, callbacks) -> PaperSession:
    with callbacks(execute=True):  # the task is enqueued on commit
        session = paper_session_start(user=bot.user, bot=bot)
    session.refresh_from_db()
    return session


@pytest.mark.django_db
def test_a_session_that_reaches_the_daily_llm_cap_falls_back_to_rules_and_says_so(
    client, modules, market, fake, settings, django_capture_on_commit_callbacks
):
    settings.LLM_CALLS_PER_USER_PER_DAY = 3
    user = unlocked_student()
    bot = BotConfigurationFactory(
        user=user, llm_provider="openai", llm_model="gpt-4o-mini", config_json=LISTENS_TO_THE_LLM
    )
    session = _session(bot, django_capture_on_commit_callbacks)
    assert session.status == PaperStatus.FINISHED, session.error
    assert len(fake.requests) == 3  # not one per 24 bars: 63
    assert LLMUsage.objects.get(user=user).calls == 3
    assert session.llm_calls == len(range(0, 1500, 24)) and session.llm_source == "rules-capped"
    logged = session.events.filter(kind="llm", message__startswith="The daily limit of 3 LLM calls per learner")
    assert logged.count() == 1
    client.force_login(user)
    page = client.get(session.get_absolute_url()).content.decode()
    assert "a cost limit stopped the LLM calls" in page

    # The cap is used up: the next start is refused at the button.
    response = client.post(reverse("trading:paper_start", args=[bot.pk]), follow=True)
    assert "You have used all 3 LLM calls a learner may make today (UTC)" in response.content.decode()
    assert PaperSession.objects.count() == 1

    # Answers already stored cost nothing: with two more calls allowed, a rerun asks only twice more.
    settings.LLM_CALLS_PER_USER_PER_DAY = 5
    _session(bot, django_capture_on_commit_callbacks)
    assert len(fake.requests) == 5 and LLMUsage.objects.get(user=user).calls == 5


@pytest.mark.django_db
def test_the_rules_provider_and_llm_weight_zero_use_no_calls(
    modules, market, settings, django_capture_on_commit_callbacks
):
    settings.LLM_CALLS_PER_USER_PER_DAY = 0
    bot = BotConfigurationFactory(config_json=LISTENS_TO_THE_LLM)  # no provider configured: rules
    session = _session(bot, django_capture_on_commit_callbacks)
    assert session.status == PaperStatus.FINISHED and session.llm_source == "rules"
    assert not LLMUsage.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_concurrent_calls_cannot_pass_the_daily_cap(settings):
    settings.LLM_CALLS_PER_USER_PER_DAY = 4
    user = UserFactory()
    granted, errors = race(lambda _: llm_call_reserve(user_id=user.pk), range(10))
    assert not errors, errors
    assert sorted(granted) == [False] * 6 + [True] * 4
    assert LLMUsage.objects.get(user=user).calls == 4
