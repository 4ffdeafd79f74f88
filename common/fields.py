"""Field helpers shared by the apps, so every table follows the schema's conventions the same way."""

import uuid

from django import forms
from django.contrib.postgres.functions import RandomUUID
from django.db import models
from django.utils import timezone


class CurrentTimestamp(models.Func):
    """SQL's CURRENT_TIMESTAMP, the schema's default for every timestamp column."""

    template = "CURRENT_TIMESTAMP"
    output_field = models.DateTimeField()


def uuid_primary_key() -> models.UUIDField:
    # The database default (gen_random_uuid()) serves raw SQL; the Python default gives unsaved
    # objects a key, as admin inlines and factories expect.
    return models.UUIDField(primary_key=True, default=uuid.uuid4, db_default=RandomUUID(), editable=False)


def created_at() -> models.DateTimeField:
    return models.DateTimeField(null=True, default=timezone.now, db_default=CurrentTimestamp(), editable=False)


def updated_at() -> models.DateTimeField:
    return models.DateTimeField(null=True, auto_now=True, db_default=CurrentTimestamp())


class SeedBooleanField(models.BooleanField):
    """A nullable boolean column (the schema's `BOOLEAN DEFAULT x` without NOT NULL) that forms
    show as a plain checkbox: NULL never comes from the site, only from raw SQL."""

    def formfield(self, **kwargs):
        return forms.BooleanField(
            required=False, label=kwargs.get("label", self.verbose_name.capitalize()), help_text=self.help_text
        )


def seed_boolean(default: bool, **kwargs) -> SeedBooleanField:
    return SeedBooleanField(null=True, default=default, db_default=default, **kwargs)


def choices_check(field: str, choices: type[models.TextChoices], table: str) -> models.CheckConstraint:
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": choices.values}), name=f"{table}_{field}_valid")


def range_check(field: str, table: str, low=None, high=None, low_inclusive=True) -> models.CheckConstraint:
    condition = models.Q()
    if low is not None:
        condition &= models.Q(**{f"{field}__{'gte' if low_inclusive else 'gt'}": low})
    if high is not None:
        condition &= models.Q(**{f"{field}__lte": high})
    return models.CheckConstraint(condition=condition, name=f"{table}_{field}_range")
