"""Reading the course back out of the database, in the shape of the content files."""

from __future__ import annotations

from django.db.models import Prefetch

from assessments.models import Assessment
from community.models import Achievement
from courses.models import LearningResource, Lesson, Module
from curriculum import mapping
from curriculum.content_format import (
    AchievementData,
    AssessmentData,
    Curriculum,
    LessonData,
    ModuleData,
    ResourceData,
)


def curriculum_for_export() -> Curriculum:
    """The database's curriculum in the shape of the content files (five queries in all)."""
    modules = Module.objects.order_by("id").prefetch_related(
        Prefetch("lessons", queryset=Lesson.objects.order_by("order_index")),
        Prefetch("assessments", queryset=Assessment.objects.order_by("order_index")),
        Prefetch("resources", queryset=LearningResource.objects.order_by("created_at", "title")),
    )
    return Curriculum(
        modules=[
            ModuleData(
                **mapping.data_values(mapping.MODULE, m),
                lessons=[LessonData(**mapping.data_values(mapping.LESSON, row)) for row in m.lessons.all()],
                assessments=[
                    AssessmentData(**mapping.data_values(mapping.ASSESSMENT, row)) for row in m.assessments.all()
                ],
                resources=[ResourceData(**mapping.data_values(mapping.RESOURCE, row)) for row in m.resources.all()],
            )
            for m in modules
        ],
        achievements=[
            AchievementData(**mapping.data_values(mapping.ACHIEVEMENT, row))
            for row in Achievement.objects.order_by("category", "name")
        ],
    )
