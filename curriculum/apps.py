from django.apps import AppConfig


class CurriculumConfig(AppConfig):
    """The course as files (content/), their format, and the seed, export and validate commands."""

    name = "curriculum"
