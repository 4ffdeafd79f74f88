"""Cohorts and their members: the community writes and their rules."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from accounts.tests.factories import AdminFactory, TeacherFactory, UserFactory
from community import services
from community.models import Cohort, CohortMember, CohortRole

pytestmark = pytest.mark.django_db

SPRING = {
    "name": "Spring",
    "description": "Weekly sessions.",
    "start_date": date(2026, 3, 2),
    "end_date": date(2026, 6, 26),
}


# --- cohorts -----------------------------------------------------------------------------------


def test_a_teacher_who_opens_a_cohort_teaches_it():
    teacher = TeacherFactory()
    cohort = services.cohort_create(**SPRING, created_by=teacher)
    assert cohort.created_by == teacher and cohort.is_active
    assert list(cohort.members.values_list("user_id", "role")) == [(teacher.pk, CohortRole.INSTRUCTOR)]


def test_an_admin_who_opens_a_cohort_does_not_join_it():
    cohort = services.cohort_create(**SPRING, created_by=AdminFactory(), is_active=False)
    assert not cohort.members.exists() and cohort.is_active is False


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"end_date": date(2026, 3, 1)}, "end_after_start|End date"),
        ({"name": "  "}, "name"),
        ({"name": "x" * 101}, "name"),
    ],
)
def test_an_invalid_cohort_is_refused_and_nothing_is_saved(changes, message):
    with pytest.raises(ValidationError, match=message):
        services.cohort_create(**{**SPRING, **changes}, created_by=TeacherFactory())
    assert not Cohort.objects.exists() and not CohortMember.objects.exists()


def test_adding_members_is_idempotent_and_keeps_existing_roles():
    teacher = TeacherFactory()
    cohort = services.cohort_create(**SPRING, created_by=teacher)
    students = UserFactory.create_batch(3)
    assert services.cohort_members_add(cohort=cohort, users=students[:2], role=CohortRole.STUDENT) == 2
    assert services.cohort_members_add(cohort=cohort, users=[*students, teacher], role=CohortRole.STUDENT) == 1
    assert services.cohort_members_add(cohort=cohort, users=students, role=CohortRole.STUDENT) == 0
    assert cohort.members.filter(role=CohortRole.STUDENT).count() == 3
    assert cohort.members.get(user=teacher).role == CohortRole.INSTRUCTOR


def test_an_unknown_cohort_role_is_refused():
    cohort = services.cohort_create(**SPRING, created_by=AdminFactory())
    with pytest.raises(ValidationError, match="Unknown cohort role"):
        services.cohort_members_add(cohort=cohort, users=[UserFactory()], role="assistant")
    assert not cohort.members.exists()


def test_only_teachers_and_admins_can_be_instructors():
    cohort = services.cohort_create(**SPRING, created_by=AdminFactory())
    teacher, student = TeacherFactory(), UserFactory(username="eager_student")
    with pytest.raises(ValidationError, match="eager_student"):
        services.cohort_members_add(cohort=cohort, users=[teacher, student], role=CohortRole.INSTRUCTOR)
    assert not cohort.members.exists()  # not even the teacher: all or nothing
