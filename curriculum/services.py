"""Loading the course files into the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

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
    existing_modules = Module.objects.in_bulk([m.id for m in curriculum.modules])
    for data in curriculum.modules:
        module = existing_modules.get(data.id) or Module(id=data.id)
        _apply(module, mapping.model_values(mapping.MODULE, data), update=update, report=report, kind="modules")

        lessons = {lesson.slug: lesson for lesson in module.lessons.all()}
        for lesson_data in data.lessons:
            lesson = lessons.pop(lesson_data.slug, None) or Lesson(module=module, slug=lesson_data.slug)
            values = mapping.model_values(mapping.LESSON, lesson_data)
            _apply(lesson, values, update=update, report=report, kind="lessons")
        report.kept += [f"lesson {module.id}/{slug}" for slug in lessons]

        questions = {q.order_index: q for q in module.assessments.all()}
        for item in data.assessments:
            question = questions.pop(item.order_index, None) or Assessment(module=module, order_index=item.order_index)
            values = mapping.model_values(mapping.ASSESSMENT, item)
            _apply(question, values, update=update, report=report, kind="assessments")
        report.kept += [f"assessment {module.id}/{order}" for order in questions]

        resources = {r.url: r for r in module.resources.all()}
        for resource_data in data.resources:
            resource = resources.pop(resource_data.url, None) or LearningResource(module=module, url=resource_data.url)
            values = mapping.model_values(mapping.RESOURCE, resource_data)
            _apply(resource, values, update=update, report=report, kind="resources")
        report.kept += [f"resource {module.id}/{url}" for url in resources]

    achievements = {a.name: a for a in Achievement.objects.all()}
    for achievement_data in curriculum.achievements:
        name = achievement_data.name
        achievement = achievements.get(name) or Achievement(name=name)
        values = mapping.model_values(mapping.ACHIEVEMENT, achievement_data)
        _apply(achievement, values, update=update, report=report, kind="achievements")
    return report
