"""The demo school as built once: believable, and consistent with the rules of the apps."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Count, Q

from accounts.models import Role, User
from assessments.models import CodeSubmission, QuizAttempt, QuizSitting
from community.models import Cohort, ForumPost, ForumVote, VoteType
from courses.models import LessonCompletion, ProgressStatus, UserProgress
from demo.builder import DEMO_DOMAIN, DEMO_PASSWORD
from demo.tests.test_demo import run
from trading.models import BotConfiguration, Candle

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def school(django_db_setup, django_db_blocker):
    """The curriculum and the demo school, built once for the tests that only read them (building
    takes seconds); emptied again afterwards, so no other test sees them."""
    with django_db_blocker.unblock():
        call_command("seed_curriculum", stdout=StringIO())
        output = run()
    yield output
    with django_db_blocker.unblock():
        call_command("flush", interactive=False, verbosity=0)


def test_demo_school_is_believable(school):
    output = school
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


def test_progress_is_consistent_with_lessons_and_quizzes(school):
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


def test_forum_upvote_counters_match_the_votes(school):
    for post in ForumPost.objects.annotate(n=Count("votes", filter=Q(votes__vote_type=VoteType.UPVOTE))):
        assert post.upvotes == post.n
    assert ForumVote.objects.exists()


def test_demo_accounts_can_log_in_where_verification_is_mandatory(school, client, settings):
    settings.ACCOUNT_EMAIL_VERIFICATION = "mandatory"
    response = client.post("/accounts/login/", {"login": f"demo_student01@{DEMO_DOMAIN}", "password": DEMO_PASSWORD})
    assert response.status_code == 302 and "confirm-email" not in response.url
    assert client.get("/dashboard/").status_code == 200
