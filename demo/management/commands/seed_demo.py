import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from demo.builder import DEMO_DOMAIN, DEMO_PASSWORD, demo_reset, demo_seed


class Command(BaseCommand):
    help = "Create a deterministic demo school (idempotent); --reset removes the demo data only."

    def add_arguments(self, parser):
        parser.add_argument("--reset", action="store_true", help="remove demo accounts, cohorts and their data")
        parser.add_argument(
            "--public-demo",
            action="store_true",
            help="allow it with DEBUG off: the demo accounts (an admin among them) share a password in the code",
        )

    def handle(self, *args, reset: bool, public_demo: bool, **options):
        started = time.perf_counter()
        if not reset and not settings.DEBUG and not public_demo:
            raise CommandError(
                "seed_demo creates accounts (an admin among them) whose password is written in the code, so anyone "
                "could sign in. It runs with DEBUG on; for a deliberately public demo site add --public-demo."
            )
        if reset:
            removed = demo_reset()
            self.stdout.write(self.style.SUCCESS(f"Removed {removed} demo accounts and everything that was theirs."))
            return
        try:
            report = demo_seed()
        except ValueError as error:
            raise CommandError(str(error)) from error
        if not report.created:
            self.stdout.write("The demo school already exists; nothing changed.")
        else:
            self.stdout.write("created: " + ", ".join(f"{n} {kind}" for kind, n in report.created.items()))
        self.stdout.write(
            f"Accounts: demo_admin, demo_teacher1-2, demo_student01-30 (emails @{DEMO_DOMAIN}); "
            f"password for all: {DEMO_PASSWORD}"
        )
        self.stdout.write(self.style.SUCCESS(f"Done in {time.perf_counter() - started:.2f} s"))
