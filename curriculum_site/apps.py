from django.apps import AppConfig


class CurriculumSiteConfig(AppConfig):
    name = "curriculum_site"
    verbose_name = "Site"
