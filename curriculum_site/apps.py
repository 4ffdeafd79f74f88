from django.apps import AppConfig


class CurriculumSiteConfig(AppConfig):
    name = "curriculum_site"
    verbose_name = "Site"

    def ready(self):
        from curriculum_site import checks  # noqa: F401  (registers the site's system checks)
