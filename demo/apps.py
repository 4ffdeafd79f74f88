from django.apps import AppConfig


class DemoConfig(AppConfig):
    """`manage.py seed_demo`: a deterministic demo school, at the top layer because it uses every app."""

    name = "demo"
