"""The course content itself: complete, consistent with the outline, and its coding tasks work."""

import shutil
from dataclasses import replace
from urllib.parse import urlparse

import pytest
import yaml

from curriculum.content_format import (
    ACHIEVEMENT_CATEGORIES,
    CONTENT_DIR,
    MIN_LESSON_WORDS,
    read_curriculum,
    run_coding_task,
    validate_curriculum,
)
from sandbox import coding_tests_problem

# From CURRICULUM.md: id -> (track, prerequisites).
OUTLINE = {
    1: ("user", []), 2: ("user", [1]), 3: ("user", [2]), 4: ("user", [3]),
    5: ("power-user", [2]), 6: ("power-user", [5]), 7: ("power-user", [5]), 8: ("power-user", [5]),
    9: ("power-user", [4]), 10: ("power-user", [3]),
    11: ("developer", [1]), 12: ("developer", [11]), 13: ("developer", [5, 11]), 14: ("developer", [13]),
    15: ("architect", [12]), 16: ("architect", [8, 15]), 17: ("architect", [9, 14]),
}  # fmt: skip


@pytest.fixture(scope="module")
def curriculum():
    return read_curriculum()


def test_seventeen_modules_with_the_outline_tracks_and_prerequisites(curriculum):
    assert {m.id: (m.track, m.prerequisites) for m in curriculum.modules} == OUTLINE


def test_prerequisites_are_earlier_modules_so_the_graph_is_acyclic(curriculum):
    for module in curriculum.modules:
        assert all(p < module.id for p in module.prerequisites)


def test_every_module_has_4_to_7_substantial_lessons(curriculum):
    for module in curriculum.modules:
        assert 4 <= len(module.lessons) <= 7, module.id
        for lesson in module.lessons:
            assert lesson.prose_words >= MIN_LESSON_WORDS, (module.id, lesson.title)
            assert "## Key takeaways" in lesson.content
            assert lesson.estimated_minutes > 0


def test_module_duration_matches_its_lessons(curriculum):
    for module in curriculum.modules:
        assert module.duration_hours == round(sum(lesson.estimated_minutes for lesson in module.lessons) / 60, 2)


def test_exactly_ten_valid_assessments_per_module(curriculum):
    assert sum(len(m.assessments) for m in curriculum.modules) == 170
    for module in curriculum.modules:
        assert len(module.assessments) == 10
        for a in module.assessments:
            assert a.explanation.strip()
            if a.question_type == "multiple-choice":
                assert sorted(a.options) == ["A", "B", "C", "D"] and a.correct_answer in a.options
            elif a.question_type == "true-false":
                assert a.correct_answer in ("true", "false")
            elif a.question_type == "short-answer":
                assert [x for x in a.correct_answer.split("|") if x.strip()]
        if module.id >= 11:
            assert any(a.question_type == "coding-task" for a in module.assessments), module.id


def test_every_module_has_three_or_more_resources_with_well_formed_urls(curriculum):
    for module in curriculum.modules:
        assert len(module.resources) >= 3
        for resource in module.resources:
            parsed = urlparse(resource.url)
            assert parsed.scheme == "https" and "." in parsed.netloc, resource.url


def test_trading_content_says_it_is_not_financial_advice(curriculum):
    for module in curriculum.modules:
        if module.id in (9, 17):
            text = module.description + " ".join(lesson.content for lesson in module.lessons)
            assert "not financial advice" in text.lower(), module.id


def test_achievements_cover_every_category(curriculum):
    assert len(curriculum.achievements) >= 12
    assert {a.category for a in curriculum.achievements} == set(ACHIEVEMENT_CATEGORIES)


CODING_TASKS = [
    pytest.param(a, id=f"module{m.id}-q{a.order_index}")
    for m in read_curriculum().modules
    for a in m.assessments
    if a.question_type == "coding-task"
]


@pytest.mark.parametrize("task", CODING_TASKS)
def test_reference_solution_passes_and_starter_code_fails(task):
    passed, output = run_coding_task(task, task.reference_solution)
    assert passed, output
    passed, _ = run_coding_task(task, task.starter_code)
    assert not passed


def test_coding_task_tests_are_checked_on_their_face_without_running_them():
    assert coding_tests_problem('def test_x(t):\n    t.expect(t.call("f"), 1)\n') is None
    # The old format (asserts next to the submission, in its process) is refused with a pointer.
    problem = coding_tests_problem("def test_x():\n    assert f() == 1\n")
    assert problem and "test_*(t)" in problem and "t.expect" in problem
    assert "not valid Python" in coding_tests_problem("def test_x(t):\n    t.expect(\n")


def test_a_wrong_reference_solution_is_reported_with_the_failing_test(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, content)
    path = next((content / "modules").glob("16-*")) / "assessments.yaml"
    items = yaml.safe_load(path.read_text())
    task = next(item for item in items if item["type"] == "coding-task")
    task["solution"] = task["solution"].replace("1.0 - missed", "1.0 - missed + 1e-3")
    path.write_text(yaml.safe_dump(items, sort_keys=False, allow_unicode=True))
    problems = validate_curriculum(content, module=16).problems
    assert any("reference solution fails" in p and "test_single_sample" in p for p in problems), problems


def test_broken_tests_are_the_author_s_problem(tmp_path):
    task = next(
        a for m in read_curriculum().modules if m.id == 11 for a in m.assessments if a.question_type == "coding-task"
    )
    broken = replace(task, test_code="def test_x(t):\n    t.expect(t.call('merkle_root', object()), 1)\n")
    passed, message = run_coding_task(broken, task.reference_solution)
    assert not passed and message.startswith("the task's tests are broken") and "not plain data" in message
