"""LLM cost caps: only the models the server offers, at most once every LLM_MIN_EVERY_BARS bars."""

import pytest
from django.urls import reverse

from trading.models import BotConfiguration, PaperSession, PaperStatus
from trading.paper import paper_session_run
from trading.tests.factories import BotConfigurationFactory, PaperSessionFactory
from trading.tests.test_lab_views import BOT, unlocked_student

pytestmark = pytest.mark.django_db
LISTENS_TO_THE_LLM = {"symbol": "BTC/USDT", "timeframe": "1h", "signal_weights": {"strategy": 0.5, "llm": 0.5}}


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"llm_provider": "openai", "llm_model": "gpt-4.5-preview"},
         "“gpt-4.5-preview” is not a model this server offers for OpenAI; choose one of gpt-4o-mini"),
        ({"llm_provider": "anthropic", "llm_model": "claude-3-opus-latest"},
         "is not a model this server offers for Anthropic; choose one of claude-3-5-haiku-latest"),
        ({"llm_every_bars": "1"}, "This server asks the LLM at most once every 12 bars"),
    ],
)  # fmt: skip
def test_the_bot_form_refuses_costly_settings(client, modules, market, changes, message):
    client.force_login(unlocked_student())
    response = client.post(reverse("trading:bot_new"), {**BOT, **changes})
    assert response.status_code == 200 and message in response.content.decode()
    assert not BotConfiguration.objects.exists()


def test_the_form_names_the_models_on_offer_and_obeys_the_settings(client, modules, market, settings):
    settings.LLM_MODELS_OLLAMA = ["tiny:1b"]
    settings.LLM_MIN_EVERY_BARS = 48
    client.force_login(unlocked_student())
    page = client.get(reverse("trading:bot_new")).content.decode()
    assert "Ollama: tiny:1b" in page and "at least 48" in page
    response = client.post(reverse("trading:bot_new"), {**BOT, "llm_provider": "ollama", "llm_model": "tiny:1b"})
    assert "once every 48 bars" in response.content.decode()  # BOT asks every 12
    ok = {**BOT, "llm_provider": "ollama", "llm_model": "tiny:1b", "llm_every_bars": "48"}
    assert client.post(reverse("trading:bot_new"), ok).status_code == 302


def test_a_bot_saved_with_a_short_interval_is_still_asked_at_most_every_12_bars(modules, market):
    bot = BotConfigurationFactory(config_json={**LISTENS_TO_THE_LLM, "llm_every_bars": 1})
    session = PaperSessionFactory(bot=bot)
    paper_session_run(str(session.pk))
    session.refresh_from_db()
    assert session.status == PaperStatus.FINISHED
    assert session.llm_calls == len(range(0, 1500, 12))  # not 1500


def test_a_bot_with_a_model_not_on_offer_cannot_start_when_the_provider_costs(client, modules, market, fake):
    user = unlocked_student()
    bot = BotConfigurationFactory(
        user=user, llm_provider="openai", llm_model="o1-pro", config_json={**LISTENS_TO_THE_LLM, "llm_every_bars": 24}
    )
    client.force_login(user)
    response = client.post(reverse("trading:paper_start", args=[bot.pk]), follow=True)
    assert "This bot&#x27;s model “o1-pro” is not offered for OpenAI on this server; choose one of gpt-4o-mini" in (
        response.content.decode()
    )
    assert not PaperSession.objects.exists() and fake.requests == []


def test_a_queued_session_whose_model_left_the_list_falls_back_to_rules(modules, market, fake, settings):
    bot = BotConfigurationFactory(
        llm_provider="openai", llm_model="gpt-4o-mini", config_json={**LISTENS_TO_THE_LLM, "llm_every_bars": 24}
    )
    session = PaperSessionFactory(bot=bot)
    settings.LLM_MODELS_OPENAI = ["gpt-4.1-nano"]  # the operator narrowed the list meanwhile
    paper_session_run(str(session.pk))
    session.refresh_from_db()
    assert session.status == PaperStatus.FINISHED and fake.requests == []
    assert session.llm_source == "rules-capped" and session.llm_calls == len(range(0, 1500, 24))
    logged = session.events.filter(kind="llm", message__contains="is not offered for openai")
    assert logged.count() == 1
