from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from accounts.models import User
from accounts.tests.factories import UserFactory
from common.testing import table_digests
from community.models import Cohort
from courses.models import UserProgress
from trading.models import Candle

pytestmark = pytest.mark.django_db

DEMO_TABLES = [
    "users", "user_progress", "lesson_completions", "quiz_attempts", "quiz_sittings", "cohorts", "cohort_members",
    "forum_posts", "forum_votes", "code_submissions", "peer_reviews", "bot_configurations", "trading_strategies",
]  # fmt: skip


def run(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, "--public-demo", stdout=out)  # the tests run with DEBUG off
    return out.getvalue()


def test_with_debug_off_the_demo_needs_to_be_asked_for_as_public(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--public-demo"):
        call_command("seed_demo", stdout=StringIO())
    assert not User.objects.exists()


@pytest.fixture
def curriculum():
    call_command("seed_curriculum", stdout=StringIO())


def test_demo_needs_the_curriculum():
    with pytest.raises(CommandError, match="seed_curriculum"):
        run()


def test_a_second_run_changes_nothing(curriculum):
    run()
    before = table_digests(DEMO_TABLES)
    assert "nothing changed" in run()
    assert table_digests(DEMO_TABLES) == before


def test_reset_removes_demo_data_only(curriculum):
    real = UserFactory(username="real_student")
    run()
    output = run("--reset")
    assert "Removed 33 demo accounts" in output
    assert list(User.objects.all()) == [real]
    assert not Cohort.objects.exists() and not UserProgress.objects.exists() and not Candle.objects.exists()
    run()
    assert User.objects.count() == 34
