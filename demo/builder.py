"""A believable, deterministic demo school for `manage.py seed_demo`.

Every row is written through the services of the app that owns its table, so the demo obeys the
same rules as the site (validation, one vote per user, counters, progress computed from lessons
and quizzes) and cannot drift from them. Only the choices (who, what, when) are made here.

Every demo account's email ends in DEMO_DOMAIN and every demo cohort's name starts with
DEMO_COHORT_PREFIX; `demo_reset` removes exactly those and what hangs off them.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import Role, User
from accounts.services import user_create, user_delete
from assessments.models import Assessment, QuestionType
from assessments.services import (
    code_submission_create,
    code_submission_grade,
    peer_review_create,
    quiz_sitting_record,
)
from community.models import Cohort, CohortRole, VoteType
from community.services import (
    cohort_create,
    cohort_members_add,
    forum_post_create,
    forum_thread_mark_solved,
    forum_thread_pin,
    forum_vote_cast,
)
from courses.models import Lesson, Module
from courses.services import lesson_completions_record, progress_time_credit
from trading.market_data import synthetic_candles
from trading.models import Candle, LLMProvider
from trading.services import bot_save, candles_import, strategy_save

DEMO_DOMAIN = "demo.cryptocurriculum.test"
DEMO_COHORT_PREFIX = "Demo: "
DEMO_PASSWORD = "demo-learner-2026"
DEMO_SYMBOLS = ("BTC/USDT", "ETH/USDT")
DEMO_BARS = 2 * 365 * 24  # two years of hourly candles
DEMO_CANDLES_START_MS = 1_704_067_200_000  # 2024-01-01T00:00Z
STUDENTS = 30
# A fixed clock keeps the demo identical from run to run and machine to machine.
DEMO_NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)

# Learning paths through the prerequisite graph, one per kind of learner.
PATHS = {
    "user": [1, 2, 3, 4, 10, 9],
    "power-user": [1, 2, 3, 5, 6, 7, 8, 4, 9, 10],
    "developer": [1, 11, 2, 5, 12, 13, 14, 3, 4, 9],
    "architect": [1, 11, 2, 5, 12, 13, 14, 15, 3, 4, 9, 8, 16, 17],
}

SMA_STRATEGY = '''import numpy as np


def signals(candles, params):
    """Be long while the fast simple moving average of the close is above the slow one."""
    close = candles["close"]
    fast, slow = int(params.get("fast", 20)), int(params.get("slow", 50))
    target = np.zeros(len(close), dtype=np.int8)
    if len(close) < slow:
        return target
    kernel_fast = np.ones(fast) / fast
    kernel_slow = np.ones(slow) / slow
    sma_fast = np.convolve(close, kernel_fast, mode="valid")[slow - fast :]
    sma_slow = np.convolve(close, kernel_slow, mode="valid")
    target[slow - 1 :] = sma_fast > sma_slow
    return target
'''

THREADS = [
    (
        1,
        "Is a blockchain just a slow database?",
        "If every node keeps a copy, why not use a normal replicated database?",
    ),
    (1, "Why does changing one block break every later block?", "I see the hashes change but not why it cascades."),
    (2, "What happens after the last bitcoin is mined?", "Do miners stop when the subsidy reaches zero?"),
    (3, "Where should I keep my seed phrase backup?", "Paper in a drawer feels wrong. What do people do?"),
    (5, "Why did my transaction fail but still cost gas?", "The contract reverted, yet I paid a fee."),
    (11, "Merkle tree with an odd number of leaves?", "Do you duplicate the last leaf or promote it?"),
    (17, "How do I know my backtest is not peeking into the future?", "My strategy looks too good."),
]
REPLIES = [
    "Good question. The lesson's diagram helped me: each block commits to the previous block's hash.",
    "The key difference is who you have to trust. A replicated database still has one operator.",
    "I had the same confusion. Try recomputing the hash by hand for two blocks; it clicks.",
    "Transaction fees. The white paper already says fees can take over from the subsidy.",
    "Bitcoin duplicates the last hash when a level has an odd count; other designs differ.",
    "Shift your signals by one bar and rerun on truncated data. If old signals change, you peek.",
]


@dataclass
class DemoReport:
    created: dict[str, int] = field(default_factory=dict)

    def add(self, kind: str, n: int = 1) -> None:
        if n:
            self.created[kind] = self.created.get(kind, 0) + n


def _user(report: DemoReport, username: str, role: str, full_name: str, password_hash: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is None:
        user = user_create(
            email=f"{username}@{DEMO_DOMAIN}",
            username=username,
            role=role,
            full_name=full_name,
            password_hash=password_hash,
            created_at=DEMO_NOW - timedelta(days=120),
            email_verified=True,  # the demo logs in with DEBUG off too, where verification is mandatory
        )
        report.add("users")
    return user


def _learner_plan(index: int, rng: random.Random) -> tuple[str, int, int]:
    """(path, modules completed, lessons done in the next module) for student `index`."""
    # The last student is the advanced one: the whole architect path, Module 17 in progress.
    kind = "architect" if index == STUDENTS - 1 else ["user", "power-user", "developer", "architect"][index % 4]
    path = PATHS[kind]
    completed = rng.randint(0, len(path) - 1) if index != STUDENTS - 1 else len(path) - 1
    return kind, completed, rng.randint(1, 3)


def _answer(question: Assessment, correct: bool, rng: random.Random) -> str:
    if question.question_type == QuestionType.MULTIPLE_CHOICE:
        if correct:
            return question.correct_answer
        return rng.choice([k for k in question.options if k != question.correct_answer])
    if question.question_type == QuestionType.TRUE_FALSE:
        return question.correct_answer if correct else {"true": "false", "false": "true"}[question.correct_answer]
    return question.accepted_answers[0] if correct else "not sure"


def _quiz_sitting(report, user, module, questions, when, rng, *, passing: bool) -> None:
    gradable = [q for q in questions if not q.is_coding_task]
    wrong = rng.randint(0, max(0, len(gradable) // 5)) if passing else rng.randint(len(gradable) // 2, len(gradable))
    wrong_ids = {q.id for q in rng.sample(gradable, min(wrong, len(gradable)))}
    token = uuid.UUID(int=rng.getrandbits(128))
    answers = {str(q.id): _answer(q, q.id not in wrong_ids, rng) for q in gradable}
    quiz_sitting_record(
        user=user,
        module=module,
        answers=answers,
        token=token,
        started_at=when - timedelta(minutes=12),
        submitted_at=when,
        seconds_for=lambda q: rng.randint(15, 90),
        questions=gradable,
    )
    report.add("quiz sittings")
    report.add("quiz attempts", len(gradable))


def _progress(report, user, index, modules, lessons_by_module, questions_by_module, rng) -> list[int]:
    kind, completed, lessons_in_next = _learner_plan(index, rng)
    path = PATHS[kind]
    day = DEMO_NOW - timedelta(days=90)
    done_modules = []
    for position, module_id in enumerate(path[: completed + 1]):
        module = modules[module_id]
        lessons = lessons_by_module[module_id]
        finished = position < completed
        count = len(lessons) if finished else min(lessons_in_next, len(lessons))
        completions = {}
        for lesson in lessons[:count]:
            day += timedelta(hours=rng.randint(6, 40))
            completions[lesson] = day
        lesson_completions_record(user=user, completions=completions)
        report.add("lesson completions", count)
        if finished:
            if rng.random() < 0.3:  # some learners needed a second sitting
                _quiz_sitting(report, user, module, questions_by_module[module_id], day, rng, passing=False)
                day += timedelta(days=1)
            _quiz_sitting(report, user, module, questions_by_module[module_id], day, rng, passing=True)
            done_modules.append(module_id)
        minutes = sum(lesson.estimated_minutes or 0 for lesson in lessons[:count]) + (15 if finished else 0)
        progress_time_credit(user=user, module=module, seconds=minutes * 60)
        report.add("progress rows")
    return done_modules


def _forum(report, students, teachers, modules, rng) -> None:
    everyone = students + teachers
    for number, (module_id, title, content) in enumerate(THREADS):
        author = students[(number * 7) % len(students)]
        when = DEMO_NOW - timedelta(days=30 - number * 3)
        post = forum_post_create(user=author, module=modules[module_id], title=title, content=content, created_at=when)
        if number == 0:
            forum_thread_pin(post=post)
        report.add("forum posts")
        replies = []
        for r in range(rng.randint(2, 4)):
            replier = rng.choice([u for u in everyone if u != author])
            replies.append(
                forum_post_create(
                    user=replier,
                    module=None,
                    title=None,
                    content=REPLIES[(number + r) % len(REPLIES)],
                    parent=post,
                    created_at=when + timedelta(hours=2 + r * 5),
                )
            )
        report.add("forum posts", len(replies))
        if number % 2 == 0:
            forum_thread_mark_solved(post=post)
        for target in [post, *replies]:
            voters = rng.sample([u for u in everyone if u != target.user], rng.randint(0, 6))
            for voter in voters:
                vote_type = VoteType.UPVOTE if rng.random() < 0.85 else VoteType.DOWNVOTE
                forum_vote_cast(user=voter, post=target, vote_type=vote_type)
            report.add("forum votes", len(voters))


def _code_review(report, students, teacher, completed_by_student, rng) -> None:
    tasks = list(Assessment.objects.coding_tasks().order_by("module_id", "order_index"))
    submitted = 0
    for student in students:
        for task in tasks:
            if task.module_id not in completed_by_student[student.pk] or submitted >= 8:
                continue
            graded = submitted % 3 != 2
            submission = code_submission_create(
                user=student,
                assessment=task,
                files={"solution.py": task.reference_solution},
                submitted_at=DEMO_NOW - timedelta(days=10 - submitted),
            )
            if graded:
                code_submission_grade(
                    submission=submission,
                    grader=teacher,
                    grade=rng.randint(70, 100),
                    feedback="Clear and correct; consider naming the helper functions.",
                    rubric_scores={"functionality": 40, "code_quality": 25, "tests": 20},
                    graded_at=DEMO_NOW - timedelta(days=9 - submitted),
                )
            submitted += 1
            reviewer = students[(students.index(student) + 1) % len(students)]
            peer_review_create(
                submission=submission,
                reviewer=reviewer,
                rubric_scores={"functionality": 4, "readability": 5},
                comments="Readable and handles the edge cases; a docstring would help.",
                is_helpful=True,
                submitted_at=DEMO_NOW - timedelta(days=8 - submitted),
            )
            report.add("code submissions")
            report.add("peer reviews")


@transaction.atomic
def demo_seed() -> DemoReport:
    """Create the demo school unless it exists (a second run changes nothing)."""
    report = DemoReport()
    modules = Module.objects.in_bulk()
    if len(modules) < 17:
        raise ValueError("Load the curriculum first: manage.py seed_curriculum")
    if User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exists():
        return report
    rng = random.Random(2026)
    password_hash = make_password(DEMO_PASSWORD)  # one hash: 33 bcrypt rounds would take seconds
    _user(report, "demo_admin", Role.ADMIN, "Ada Admin", password_hash)
    teachers = [
        _user(report, "demo_teacher1", Role.TEACHER, "Satoshi Teacher", password_hash),
        _user(report, "demo_teacher2", Role.TEACHER, "Vitalia Teacher", password_hash),
    ]
    students = [
        _user(report, f"demo_student{i:02d}", Role.STUDENT, f"Demo Student {i:02d}", password_hash)
        for i in range(1, STUDENTS + 1)
    ]
    cohorts = [
        (f"{DEMO_COHORT_PREFIX}Spring 2026 — Foundations", date(2026, 3, 2), date(2026, 6, 26), teachers[0]),
        (f"{DEMO_COHORT_PREFIX}Autumn 2026 — Builders", date(2026, 9, 7), date(2026, 12, 18), teachers[1]),
    ]
    for number, (name, start, end, teacher) in enumerate(cohorts):
        cohort = cohort_create(  # its teacher becomes its instructor
            name=name,
            description="A demo cohort with a weekly live session and module deadlines.",
            start_date=start,
            end_date=end,
            created_by=teacher,
            is_active=end >= DEMO_NOW.date(),
        )
        half = students[number * STUDENTS // 2 : (number + 1) * STUDENTS // 2]
        cohort_members_add(cohort=cohort, users=half, role=CohortRole.STUDENT)
        report.add("cohorts")
        report.add("cohort members", cohort.members.count())

    lessons_by_module: dict[int, list[Lesson]] = {}
    for lesson in Lesson.objects.select_related("module").order_by("module_id", "order_index"):
        lessons_by_module.setdefault(lesson.module_id, []).append(lesson)
    questions_by_module: dict[int, list[Assessment]] = {}
    for question in Assessment.objects.order_by("module_id", "order_index"):
        questions_by_module.setdefault(question.module_id, []).append(question)
    completed_by_student = {
        student.pk: _progress(report, student, i, modules, lessons_by_module, questions_by_module, rng)
        for i, student in enumerate(students)
    }
    _forum(report, students, teachers, modules, rng)
    _code_review(report, students, teachers[1], completed_by_student, rng)

    advanced = students[-1]
    bot = bot_save(
        user=advanced,
        bot=None,
        fields={
            "name": "Trend follower with an LLM second opinion",
            "llm_provider": LLMProvider.OLLAMA,
            "llm_model": "llama3.1:8b",
            "is_active": True,
        },
        config={
            "signal_weights": {"strategy": 0.7, "llm": 0.3},
            "data_sources": ["candles:BTC/USDT:1h"],
            "symbol": "BTC/USDT",
            "timeframe": "1h",
        },
    )
    strategy_save(bot=bot, strategy=None, name="SMA crossover 20/50", code=SMA_STRATEGY, active=True)
    report.add("bot configurations")
    report.add("trading strategies")
    for seed, symbol in enumerate(DEMO_SYMBOLS, start=1):
        candles = synthetic_candles(bars=DEMO_BARS, seed=seed, timeframe="1h", start_ms=DEMO_CANDLES_START_MS)
        loaded = candles_import(symbol=symbol, timeframe="1h", candles=candles, synthetic=True)
        report.add("synthetic candles", loaded.inserted)
    return report


@transaction.atomic
def demo_reset() -> int:
    """Remove the demo accounts, their data, the demo cohorts and the demo's synthetic candles;
    nothing else. Returns users removed."""
    Cohort.objects.filter(name__startswith=DEMO_COHORT_PREFIX).delete()
    Candle.objects.filter(symbol__in=DEMO_SYMBOLS, timeframe="1h", is_synthetic=True).delete()
    users = list(User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}"))
    for user in users:
        user_delete(user=user)
    return len(users)
