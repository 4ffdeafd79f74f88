from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count, Q

from accounts.models import Role, User
from accounts.tests.factories import UserFactory
from assessments.models import CodeSubmission, QuizAttempt, QuizSitting
from common.testing import table_digests
from community.models import Cohort, ForumPost, ForumVote, VoteType
from courses.models import LessonCompletion, ProgressStatus, UserProgress
from demo.builder import DEMO_DOMAIN, DEMO_PASSWORD
from trading.models import BotConfiguration, Candle

pytestmark = pytest.mark.django_db

DEMO_TABLES = [
    "users", "user_progress", "lesson_completions", "quiz_attempts", "quiz_sittings", "cohorts", "cohort_members",
    "forum_posts", "forum_votes", "code_submissions", "peer_reviews", "bot_configurations", "trading_strategies",
]  # fmt: skip


def run(*args) -> str:
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def curriculum():
    call_command("seed_curriculum", stdout=StringIO())


def test_demo_needs_the_curriculum():
    with pytest.raises(CommandError, match="seed_curriculum"):
        run()


def test_demo_school_is_believable(curriculum):
    output = run()
    assert DEMO_PASSWORD in output
    demo = User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}")
    assert demo.filter(role=Role.ADMIN).count() == 1
    assert demo.filter(role=Role.TEACHER).count() == 2
    assert demo.filter(role=Role.STUDENT).count() == 30
    assert User.objects.get(username="demo_student01").check_password(DEMO_PASSWORD)
    cohorts = Cohort.objects.annotate(n=Count("members"))
    assert cohorts.count() == 2 and all(c.start_date < c.end_date and c.n == 16 for c in cohorts)
    assert UserProgress.objects.filter(status=ProgressStatus.COMPLETED).exists()
    assert UserProgress.objects.filter(status=ProgressStatus.IN_PROGRESS).exists()
    tracks = set(UserProgress.objects.values_list("module__track", flat=True))
    assert tracks == {"user", "power-user", "developer", "architect"}
    assert ForumPost.objects.filter(parent_post__isnull=True).count() >= 5
    assert ForumPost.objects.filter(parent_post__isnull=False).count() >= 10
    assert CodeSubmission.objects.filter(peer_reviews__isnull=False).exists()
    assert CodeSubmission.objects.filter(graded_by__isnull=False).exists()
    bot = BotConfiguration.objects.get()
    assert bot.is_paper_trading and bot.strategies.count() == 1
    for symbol in ("BTC/USDT", "ETH/USDT"):  # two years of hourly synthetic candles each
        candles = Candle.objects.filter(symbol=symbol, timeframe="1h")
        assert candles.count() == 17520 and not candles.filter(is_synthetic=False).exists()


def test_progress_is_consistent_with_lessons_and_quizzes(curriculum):
    run()
    for progress in UserProgress.objects.select_related("module").prefetch_related("module__lessons"):
        lessons = list(progress.module.lessons.all())
        done = LessonCompletion.objects.filter(user=progress.user, lesson__in=lessons).count()
        attempts = QuizAttempt.objects.filter(user=progress.user, assessment__module=progress.module)
        if progress.status == ProgressStatus.COMPLETED:
            assert done == len(lessons)
            assert attempts.exists()
            last = QuizSitting.objects.filter(user=progress.user, module=progress.module).first()
            assert last.passed and last.percent >= 70
            graded = last.attempts.aggregate(n=Count("id"), ok=Count("id", filter=Q(is_correct=True)))
            assert graded["n"] and round(graded["ok"] / graded["n"] * 100, 2) >= 70
        else:
            assert done < len(lessons) or not attempts.exists()
        expected = round((done + (progress.status == ProgressStatus.COMPLETED)) / (len(lessons) + 1) * 100, 2)
        assert float(progress.progress_percent) == expected


def test_forum_upvote_counters_match_the_votes(curriculum):
    run()
    for post in ForumPost.objects.annotate(n=Count("votes", filter=Q(votes__vote_type=VoteType.UPVOTE))):
        assert post.upvotes == post.n
    assert ForumVote.objects.exists()


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
