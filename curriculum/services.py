"""Loading the course files into the database."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from django.db import models, transaction

from assessments.models import Assessment
from community.models import Achievement
from courses.models import LearningResource, Lesson, Module
from curriculum import mapping
from curriculum.content_format import CONTENT_DIR, read_curriculum


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: dict[str, int] = field(default_factory=dict)
    kept: list[str] = field(default_factory=list)  # rows in the database that the files no longer have

    def count(self, bucket: str, kind: str) -> None:
        counts = getattr(self, bucket)
        counts[kind] = counts.get(kind, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)


def _apply(obj: models.Model, values: dict, *, update: bool, report: SeedReport, kind: str) -> None:
    """Create `obj` from `values`, or (with update) overwrite the fields that differ."""
    if obj._state.adding:
        for name, value in values.items():
            setattr(obj, name, value)
        obj.full_clean()
        obj.save()
        report.count("created", kind)
        return
    changed = [name for name, value in values.items() if getattr(obj, name) != value]
    if update and changed:
        for name in changed:
            setattr(obj, name, values[name])
        obj.full_clean()
        obj.save()
        report.count("updated", kind)
    else:
        report.count("unchanged", kind)


def _sync(
    rows: Iterable[models.Model],
    items: Iterable[Any],
    *,
    columns: tuple[mapping.Column, ...],
    key: str,
    new: Callable[..., models.Model],
    kind: str,
    update: bool,
    report: SeedReport,
) -> list[Any]:
    """One row per item of the files, matched on `key`: created, or (with update) overwritten.
    Returns the keys of the rows that the files no longer have."""
    by_key = {getattr(row, key): row for row in rows}
    for item in items:
        value = getattr(item, key)
        row = by_key.pop(value, None) or new(**{key: value})
        _apply(row, mapping.model_values(columns, item), update=update, report=report, kind=kind)
    return list(by_key)


@transaction.atomic
def curriculum_seed(*, root: Path = CONTENT_DIR, update: bool = False) -> SeedReport:
    """Load the curriculum files into the database in one transaction.

    Every file is validated first (ContentError lists every problem; nothing is written). Without
    `update`, existing rows are left as they are, so a second run changes nothing. With `update`,
    rows are overwritten from the files. Rows the files no longer have are kept and reported: deleting
    a lesson or question would delete students' completions and attempts.
    """
    curriculum = read_curriculum(root)
    report = SeedReport()
    sync = partial(_sync, update=update, report=report)
    ids = [m.id for m in curriculum.modules]
    sync(
        Module.objects.filter(id__in=ids),
        curriculum.modules,
        columns=mapping.MODULE,
        key="id",
        new=Module,
        kind="modules",
    )
    by_id = Module.objects.in_bulk(ids)
    for data in curriculum.modules:
        module = by_id[data.id]
        for rows, items, columns, key, model, kind in (
            (module.lessons.all(), data.lessons, mapping.LESSON, "slug", Lesson, "lesson"),
            (module.assessments.all(), data.assessments, mapping.ASSESSMENT, "order_index", Assessment, "assessment"),
            (module.resources.all(), data.resources, mapping.RESOURCE, "url", LearningResource, "resource"),
        ):
            gone = sync(rows, items, columns=columns, key=key, new=partial(model, module=module), kind=f"{kind}s")
            report.kept += [f"{kind} {module.id}/{value}" for value in gone]
    achievements = curriculum.achievements
    sync(
        Achievement.objects.all(),
        achievements,
        columns=mapping.ACHIEVEMENT,
        key="name",
        new=Achievement,
        kind="achievements",
    )
    return report
