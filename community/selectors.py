"""Reads for the community app."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from django.db.models import QuerySet

from community.models import Cohort, CohortMember, CohortRole

if TYPE_CHECKING:
    from accounts.models import User


def taught_cohorts(*, teacher: User) -> QuerySet[Cohort]:
    return Cohort.objects.filter(members__user=teacher, members__role=CohortRole.INSTRUCTOR)


def taught_students(*, teacher: User) -> QuerySet[CohortMember, uuid.UUID]:
    """Ids of the users in the cohorts this teacher instructs (a subquery, not a list)."""
    return CohortMember.objects.filter(cohort__in=taught_cohorts(teacher=teacher)).values_list("user_id", flat=True)
