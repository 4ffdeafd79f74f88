import time
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from curriculum.content_format import CONTENT_DIR, ContentError
from curriculum.services import curriculum_seed


class Command(BaseCommand):
    help = "Load the 17-module curriculum from curriculum/content/ (idempotent; --update overwrites from the files)."

    def add_arguments(self, parser):
        parser.add_argument("--update", action="store_true", help="overwrite database content from the files")
        parser.add_argument("--content-dir", type=Path, default=CONTENT_DIR, help="where the content files are")

    def handle(self, *args, update: bool, content_dir: Path, **options):
        started = time.perf_counter()
        try:
            report = curriculum_seed(root=content_dir, update=update)
        except ContentError as error:
            raise CommandError(
                "The curriculum files have problems; nothing was loaded:\n  " + "\n  ".join(error.problems)
            ) from error
        for bucket in ("created", "updated", "unchanged"):
            counts = getattr(report, bucket)
            if counts:
                self.stdout.write(f"{bucket}: " + ", ".join(f"{n} {kind}" for kind, n in sorted(counts.items())))
        for row in report.kept:
            self.stdout.write(self.style.WARNING(f"kept (no longer in the files, holds student data): {row}"))
        verdict = "loaded" if report.changed else "already up to date, nothing changed"
        self.stdout.write(self.style.SUCCESS(f"Curriculum {verdict} in {time.perf_counter() - started:.2f} s"))
