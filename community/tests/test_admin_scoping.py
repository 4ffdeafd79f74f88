"""A teacher's scope in the admin cannot be widened: memberships are how a teacher comes to read a
learner's progress, answers and submissions, so only admins add or change them; a teacher may
remove students from the cohorts they teach (community.services, docs/architecture.md)."""

import pytest
from django.core.exceptions import PermissionDenied

from accounts.tests.factories import AdminFactory, TeacherFactory, UserFactory
from assessments.tests.factories import CodeSubmissionFactory, QuizAttemptFactory
from community.models import CohortMember, CohortRole
from community.services import cohort_member_remove, cohort_member_save, cohort_members_add
from community.tests.factories import CohortFactory, CohortMemberFactory
from courses.tests.factories import UserProgressFactory

pytestmark = pytest.mark.django_db

LEARNER_DATA = (
    "/admin/courses/userprogress/",
    "/admin/assessments/quizattempt/",
    "/admin/assessments/codesubmission/",
)


@pytest.fixture
def school():
    """Teacher `me` teaches cohort "Mine" (student `my_student`); another teacher teaches "Theirs",
    whose learner `their_student` has progress, quiz answers and a submission."""
    me, colleague, other = TeacherFactory(), TeacherFactory(), TeacherFactory()
    mine, theirs = CohortFactory(name="Mine"), CohortFactory(name="Theirs")
    CohortMemberFactory(cohort=mine, user=me, role=CohortRole.INSTRUCTOR)
    CohortMemberFactory(cohort=mine, user=colleague, role=CohortRole.INSTRUCTOR)
    CohortMemberFactory(cohort=theirs, user=other, role=CohortRole.INSTRUCTOR)
    my_student, their_student = UserFactory(username="my_student"), UserFactory(username="their_student")
    my_membership = CohortMemberFactory(cohort=mine, user=my_student)
    CohortMemberFactory(cohort=theirs, user=their_student)
    for student in (my_student, their_student):
        UserProgressFactory(user=student)
        QuizAttemptFactory(user=student)
        CodeSubmissionFactory(user=student)
    return {
        "me": me, "colleague": colleague, "other": other, "mine": mine, "theirs": theirs,
        "my_student": my_student, "their_student": their_student, "my_membership": my_membership,
    }  # fmt: skip


def _memberships():
    return set(CohortMember.objects.values_list("cohort__name", "user__username", "role"))


def _assert_their_student_is_invisible(client, school):
    for url in LEARNER_DATA:
        html = client.get(url).content.decode()
        assert "my_student" in html and "their_student" not in html, url
    progress = school["their_student"].progress.get()
    assert client.get(f"/admin/courses/userprogress/{progress.pk}/change/").status_code == 302  # "not found"


@pytest.mark.parametrize(
    "target",
    [
        "instructor-of-another-cohort",  # make myself instructor of "Theirs"
        "their-learner-into-mine",  # enrol another cohort's learner into my cohort
        "grant-instructor",  # make a learner (or a colleague) instructor of my cohort
        "their-learner-into-theirs",
    ],
)
def test_a_teacher_cannot_add_memberships_in_the_admin(client, school, target):
    s = school
    data = {
        "instructor-of-another-cohort": {"cohort": s["theirs"].pk, "user": s["me"].pk, "role": "instructor"},
        "their-learner-into-mine": {"cohort": s["mine"].pk, "user": s["their_student"].pk, "role": "student"},
        "grant-instructor": {"cohort": s["mine"].pk, "user": s["other"].pk, "role": "instructor"},
        "their-learner-into-theirs": {"cohort": s["theirs"].pk, "user": s["their_student"].pk, "role": "instructor"},
    }[target]
    before = _memberships()
    client.force_login(s["me"])
    assert client.get("/admin/community/cohortmember/add/").status_code == 403
    response = client.post("/admin/community/cohortmember/add/", data)
    assert response.status_code == 403
    assert _memberships() == before
    _assert_their_student_is_invisible(client, s)


