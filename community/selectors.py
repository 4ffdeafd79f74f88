"""Reads for the community app."""

from community.models import Cohort, CohortMember, CohortRole


def taught_cohorts(teacher):
    return Cohort.objects.filter(members__user=teacher, members__role=CohortRole.INSTRUCTOR)


def taught_students(teacher):
    """Ids of the users in the cohorts this teacher instructs (a subquery, not a list)."""
    return CohortMember.objects.filter(cohort__in=taught_cohorts(teacher)).values("user_id")
