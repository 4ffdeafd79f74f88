from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from curriculum.content_format import write_curriculum
from curriculum.selectors import curriculum_for_export


class Command(BaseCommand):
    help = "Write the database's curriculum to DIR in the content file format, for review and versioning."

    def add_arguments(self, parser):
        parser.add_argument("directory", type=Path)

    def handle(self, *args, directory: Path, **options):
        if directory.exists() and not directory.is_dir():
            raise CommandError(f"{directory} exists and is not a folder")
        curriculum = curriculum_for_export()
        if not curriculum.modules:
            raise CommandError("There is no curriculum in the database; run seed_curriculum first")
        written = write_curriculum(curriculum, directory)
        self.stdout.write(
            self.style.SUCCESS(f"Wrote {len(written)} files for {len(curriculum.modules)} modules to {directory}")
        )
