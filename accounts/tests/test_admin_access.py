import pytest
from django.urls import reverse

from accounts.models import Role, User
from accounts.tests.factories import AdminFactory, TeacherFactory, UserFactory
from assessments.models import Assessment
from courses.models import Module
from courses.tests.factories import ModuleFactory

pytestmark = pytest.mark.django_db


def test_anonymous_visitors_are_sent_to_the_rate_limited_login_page(client):
    response = client.get("/admin/")
    assert response.status_code == 302
    response = client.get(response.url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_students_are_refused_the_admin(client):
    client.force_login(UserFactory())
    # The admin sends everyone who is not staff to its login view, which refuses signed-in students.
    response = client.get("/admin/", follow=True)
    assert response.status_code == 403
    assert b"can't open this page" in response.content
    assert client.get("/admin/courses/module/", follow=True).status_code == 403


def test_teachers_author_content_but_not_users(client):
    client.force_login(TeacherFactory())
    index = client.get("/admin/")
    assert index.status_code == 200
    apps = {app["app_label"] for app in index.context["app_list"]}
    assert {"courses", "assessments"} <= apps
    assert "accounts" not in apps and "trading" not in apps
    assert client.get("/admin/courses/module/add/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 403


def test_a_teacher_cannot_promote_anyone(client):
    student = UserFactory()
    client.force_login(TeacherFactory())
    response = client.post(
        f"/admin/accounts/user/{student.pk}/change/",
        {"email": student.email, "username": student.username, "role": "admin", "is_active": "on"},
    )
    assert response.status_code == 403
    student.refresh_from_db()
    assert student.role == Role.STUDENT


def test_admins_can_change_roles(client):
    student = UserFactory()
    client.force_login(AdminFactory())
    response = client.post(
        f"/admin/accounts/user/{student.pk}/change/",
        {"email": student.email, "username": student.username, "full_name": "", "role": "teacher", "is_active": "on"},
    )
    assert response.status_code == 302, response.content[:2000]
    student.refresh_from_db()
    assert student.role == Role.TEACHER


def _module_form(**extra):
    data = {
        "id": "42",
        "title": "Test module",
        "slug": "test-module",
        "description": "What you will be able to do.",
        "track": "user",
        "order_index": "42",
        "is_published": "on",
        "prerequisites": "",
        "lessons-TOTAL_FORMS": "1",
        "lessons-INITIAL_FORMS": "0",
        "lessons-0-order_index": "1",
        "lessons-0-title": "First lesson",
        "lessons-0-lesson_type": "reading",
        "lessons-0-estimated_minutes": "5",
        "lessons-0-content": "## Hello\n\nMarkdown here.",
        "assessments-TOTAL_FORMS": "1",
        "assessments-INITIAL_FORMS": "0",
        "assessments-0-order_index": "1",
        "assessments-0-question_type": "multiple-choice",
        "assessments-0-question_text": "Which is right?",
        "assessments-0-option_a": "This",
        "assessments-0-option_b": "That",
        "assessments-0-option_c": "Other",
        "assessments-0-option_d": "None",
        "assessments-0-correct_answer": "b",
        "assessments-0-explanation": "Because.",
        "assessments-0-points": "10",
        "resources-TOTAL_FORMS": "0",
        "resources-INITIAL_FORMS": "0",
    }
    data.update(extra)
    return data


def test_a_teacher_authors_a_module_with_inline_lessons_and_assessments(client):
    client.force_login(TeacherFactory())
    page = client.get("/admin/courses/module/add/")
    assert b"markdownx" in page.content  # the live-preview editor
    assert b"option_a" in page.content  # options edited as fields, not JSON
    response = client.post("/admin/courses/module/add/", _module_form())
    assert response.status_code == 302, response.context and response.context["errors"]
    module = Module.objects.get(id=42)
    assert module.lessons.get().title == "First lesson"
    question = module.assessments.get()
    assert question.options == {"A": "This", "B": "That", "C": "Other", "D": "None"}
    assert question.correct_answer == "B"


def test_a_bad_assessment_in_the_inline_saves_nothing(client):
    client.force_login(TeacherFactory())
    response = client.post(
        "/admin/courses/module/add/",
        _module_form(**{"assessments-0-correct_answer": "E", "assessments-0-option_d": ""}),
    )
    assert response.status_code == 200
    assert "Give the key of the right option" in response.content.decode()
    assert "needs all four options" in response.content.decode()
    assert not Module.objects.filter(id=42).exists()
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(
    ("qtype", "answer", "message"),
    [
        ("true-false", "maybe", "true or false"),
        ("short-answer", " | ", "accepted answers"),
        ("coding-task", "", "hidden tests and a reference solution"),
    ],
)
def test_assessment_admin_validates_each_question_type(client, qtype, answer, message):
    module = ModuleFactory()
    client.force_login(TeacherFactory())
    response = client.post(
        "/admin/assessments/assessment/add/",
        {
            "module": module.id,
            "order_index": 1,
            "question_type": qtype,
            "question_text": "Q?",
            "correct_answer": answer,
            "points": 10,
        },
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Assessment.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/admin/courses/module/",
        "/admin/courses/lesson/",
        "/admin/courses/userprogress/",
        "/admin/courses/learningresource/",
        "/admin/assessments/assessment/",
        "/admin/assessments/quizattempt/",
        "/admin/assessments/codesubmission/",
        "/admin/assessments/peerreview/",
        "/admin/community/cohort/",
        "/admin/community/cohortmember/",
        "/admin/community/forumpost/",
        "/admin/community/achievement/",
        "/admin/trading/botconfiguration/",
        "/admin/trading/tradingstrategy/",
        "/admin/accounts/user/",
    ],
)
def test_every_admin_list_opens_for_an_admin(client, url):
    client.force_login(AdminFactory())
    ModuleFactory()
    response = client.get(url)
    assert response.status_code == 200
    assert client.get(url + "?q=test").status_code == 200


def test_markdownx_preview_is_for_authors_only(client):
    response = client.post("/markdownx/markdownify/", {"content": "# hi"})
    assert response.status_code == 302
    client.force_login(UserFactory())
    assert client.post("/markdownx/markdownify/", {"content": "# hi"}).status_code == 302
    client.force_login(TeacherFactory())
    preview = client.post("/markdownx/markdownify/", {"content": "# hi\n\n<script>alert(1)</script>"})
    assert preview.status_code == 200
    assert b"<h1" in preview.content and b"<script" not in preview.content


def test_admin_adds_a_user_with_a_password(client):
    client.force_login(AdminFactory())
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "email": "t@example.org",
            "username": "newteacher",
            "full_name": "New Teacher",
            "role": "teacher",
            "password1": "a-long-teacher-passphrase",
            "password2": "a-long-teacher-passphrase",
            "usable_password": "true",
        },
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    user = User.objects.get(username="newteacher")
    assert user.role == Role.TEACHER and user.check_password("a-long-teacher-passphrase")


