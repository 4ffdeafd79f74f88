from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from curriculum.content_format import CONTENT_DIR, validate_curriculum


class Command(BaseCommand):
    help = (
        "Check the curriculum files without touching the database: every file's format, and each coding "
        "task's reference solution (must pass its hidden tests in the sandbox) and starter code (must fail)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--content-dir", type=Path, default=CONTENT_DIR, help="where the content files are")
        parser.add_argument("--module", type=int, help="check one module only")
        parser.add_argument("--no-code", action="store_true", help="skip running the coding tasks")

    def handle(self, *args, content_dir: Path, module: int | None, no_code: bool, **options):
        if not (content_dir / "modules").is_dir():
            raise CommandError(f"{content_dir} has no modules/ folder")
        result = validate_curriculum(content_dir, module=module, run_code=not no_code)
        for data in result.modules:
            words = [lesson.prose_words for lesson in data.lessons]
            self.stdout.write(
                f"module {data.id}: {len(data.lessons)} lessons, words {words}, {data.total_minutes} min, "
                f"{len(data.assessments)} assessments, {len(data.resources)} resources"
            )
        if result.problems:
            raise CommandError(f"{len(result.problems)} problem(s):\n  " + "\n  ".join(result.problems))
        self.stdout.write(self.style.SUCCESS("OK"))
