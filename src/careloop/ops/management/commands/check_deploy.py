from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careloop.ops.deploy_checks import Outcome, run_deploy_checks

MARKS = {Outcome.PASS: "ok  ", Outcome.WARN: "warn", Outcome.FAIL: "FAIL"}


class Command(BaseCommand):
    help = (
        "Check that this configuration is ready for production: PostgreSQL, Redis, Celery, "
        "shared cache, static files, security settings. Exits non-zero on any failure."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--skip-workers",
            action="store_true",
            help="Don't ask running Celery workers to answer.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        results = run_deploy_checks(ask_workers=not options["skip_workers"])
        for result in results:
            self.stdout.write(f"[{MARKS[result.outcome]}] {result.name}: {result.detail}")
        failures = [result for result in results if result.outcome is Outcome.FAIL]
        if failures:
            raise CommandError(f"{len(failures)} deployment check(s) failed.")
        self.stdout.write(self.style.SUCCESS("Ready for production."))
