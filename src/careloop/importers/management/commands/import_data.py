"""`careloop import SOURCE PATH`: another helpdesk's export into careloop (see README)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any, TextIO

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careloop.importers.services import (
    BATCH_SIZE,
    SOURCES,
    ImportFailed,
    Progress,
    import_file,
    problems_of,
    summary_of,
    tasks_run_in_background,
)

BAR_WIDTH = 30


class ProgressLine:
    """A one-line progress bar on stderr: done of total, the counts so far and the rate."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.redraw = stream.isatty()

    def __call__(self, progress: Progress) -> None:
        run = progress.run
        rate = progress.done / progress.elapsed_seconds if progress.elapsed_seconds else 0.0
        if progress.total:
            filled = round(BAR_WIDTH * progress.done / progress.total)
            bar = f"[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {progress.done}/{progress.total}"
        else:
            bar = f"{progress.done} records"
        line = (
            f"{bar} · {run.conversations_created} conversations, {run.messages_created} "
            f"messages, {run.customers_created} customers new · {run.already_present} "
            f"already here · {run.failed} failed · {rate:,.0f} records/s"
        )
        self.stream.write(f"\r{line}" if self.redraw else f"{line}\n")
        self.stream.flush()


class Command(BaseCommand):
    help = (
        "Import conversations, customers, messages, tags and agents from another helpdesk's "
        "export. Idempotent and resumable: run it again after an interruption."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", choices=sorted(SOURCES))
        parser.add_argument("path", type=Path)
        parser.add_argument("--batch-size", type=int, default=BATCH_SIZE)
        parser.add_argument("--no-progress", action="store_true", help="No progress bar.")

    def handle(self, *args: Any, **options: Any) -> None:
        progress = None if options["no_progress"] else ProgressLine(sys.stderr)
        try:
            run = import_file(
                options["source"],
                options["path"],
                batch_size=max(options["batch_size"], 1),
                on_progress=progress,
                count_first=progress is not None,
            )
        except ImportFailed as error:
            raise CommandError(str(error)) from error
        if progress is not None and progress.redraw:
            sys.stderr.write("\n")
        summary = ", ".join(
            f"{name.replace('_', ' ')}: {count}" for name, count in summary_of(run).items()
        )
        self.stdout.write(f"Import {run.pk} of {run.path} (sha256 {run.checksum[:12]}): {summary}")
        if not tasks_run_in_background() and run.messages_created:
            self.stdout.write(
                "Imported customer messages are read for emotion by the periodic scoring job."
            )
        for problem in problems_of(run):
            label = f" [{problem.external_id}]" if problem.external_id else ""
            self.stdout.write(f"NOT IMPORTED {problem.location}{label}: {problem.reason}")
        if run.failed:
            raise CommandError(f"{run.failed} record(s) could not be imported (listed above).")
        self.stdout.write(self.style.SUCCESS("Import finished."))