def test_teachers_see_the_learners_of_their_own_cohorts_only(client):
    from assessments.tests.factories import QuizAttemptFactory
    from community.models import CohortRole
    from community.tests.factories import CohortFactory, CohortMemberFactory
    from courses.tests.factories import UserProgressFactory

    teacher, mine, theirs = TeacherFactory(), UserFactory(username="my_student"), UserFactory(username="not_mine")
    cohort = CohortFactory(name="Mine")
    CohortMemberFactory(cohort=cohort, user=teacher, role=CohortRole.INSTRUCTOR)
    CohortMemberFactory(cohort=cohort, user=mine, role=CohortRole.STUDENT)
    CohortFactory(name="Someone else's")
    for student in (mine, theirs):
        UserProgressFactory(user=student)
        QuizAttemptFactory(user=student)
    client.force_login(teacher)
    for url in ("/admin/courses/userprogress/", "/admin/assessments/quizattempt/"):
        html = client.get(url).content.decode()
        assert "my_student" in html and "not_mine" not in html, url
    cohorts = client.get("/admin/community/cohort/").content.decode()
    assert "Mine" in cohorts and "Someone else" not in cohorts
    client.force_login(AdminFactory())
    assert "not_mine" in client.get("/admin/courses/userprogress/").content.decode()


def test_a_teacher_who_opens_a_cohort_teaches_it(client):
    from community.models import CohortMember

    teacher = TeacherFactory()
    client.force_login(teacher)
    response = client.post(
        "/admin/community/cohort/add/",
        {"name": "Spring", "description": "", "start_date": "2026-03-01", "end_date": "2026-06-01",
         "is_active": "on", "members-TOTAL_FORMS": "0", "members-INITIAL_FORMS": "0"},
    )  # fmt: skip
    assert response.status_code == 302
    assert CohortMember.objects.get(user=teacher).role == "instructor"
    assert "Spring" in client.get("/admin/community/cohort/").content.decode()


def test_grading_in_the_admin_records_the_teacher_and_refuses_what_is_not_theirs(client):
    from assessments.models import CodeSubmission
    from assessments.tests.factories import AssessmentFactory
    from community.models import CohortRole
    from community.tests.factories import CohortFactory, CohortMemberFactory

    teacher, other_teacher, mine, theirs = TeacherFactory(), TeacherFactory(), UserFactory(), UserFactory()
    cohort = CohortFactory()
    CohortMemberFactory(cohort=cohort, user=teacher, role=CohortRole.INSTRUCTOR)
    CohortMemberFactory(cohort=cohort, user=mine, role=CohortRole.STUDENT)
    task = AssessmentFactory(question_type="coding-task", options=None, correct_answer=None)
    submission = CodeSubmission.objects.create(user=mine, assessment=task, file_uploads={"a.py": "x = 1"})
    elsewhere = CodeSubmission.objects.create(user=theirs, assessment=task, file_uploads={"a.py": "x = 2"})
    client.force_login(teacher)
    url = f"/admin/assessments/codesubmission/{submission.pk}/change/"
    form = {"status": "graded", "grade": "101", "rubric_scores": "null", "instructor_feedback": "Good",
            "peer_reviews-TOTAL_FORMS": "0", "peer_reviews-INITIAL_FORMS": "0",
            "graded_by": str(other_teacher.pk), "max_grade": "500"}  # fmt: skip
    response = client.post(url, form)
    assert response.status_code == 200 and "The grade is from 0 to 100." in response.content.decode()
    submission.refresh_from_db()
    assert submission.grade is None and submission.graded_by is None
    response = client.post(url, {**form, "grade": "88"})
    assert response.status_code == 302
    submission.refresh_from_db()
    # Who graded, when, and out of how much come from the grading service, never from the form.
    assert (submission.grade, submission.graded_by, submission.max_grade) == (88, teacher, 100)
    assert submission.graded_at is not None and submission.status == "graded"
    # A learner outside the teacher's cohorts is out of reach.
    assert client.get(f"/admin/assessments/codesubmission/{elsewhere.pk}/change/").status_code in (302, 404)
    assert client.post(
        f"/admin/assessments/codesubmission/{elsewhere.pk}/change/", {**form, "grade": "1"}
    ).status_code in (302, 404)
    elsewhere.refresh_from_db()
    assert elsewhere.grade is None
