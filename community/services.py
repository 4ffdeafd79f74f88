"""Writes for the community app: cohorts and their members."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from accounts.models import Role, User
from community.models import Cohort, CohortMember, CohortRole

# --- cohorts -----------------------------------------------------------------------------------


@transaction.atomic
def cohort_create(
    *,
    name: str,
    description: str,
    start_date: date | None,
    end_date: date | None,
    created_by: User | None,
    is_active: bool = True,
) -> Cohort:
    """Open a cohort; a teacher who opens one teaches it (see `cohort_creator_enrol`)."""
    cohort = Cohort(
        name=(name or "").strip(),
        description=(description or "").strip() or None,
        start_date=start_date,
        end_date=end_date,
        is_active=is_active,
        created_by=created_by,
    )
    cohort.full_clean()  # includes the end-not-before-start constraint
    cohort.save(force_insert=True)
    cohort_creator_enrol(cohort=cohort)
    return cohort


def cohort_creator_enrol(*, cohort: Cohort) -> bool:
    """The rule for a new cohort: when its creator is a teacher, they become its instructor.

    Called by `cohort_create` and by the admin's "add cohort". Returns whether a membership was
    added (an existing membership of the creator is left as it is).
    """
    creator = cohort.created_by
    if creator is None or not creator.is_teacher:
        return False
    return _members_insert(cohort, [creator], CohortRole.INSTRUCTOR) == 1


@transaction.atomic
def cohort_members_add(*, cohort: Cohort, users: Iterable[User], role: str) -> int:
    """Add users to a cohort in one role; returns how many were added.

    Idempotent: users already in the cohort keep their membership (and its role), so a second
    call adds nothing. Only teachers and admins can be instructors.
    """
    if role not in CohortRole.values:
        expected = ", ".join(CohortRole.values)
        raise ValidationError({"role": f"Unknown cohort role {role!r}: expected one of {expected}."})
    users = list({user.pk: user for user in users}.values())
    if role == CohortRole.INSTRUCTOR:
        learners = [u.username for u in users if u.role not in (Role.TEACHER, Role.ADMIN)]
        if learners:
            raise ValidationError({"role": f"Only teachers and admins can be instructors: {', '.join(learners)}."})
    return _members_insert(cohort, users, role)


def _members_insert(cohort: Cohort, users: list[User], role: str) -> int:
    if not users:
        return 0
    present = set(
        CohortMember.objects.filter(cohort=cohort, user__in=[u.pk for u in users]).values_list("user_id", flat=True)
    )
    new = [CohortMember(cohort=cohort, user=user, role=role) for user in users if user.pk not in present]
    # The (cohort, user) unique key decides between simultaneous calls: the slower one skips the
    # row (and still counts it; the count is exact without a race).
    CohortMember.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)
