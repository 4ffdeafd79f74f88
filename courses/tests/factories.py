import factory

from accounts.tests.factories import UserFactory
from courses.models import LearningResource, Lesson, Module, Track, UserProgress


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module
        django_get_or_create = ("id",)

    id = factory.Sequence(lambda n: n + 1)
    title = factory.Sequence(lambda n: f"Module {n + 1}")
    slug = factory.Sequence(lambda n: f"module-{n + 1}")
    description = "What the learner will be able to do."
    track = Track.USER
    order_index = factory.SelfAttribute("id")
    is_published = True
    prerequisites = factory.LazyFunction(list)


class LessonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lesson

    module = factory.SubFactory(ModuleFactory)
    title = factory.Sequence(lambda n: f"Lesson {n}")
    slug = factory.Sequence(lambda n: f"lesson-{n}")
    content = "## A heading\n\nSome **teaching**.\n"
    order_index = factory.Sequence(lambda n: n + 1)
    estimated_minutes = 10


class UserProgressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = UserProgress

    user = factory.SubFactory(UserFactory)
    module = factory.SubFactory(ModuleFactory)


class LearningResourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearningResource

    module = factory.SubFactory(ModuleFactory)
    title = factory.Sequence(lambda n: f"Resource {n}")
    url = factory.Sequence(lambda n: f"https://example.org/resource/{n}")
    resource_type = "article"
    difficulty = "beginner"
