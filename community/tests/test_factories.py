"""The community factories build rows that the models and the database accept."""

import pytest

from community.tests.factories import AchievementFactory, CohortFactory, CohortMemberFactory, ForumPostFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("factory", [CohortFactory, CohortMemberFactory, ForumPostFactory, AchievementFactory])
def test_each_factory_saves_a_valid_row(factory):
    row = factory()
    row.full_clean()
    assert type(row).objects.filter(pk=row.pk).exists()


def test_members_of_one_cohort_are_distinct_users():
    cohort = CohortFactory()
    members = CohortMemberFactory.create_batch(3, cohort=cohort)
    assert len({m.user_id for m in members}) == 3 and cohort.members.count() == 3
