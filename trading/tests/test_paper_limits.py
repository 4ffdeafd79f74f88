"""Paper trading's limits: one session per bot, backed by the database, whatever races."""

import numpy as np
import pytest
from django.db import IntegrityError, transaction
from django.test import Client
from django.urls import reverse

from common.testing import race
from trading import paper
from trading.models import PaperSession, PaperStatus
from trading.paper import PaperError, paper_session_start
from trading.tests.factories import BotConfigurationFactory, PaperSessionFactory
from trading.tests.test_lab_views import unlocked_student


@pytest.mark.django_db(transaction=True)
def test_twelve_concurrent_starts_make_exactly_one_session(modules, market, queued_tasks):
    user = unlocked_student()
    bot = BotConfigurationFactory(user=user)
    clients = []
    for _ in range(12):
        client = Client()
        client.force_login(user)
        clients.append(client)
    url = reverse("trading:paper_start", args=[bot.pk])
    responses, errors = race(lambda client: client.post(url, follow=True), clients)
    assert not errors, errors
    assert PaperSession.objects.filter(bot=bot).count() == 1
    refused = [r for r in responses if "already has a session running" in r.content.decode()]
    assert len(refused) == 11


@pytest.mark.django_db
def test_the_database_allows_one_active_session_per_bot():
    bot = BotConfigurationFactory()
    PaperSessionFactory(bot=bot, status=PaperStatus.RUNNING)
    PaperSessionFactory(bot=bot, status=PaperStatus.FINISHED)  # finished ones do not count
    with pytest.raises(IntegrityError, match="paper_sessions_one_active_per_bot"), transaction.atomic():
        PaperSessionFactory(bot=bot, status=PaperStatus.QUEUED)


@pytest.mark.django_db
def test_a_start_that_loses_the_race_gets_the_same_message(monkeypatch, market):
    bot = BotConfigurationFactory()
    PaperSessionFactory(bot=bot, status=PaperStatus.QUEUED)
    monkeypatch.setattr(paper, "_bot_has_active_session", lambda bot: False)  # as if the check raced
    with pytest.raises(PaperError, match="this bot already has a session running; stop it first"):
        paper_session_start(user=bot.user, bot=bot)
    assert PaperSession.objects.filter(bot=bot).count() == 1


@pytest.mark.django_db
def test_a_session_marked_stale_while_it_still_runs_stays_failed():
    # Its worker was slow, not dead: a later start marked it failed and freed the bot. When the
    # worker reaches its next checkpoint it must stop there, not come back as running or finished.
    session = PaperSessionFactory(status=PaperStatus.FAILED, error="The worker running this session stopped.")
    state = paper.ReplayState(cash=1000.0, equity=1000.0, curve=[1000.0])
    assert paper._checkpoint(session, state) is False
    paper._finish(session=session, state=state, status=PaperStatus.FINISHED, times=np.array([0]))
    session.refresh_from_db()
    assert session.status == PaperStatus.FAILED
