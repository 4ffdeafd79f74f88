"""Which field of a content file's data is which database column, declared once.

The seed (files → database) and the export (database → files) both read these tables, so a new
column is added in one place. `to_model` computes a column from the file's data (None: the column
is not seeded); `to_data` computes a data field from a row (None: not exported, e.g. a value the
files derive, like a lesson's estimated minutes).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any


@dataclass(frozen=True)
class Column:
    name: str  # the field of the *Data class and, unless `model` says otherwise, the model's column
    model: str = ""
    to_model: Callable[[Any], Any] | None = None
    to_data: Callable[[Any], Any] | None = None
    seeded: bool = True
    exported: bool = True

    @property
    def column(self) -> str:
        return self.model or self.name

    def model_value(self, data: Any) -> Any:
        return self.to_model(data) if self.to_model else getattr(data, self.name)

    def data_value(self, row: Any) -> Any:
        return self.to_data(row) if self.to_data else getattr(row, self.column)


MODULE = (
    Column("id", seeded=False),  # the key
    Column("slug", to_data=lambda m: m.slug or f"module-{m.id}"),
    Column("title"),
    Column("track"),
    Column("prerequisites", to_model=lambda d: list(d.prerequisites), to_data=lambda m: list(m.prerequisites or [])),
    Column("description", to_data=lambda m: m.description or ""),
    Column("duration_hours", to_model=lambda d: Decimal(str(d.duration_hours)), exported=False),
    Column("order_index", to_model=lambda d: d.id, exported=False),
    Column("is_published", to_model=lambda d: True, exported=False),
)
LESSON = (
    Column("order_index"),
    Column("slug", seeded=False, to_data=lambda row: row.slug or f"lesson-{row.order_index}"),  # the seed's key
    Column("title"),
    Column("lesson_type", to_data=lambda row: row.lesson_type or "reading"),
    Column("content"),
    Column("estimated_minutes", exported=False),
)
ASSESSMENT = (
    Column("order_index", seeded=False),  # the key
    Column("question_type"),
    Column("question_text"),
    Column("correct_answer"),
    Column("explanation", to_data=lambda row: row.explanation or ""),
    Column("points", to_data=lambda row: row.points if row.points is not None else 10),
    Column("options"),
    Column("starter_code"),
    Column("test_code"),
    Column("reference_solution"),
)
RESOURCE = (
    Column("url", seeded=False),  # the key
    Column("title"),
    Column("resource_type"),
    Column("difficulty"),
)
ACHIEVEMENT = (
    Column("name", seeded=False),  # the key
    Column("description", to_data=lambda row: row.description or ""),
    Column("icon", to_data=lambda row: row.icon or ""),
    Column("category"),
    Column("points", to_data=lambda row: row.points or 0),
    Column("criteria"),
    Column("is_active", to_model=lambda d: True, exported=False),
)


def model_values(columns: tuple[Column, ...], data: Any) -> dict[str, Any]:
    """The columns a seed writes for one item of the files."""
    return {c.column: c.model_value(data) for c in columns if c.seeded}


def data_values(columns: tuple[Column, ...], row: Any) -> dict[str, Any]:
    """The fields of one item of the files, read from a database row."""
    return {c.name: c.data_value(row) for c in columns if c.exported}
