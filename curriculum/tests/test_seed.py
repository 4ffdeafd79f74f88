import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from accounts.tests.factories import UserFactory
from assessments.models import Assessment
from common.testing import table_digests
from community.models import Achievement
from courses.models import LearningResource, Lesson, LessonCompletion, Module
from curriculum.content_format import CONTENT_DIR

pytestmark = pytest.mark.django_db

CURRICULUM_TABLES = ["modules", "lessons", "assessments", "learning_resources", "achievements"]


def seed(*args) -> str:
    out = StringIO()
    call_command("seed_curriculum", *args, stdout=out)
    return out.getvalue()


def test_seed_loads_the_whole_course():
    output = seed()
    assert Module.objects.count() == 17
    assert Module.objects.filter(is_published=True).count() == 17
    assert Assessment.objects.count() == 170
    assert 4 * 17 <= Lesson.objects.count() <= 7 * 17
    assert LearningResource.objects.count() >= 51
    assert Achievement.objects.count() >= 12
    assert "created: " in output and "Curriculum loaded in" in output
    module = Module.objects.get(id=17)
    assert module.prerequisites == [9, 14]
    minutes = sum(module.lessons.values_list("estimated_minutes", flat=True))
    assert float(module.duration_hours) == round(minutes / 60, 2)


def test_a_second_run_changes_nothing():
    seed()
    before = table_digests(CURRICULUM_TABLES)
    output = seed()
    assert table_digests(CURRICULUM_TABLES) == before
    assert "nothing changed" in output and "created" not in output.split("unchanged")[0]


def test_update_overwrites_edits_from_the_files_and_a_plain_run_keeps_them():
    seed()
    lesson = Lesson.objects.get(module_id=1, order_index=1)
    original = lesson.title
    Lesson.objects.filter(pk=lesson.pk).update(title="Edited in the admin")
    seed()
    assert Lesson.objects.get(pk=lesson.pk).title == "Edited in the admin"
    output = seed("--update")
    assert Lesson.objects.get(pk=lesson.pk).title == original
    assert "updated: 1 lessons" in output
    before = table_digests(CURRICULUM_TABLES)
    seed("--update")
    assert table_digests(CURRICULUM_TABLES) == before


def test_update_never_deletes_student_data():
    seed()
    extra = Lesson.objects.create(module_id=1, title="Teacher's extra", slug="extra", content="x", order_index=99)
    completion = LessonCompletion.objects.create(user=UserFactory(), lesson=extra)
    output = seed("--update")
    assert LessonCompletion.objects.filter(pk=completion.pk).exists()
    assert "kept (no longer in the files, holds student data): lesson 1/extra" in output


def _copy_content(tmp_path: Path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


@pytest.mark.parametrize(
    ("relative", "text", "message"),
    [
        ("modules/17-ai-powered-trading-bots/module.yaml", "id: [unclosed", "invalid YAML"),
        ("modules/05-ethereum-and-smart-contracts/assessments.yaml", "- type: essay\n  question: q\n", "exactly 10"),
        ("achievements.yaml", "- name: x\n  category: bravery\n", "category 'bravery'"),
    ],
)
def test_a_malformed_file_is_reported_with_its_path_and_nothing_is_loaded(tmp_path, relative, text, message):
    content = _copy_content(tmp_path)
    (content / relative).write_text(text)
    with pytest.raises(CommandError) as error:
        seed("--content-dir", str(content))
    assert relative in str(error.value) and message in str(error.value)
    assert "nothing was loaded" in str(error.value)
    assert not Module.objects.exists() and not Achievement.objects.exists()


def test_a_lesson_that_is_too_short_is_rejected(tmp_path):
    content = _copy_content(tmp_path)
    lesson = next((content / "modules" / "01-blockchain-technology" / "lessons").glob("01-*.md"))
    lesson.write_text("---\ntitle: Short\nlesson_type: reading\n---\n\nToo short.\n\n## Key takeaways\n- none\n")
    with pytest.raises(CommandError, match="at least 500 are required"):
        seed("--content-dir", str(content))
    assert not Lesson.objects.exists()


def test_a_multiple_choice_answer_that_is_not_an_option_is_rejected(tmp_path):
    content = _copy_content(tmp_path)
    path = content / "modules" / "02-bitcoin-and-digital-money" / "assessments.yaml"
    text = path.read_text()
    first_answer = next(line for line in text.splitlines() if line.startswith("  answer: "))
    path.write_text(text.replace(first_answer, "  answer: Z", 1))
    with pytest.raises(CommandError, match="not one of the option keys"):
        seed("--content-dir", str(content))


def test_export_gives_back_the_same_files(tmp_path):
    seed()
    out = tmp_path / "export"
    call_command("export_curriculum", str(out), stdout=StringIO())
    exported = sorted(p.relative_to(out) for p in out.rglob("*") if p.is_file())
    originals = sorted(
        p.relative_to(CONTENT_DIR) for p in CONTENT_DIR.rglob("*") if p.is_file() and p.suffix in (".md", ".yaml")
    )
    originals.remove(Path("FORMAT.md"))
    assert exported == originals
    different = [str(p) for p in exported if (out / p).read_text() != (CONTENT_DIR / p).read_text()]
    assert different == []


def test_export_refuses_an_empty_database(tmp_path):
    with pytest.raises(CommandError, match="run seed_curriculum first"):
        call_command("export_curriculum", str(tmp_path / "x"), stdout=StringIO())


def test_edits_made_in_the_admin_survive_an_export_and_reseed(tmp_path):
    seed()
    Assessment.objects.filter(module_id=3, order_index=1).update(explanation="A better explanation.")
    out = tmp_path / "export"
    call_command("export_curriculum", str(out), stdout=StringIO())
    Module.objects.all().delete()
    seed("--content-dir", str(out))
    assert Assessment.objects.get(module_id=3, order_index=1).explanation == "A better explanation."
