"""The database itself enforces the schema's rules: uniqueness, enumerations, ranges, cascades
and defaults hold even for raw SQL that bypasses Django."""

import uuid

import pytest
from django.db import IntegrityError, connection, transaction

from accounts.tests.factories import UserFactory
from assessments.tests.factories import AssessmentFactory, QuizAttemptFactory
from courses.tests.factories import LessonFactory, ModuleFactory, UserProgressFactory

pytestmark = pytest.mark.django_db


def _execute(sql, params=None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchall() if cursor.description else None


def _rejected(sql, params=None) -> str:
    with pytest.raises(IntegrityError) as error, transaction.atomic():
        _execute(sql, params)
    return str(error.value)


def test_email_and_username_are_unique():
    user = UserFactory()
    assert "users_email_key" in _rejected(
        "INSERT INTO users (email, username, password_hash) VALUES (%s, 'other', 'x')", [user.email]
    )
    assert "users_username_key" in _rejected(
        "INSERT INTO users (email, username, password_hash) VALUES ('other@example.org', %s, 'x')", [user.username]
    )


def test_email_and_username_are_unique_ignoring_case():
    user = UserFactory(email="ann@example.org", username="ann")
    assert "users_email_lower_key" in _rejected(
        "INSERT INTO users (email, username, password_hash) VALUES ('ANN@example.org', 'other', 'x')"
    )
    assert "users_username_lower_key" in _rejected(
        "INSERT INTO users (email, username, password_hash) VALUES ('b@example.org', 'ANN', 'x')"
    )
    assert user.pk


@pytest.mark.parametrize(
    ("sql", "constraint"),
    [
        ("INSERT INTO users (email, username, password_hash, role) VALUES ('a@x.org', 'a', 'x', 'root')", "users_role"),
        ("INSERT INTO modules (id, title, track, order_index) VALUES (99, 't', 'wizard', 1)", "modules_track"),
        ("INSERT INTO modules (id, title, track, order_index) VALUES (0, 't', 'user', 1)", "modules_id_range"),
        (
            "INSERT INTO lessons (module_id, title, content, order_index, lesson_type) "
            "VALUES (1, 't', 'c', 1, 'podcast')",
            "lessons_lesson_type",
        ),
        (
            "INSERT INTO assessments (module_id, question_text, question_type, order_index) "
            "VALUES (1, 'q', 'essay', 1)",
            "assessments_question_type",
        ),
        (
            "INSERT INTO learning_resources (module_id, title, url, difficulty) VALUES (1, 't', 'https://x', 'expert')",
            "learning_resources_difficulty",
        ),
        (
            "INSERT INTO learning_resources (module_id, title, url, upvotes) VALUES (1, 't', 'https://x', -1)",
            "learning_resources_upvotes_range",
        ),
        ("INSERT INTO achievements (name, category) VALUES ('n', 'bravery')", "achievements_category"),
    ],
)
def test_check_constraints_reject_bad_values(sql, constraint):
    ModuleFactory(id=1)
    assert constraint in _rejected(sql)


@pytest.mark.parametrize("percent", [-0.01, 100.01, 250])
def test_progress_percent_must_be_between_0_and_100(percent):
    progress = UserProgressFactory()
    assert "user_progress_progress_percent_range" in _rejected(
        "UPDATE user_progress SET progress_percent = %s WHERE id = %s", [percent, progress.id]
    )


@pytest.mark.parametrize("percent", [0, 0.5, 100])
def test_progress_percent_accepts_the_whole_range(percent):
    progress = UserProgressFactory()
    _execute("UPDATE user_progress SET progress_percent = %s WHERE id = %s", [percent, progress.id])
    progress.refresh_from_db()
    assert float(progress.progress_percent) == percent


@pytest.mark.parametrize(
    ("column", "value", "constraint"),
    [
        ("llm_provider", "'skynet'", "bot_configurations_llm_provider"),
        ("max_position_size_percent", "0", "bot_configurations_max_position_size_percent_range"),
        ("max_position_size_percent", "100.5", "bot_configurations_max_position_size_percent_range"),
        ("stop_loss_percent", "-1", "bot_configurations_stop_loss_percent_range"),
        ("is_paper_trading", "false", "bot_configurations_paper_only"),
    ],
)
def test_bot_configuration_checks(column, value, constraint):
    user = UserFactory()
    sql = (
        "INSERT INTO bot_configurations (user_id, name, llm_provider, llm_model, {col}) "
        "VALUES (%s, 'bot', 'openai', 'gpt', {val})"
    )
    if column == "llm_provider":
        sql = "INSERT INTO bot_configurations (user_id, name, llm_provider, llm_model) VALUES (%s, 'bot', {val}, 'gpt')"
    assert constraint in _rejected(sql.format(col=column, val=value), [user.id])


def test_one_progress_row_per_user_and_module():
    progress = UserProgressFactory()
    assert "user_progress_user_id_module_id_key" in _rejected(
        "INSERT INTO user_progress (user_id, module_id) VALUES (%s, %s)", [progress.user_id, progress.module_id]
    )


def test_grade_cannot_exceed_max_grade():
    assessment = AssessmentFactory(question_type="coding-task", options=None)
    user = UserFactory()
    assert "code_submissions_grade_range" in _rejected(
        "INSERT INTO code_submissions (user_id, assessment_id, grade, max_grade) VALUES (%s, %s, 101, 100)",
        [user.id, assessment.id],
    )


def test_deleting_a_user_with_raw_sql_cascades_to_their_rows():
    user = UserFactory()
    UserProgressFactory(user=user)
    UserProgressFactory(user=user)
    QuizAttemptFactory(user=user)
    other = UserProgressFactory()
    _execute("DELETE FROM users WHERE id = %s", [user.id])
    assert _execute("SELECT count(*) FROM user_progress WHERE user_id = %s", [user.id]) == [(0,)]
    assert _execute("SELECT count(*) FROM quiz_attempts WHERE user_id = %s", [user.id]) == [(0,)]
    assert _execute("SELECT count(*) FROM user_progress WHERE id = %s", [other.id]) == [(1,)]


def test_deleting_a_module_with_raw_sql_cascades_to_lessons_assessments_and_progress():
    module = ModuleFactory()
    LessonFactory(module=module)
    AssessmentFactory(module=module)
    UserProgressFactory(module=module)
    _execute("DELETE FROM modules WHERE id = %s", [module.id])
    for table in ("lessons", "assessments", "user_progress"):
        assert _execute(f"SELECT count(*) FROM {table} WHERE module_id = %s", [module.id]) == [(0,)]


def test_deleting_a_forum_post_cascades_to_replies_and_votes():
    module = ModuleFactory()
    author, voter = UserFactory(), UserFactory()
    post_id = _execute(
        "INSERT INTO forum_posts (module_id, user_id, title, content) VALUES (%s, %s, 't', 'c') RETURNING id",
        [module.id, author.id],
    )[0][0]
    _execute(
        "INSERT INTO forum_posts (module_id, user_id, parent_post_id, content) VALUES (%s, %s, %s, 'reply')",
        [module.id, voter.id, post_id],
    )
    _execute("INSERT INTO forum_votes (post_id, user_id, vote_type) VALUES (%s, %s, 'upvote')", [post_id, voter.id])
    _execute("DELETE FROM forum_posts WHERE id = %s", [post_id])
    assert _execute("SELECT count(*) FROM forum_posts") == [(0,)]
    assert _execute("SELECT count(*) FROM forum_votes") == [(0,)]


def test_one_vote_per_user_and_post():
    author = UserFactory()
    post_id = _execute("INSERT INTO forum_posts (user_id, content) VALUES (%s, 'c') RETURNING id", [author.id])[0][0]
    _execute("INSERT INTO forum_votes (post_id, user_id, vote_type) VALUES (%s, %s, 'upvote')", [post_id, author.id])
    assert "forum_votes_pkey" in _rejected(
        "INSERT INTO forum_votes (post_id, user_id, vote_type) VALUES (%s, %s, 'downvote')", [post_id, author.id]
    )


def test_the_database_applies_the_schema_defaults_on_a_raw_insert():
    row = _execute(
        "INSERT INTO users (email, username, password_hash) VALUES ('raw@example.org', 'raw', 'x') "
        "RETURNING id, role, is_active, created_at, updated_at"
    )[0]
    assert isinstance(row[0], uuid.UUID)
    assert row[1:3] == ("student", True)
    assert row[3] is not None and row[4] is not None
    _execute("INSERT INTO modules (id, title, track, order_index) VALUES (5, 'm', 'user', 5)")
    assert _execute("SELECT is_published, created_at IS NOT NULL FROM modules WHERE id = 5") == [(False, True)]
    progress = _execute(
        "INSERT INTO user_progress (user_id, module_id) VALUES (%s, 5) "
        "RETURNING status, progress_percent::text, time_spent_minutes",
        [row[0]],
    )[0]
    assert progress == ("not-started", "0.00", 0)
    bot = _execute(
        "INSERT INTO bot_configurations (user_id, name, llm_provider, llm_model) VALUES (%s, 'b', 'ollama', 'llama3') "
        "RETURNING is_active, is_paper_trading, max_position_size_percent::text, stop_loss_percent::text",
        [row[0]],
    )[0]
    assert bot == (False, True, "10.00", "5.00")
    lesson_type = _execute(
        "INSERT INTO lessons (module_id, title, content, order_index) VALUES (5, 't', 'c', 1) RETURNING lesson_type"
    )
    assert lesson_type == [("reading",)]
    points = _execute(
        "INSERT INTO assessments (module_id, question_text, question_type, order_index) "
        "VALUES (5, 'q', 'true-false', 1) RETURNING points"
    )
    assert points == [(10,)]