def test_a_teacher_cannot_change_a_membership_to_widen_their_scope(client, school):
    s = school
    before = _memberships()
    client.force_login(s["me"])
    url = f"/admin/community/cohortmember/{s['my_membership'].pk}/change/"
    for data in (
        {"cohort": s["mine"].pk, "user": s["my_student"].pk, "role": "instructor"},  # grant instructor
        {"cohort": s["mine"].pk, "user": s["their_student"].pk, "role": "student"},  # swap in another learner
        {"cohort": s["theirs"].pk, "user": s["me"].pk, "role": "instructor"},  # become their instructor
    ):
        assert client.post(url, data).status_code == 403
    assert _memberships() == before
    _assert_their_student_is_invisible(client, s)


def _cohort_page(cohort, *rows, extra_rows=()):
    data = {
        "name": cohort.name, "description": "", "start_date": "", "end_date": "", "is_active": "on",
        "members-TOTAL_FORMS": str(len(rows) + len(extra_rows)), "members-INITIAL_FORMS": str(len(rows)),
        "members-MIN_NUM_FORMS": "0", "members-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    for i, (member, changes) in enumerate([*rows, *extra_rows]):
        prefix = f"members-{i}-"
        if member is not None:
            data[prefix + "id"] = str(member.pk)
            data[prefix + "user"] = str(member.user_id)
            data[prefix + "role"] = member.role
        data[prefix + "cohort"] = str(cohort.pk)
        data.update({prefix + key: str(value) for key, value in changes.items()})
    return data


def _rows(cohort):
    return [(m, {}) for m in CohortMember.objects.filter(cohort=cohort).order_by("joined_at")]


def test_the_cohort_inline_refuses_new_members_and_role_changes_from_a_teacher(client, school):
    s = school
    before = _memberships()
    client.force_login(s["me"])
    url = f"/admin/community/cohort/{s['mine'].pk}/change/"
    page = client.get(url)
    assert page.status_code == 200
    assert b"members-__prefix__" not in page.content  # no empty row to add a member
    rows = _rows(s["mine"])
    attempts = [
        _cohort_page(s["mine"], *rows, extra_rows=[(None, {"user": s["their_student"].pk, "role": "student"})]),
        _cohort_page(s["mine"], *rows, extra_rows=[(None, {"user": s["other"].pk, "role": "instructor"})]),
        _cohort_page(s["mine"], *[(m, {"role": "instructor"} if m.user == s["my_student"] else {}) for m, _ in rows]),
        _cohort_page(
            s["mine"],
            *[(m, {"user": s["their_student"].pk} if m.user == s["my_student"] else {}) for m, _ in rows],
        ),
    ]
    for data in attempts:
        response = client.post(url, data)
        assert response.status_code == 200
        assert "Only an admin enrols learners or appoints instructors" in response.content.decode()
        assert _memberships() == before
    _assert_their_student_is_invisible(client, s)


def test_the_inline_of_another_teachers_cohort_is_out_of_reach(client, school):
    s = school
    before = _memberships()
    client.force_login(s["me"])
    url = f"/admin/community/cohort/{s['theirs'].pk}/change/"
    assert client.get(url).status_code == 302  # not found for this teacher
    me_as_instructor = (None, {"user": s["me"].pk, "role": "instructor"})
    data = _cohort_page(s["theirs"], *_rows(s["theirs"]), extra_rows=[me_as_instructor])
    client.post(url, data)
    assert _memberships() == before


def test_a_teacher_removes_a_student_of_their_cohort_but_not_an_instructor(client, school):
    s = school
    client.force_login(s["me"])
    url = f"/admin/community/cohort/{s['mine'].pk}/change/"
    rows = _rows(s["mine"])
    colleague_out = [(m, {"DELETE": "on"} if m.user == s["colleague"] else {}) for m, _ in rows]
    response = client.post(url, _cohort_page(s["mine"], *colleague_out))
    assert response.status_code == 200
    assert "Teachers remove students only" in response.content.decode()
    assert CohortMember.objects.filter(cohort=s["mine"], user=s["colleague"]).exists()
    student_out = [(m, {"DELETE": "on"} if m.user == s["my_student"] else {}) for m, _ in rows]
    response = client.post(url, _cohort_page(s["mine"], *student_out))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert not CohortMember.objects.filter(cohort=s["mine"], user=s["my_student"]).exists()


def test_a_teacher_deletes_student_memberships_only_of_their_cohorts(client, school):
    s = school
    client.force_login(s["me"])
    theirs = CohortMember.objects.get(cohort=s["theirs"], user=s["their_student"])
    colleague = CohortMember.objects.get(cohort=s["mine"], user=s["colleague"])
    for member in (theirs, colleague):
        client.post(f"/admin/community/cohortmember/{member.pk}/delete/", {"post": "yes"})
        assert CohortMember.objects.filter(pk=member.pk).exists()
    action = {"action": "delete_selected", "post": "yes", "_selected_action": [colleague.pk, s["my_membership"].pk]}
    client.post("/admin/community/cohortmember/", action)
    assert CohortMember.objects.filter(pk=colleague.pk).exists()
    response = client.post(f"/admin/community/cohortmember/{s['my_membership'].pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not CohortMember.objects.filter(pk=s["my_membership"].pk).exists()


def test_a_teachers_member_list_and_its_filters_show_only_their_cohorts(client, school):
    second = CohortFactory(name="Mine too")  # the filter shows once there are two to choose from
    CohortMemberFactory(cohort=second, user=school["me"], role=CohortRole.INSTRUCTOR)
    client.force_login(school["me"])
    html = client.get("/admin/community/cohortmember/").content.decode()
    assert "Mine" in html and "Theirs" not in html and "their_student" not in html
    assert f"cohort__id__exact={school['mine'].pk}" in html and f"cohort__id__exact={second.pk}" in html
    assert f"cohort__id__exact={school['theirs'].pk}" not in html


def test_an_admin_enrols_and_appoints_but_only_staff_can_be_instructors(client, school):
    s = school
    client.force_login(AdminFactory())
    add = "/admin/community/cohortmember/add/"
    response = client.post(add, {"cohort": s["mine"].pk, "user": s["their_student"].pk, "role": "instructor"})
    assert response.status_code == 200
    assert "Only teachers and admins can be instructors" in response.content.decode()
    assert not CohortMember.objects.filter(cohort=s["mine"], user=s["their_student"]).exists()
    response = client.post(add, {"cohort": s["mine"].pk, "user": s["their_student"].pk, "role": "student"})
    assert response.status_code == 302
    assert CohortMember.objects.filter(cohort=s["mine"], user=s["their_student"], role="student").exists()


def test_the_services_refuse_a_teacher_whatever_the_caller(school):
    s = school
    before = _memberships()
    with pytest.raises(PermissionDenied):
        cohort_members_add(cohort=s["mine"], users=[s["their_student"]], role="student", actor=s["me"])
    with pytest.raises(PermissionDenied):
        cohort_member_save(actor=s["me"], member=CohortMember(cohort=s["theirs"], user=s["me"], role="instructor"))
    for member in CohortMember.objects.filter(cohort=s["theirs"]):
        with pytest.raises(PermissionDenied):
            cohort_member_remove(actor=s["me"], member=member)
    with pytest.raises(PermissionDenied):
        cohort_member_remove(actor=s["me"], member=CohortMember.objects.get(cohort=s["mine"], user=s["colleague"]))
    assert _memberships() == before
    # Trusted code (seeds, the demo school) passes no actor and still enrols.
    assert cohort_members_add(cohort=s["mine"], users=[UserFactory()], role="student") == 1
