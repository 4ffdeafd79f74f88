import factory

from accounts.tests.factories import UserFactory
from community.models import Achievement, AchievementCategory, Cohort, CohortMember, CohortRole, ForumPost
from courses.tests.factories import ModuleFactory


class CohortFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cohort

    name = factory.Sequence(lambda n: f"Cohort {n}")
    description = "Learners who started together."


class CohortMemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CohortMember

    cohort = factory.SubFactory(CohortFactory)
    user = factory.SubFactory(UserFactory)
    role = CohortRole.STUDENT


class ForumPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ForumPost

    module = factory.SubFactory(ModuleFactory)
    user = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Question {n} about this module")
    content = "How does this part work?"


class AchievementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Achievement

    name = factory.Sequence(lambda n: f"Achievement {n}")
    description = "Earned for doing something well."
    icon = "star"
    category = AchievementCategory.COMPLETION
    criteria = factory.LazyFunction(lambda: {"type": "modules_completed", "count": 1})
    points = 10
