"""Code submissions, their grading by teachers and their review by other learners."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from accounts.tests.factories import AdminFactory, TeacherFactory, UserFactory
from assessments import services
from assessments.models import CodeSubmission, PeerReview, QuestionType, SubmissionStatus
from assessments.tests.factories import AssessmentFactory

pytestmark = pytest.mark.django_db

T0 = datetime(2026, 5, 4, 10, 0, tzinfo=UTC)

# --- code submissions ---------------------------------------------------------------------------


@pytest.fixture
def task():
    return AssessmentFactory(question_type=QuestionType.CODING_TASK, options=None, correct_answer=None)


def _submit(task, user=None, **kwargs):
    files = kwargs.pop("files", {"solution.py": "def f():\n    return 1\n"})
    return services.code_submission_create(user=user or UserFactory(), assessment=task, files=files, **kwargs)


def test_each_submission_of_a_task_is_a_new_version(task):
    student = UserFactory()
    first = _submit(task, student, submitted_at=T0)
    second = _submit(task, student)
    other = _submit(task)
    assert (first.submission_version, second.submission_version, other.submission_version) == (1, 2, 1)
    first.refresh_from_db()
    assert first.status == SubmissionStatus.SUBMITTED and first.submitted_at == T0
    assert first.file_uploads == {"solution.py": "def f():\n    return 1\n"} and first.grade is None


def test_only_coding_tasks_take_submissions():
    with pytest.raises(ValidationError, match="coding tasks"):
        _submit(AssessmentFactory())
    assert not CodeSubmission.objects.exists()


@pytest.mark.parametrize(
    "files",
    [{}, [], {"../etc/passwd": "x"}, {"a/b.py": "x"}, {".env": "x"}, {"a.py": 1}, {"a.py": "x" * (257 * 1024)}],
)
def test_submitted_files_are_checked(task, files):
    with pytest.raises(ValidationError):
        _submit(task, files=files)
    assert not CodeSubmission.objects.exists()


def test_a_teacher_grades_a_submission(task):
    submission = _submit(task, submitted_at=T0)
    teacher = TeacherFactory()
    services.code_submission_grade(
        submission=submission,
        grader=teacher,
        grade=88,
        feedback=" Clear. ",
        rubric_scores={"tests": 20},
        graded_at=T0 + timedelta(days=1),
    )
    submission.refresh_from_db()
    assert (submission.status, submission.grade, submission.graded_by) == (SubmissionStatus.GRADED, 88, teacher)
    assert submission.instructor_feedback == "Clear." and submission.rubric_scores == {"tests": 20}
    assert submission.graded_at == T0 + timedelta(days=1)
    services.code_submission_grade(
        submission=submission,
        grader=AdminFactory(),
        grade=40,
        feedback="Tests fail.",
        rubric_scores=None,
        status=SubmissionStatus.REVISION_NEEDED,
    )
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.REVISION_NEEDED and submission.grade == 40


@pytest.mark.parametrize(
    ("changes", "error"),
    [
        ({"grade": 101}, ValidationError),
        ({"grade": -1}, ValidationError),
        ({"grade": "90"}, ValidationError),
        ({"rubric_scores": {"tests": -3}}, ValidationError),
        ({"rubric_scores": ["tests"]}, ValidationError),
        ({"status": SubmissionStatus.SUBMITTED}, ValidationError),
        ({"graded_at": T0 - timedelta(seconds=1)}, ValidationError),
        ({"grader": "student"}, PermissionDenied),
        ({"grader": "author"}, PermissionDenied),
    ],
)
def test_an_invalid_grade_changes_nothing(task, changes, error):
    author = TeacherFactory()  # a teacher doing the course: still not their own grader
    submission = _submit(task, author, submitted_at=T0)
    grader = {"student": UserFactory(), "author": author}.get(changes.pop("grader", None), TeacherFactory())
    arguments = {"grade": 90, "feedback": "Good.", "rubric_scores": {"tests": 20}, **changes}
    with pytest.raises(error):
        services.code_submission_grade(submission=submission, grader=grader, **arguments)
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED and submission.grade is None and submission.graded_by is None


# --- peer review --------------------------------------------------------------------------------


def test_a_learner_reviews_another_learners_submission(task):
    submission = _submit(task, submitted_at=T0)
    reviewer = UserFactory()
    review = services.peer_review_create(
        submission=submission,
        reviewer=reviewer,
        rubric_scores={"readability": 5},
        comments=" Nice. ",
        is_helpful=True,
        submitted_at=T0 + timedelta(hours=3),
    )
    review.refresh_from_db()
    assert review.comments == "Nice." and review.rubric_scores == {"readability": 5} and review.is_helpful
    assert review.submitted_at == T0 + timedelta(hours=3)


def test_a_review_of_ones_own_submission_is_refused(task):
    submission = _submit(task)
    with pytest.raises(ValidationError, match="your own submission"):
        services.peer_review_create(submission=submission, reviewer=submission.user, rubric_scores=None, comments="Me!")
    assert not PeerReview.objects.exists()


def test_one_review_per_reviewer_and_submission(task):
    submission = _submit(task)
    reviewer = UserFactory()
    services.peer_review_create(submission=submission, reviewer=reviewer, rubric_scores=None, comments="Good.")
    with pytest.raises(ValidationError, match="already exists"):
        services.peer_review_create(submission=submission, reviewer=reviewer, rubric_scores=None, comments="Again.")
    assert PeerReview.objects.get().comments == "Good."


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"comments": "  ", "rubric_scores": None}, "comments"),
        ({"rubric_scores": {"readability": "five"}}, "rubric_scores"),
        ({"submitted_at": T0 - timedelta(days=1)}, "submitted_at"),
    ],
)
def test_an_empty_or_invalid_review_is_refused(task, changes, field):
    submission = _submit(task, submitted_at=T0)
    arguments = {"rubric_scores": {"readability": 4}, "comments": "Fine.", **changes}
    with pytest.raises(ValidationError) as error:
        services.peer_review_create(submission=submission, reviewer=UserFactory(), **arguments)
    assert field in error.value.message_dict
    assert not PeerReview.objects.exists()
