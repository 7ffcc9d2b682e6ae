"""`careloop export-organisation PATH`: all of the organisation's data as one zip."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careloop.core.audit import record_audit
from careloop.exports.services import write_export


class Command(BaseCommand):
    help = (
        "Write every domain's data (JSON Lines per model), the attachments and a manifest "
        "to a zip file, to take the organisation's data elsewhere."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path, help="the zip file to write")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if path.is_dir():
            raise CommandError(f"{path} is a folder: give the zip file to write.")
        manifest = write_export(path)
        record_audit(None, "organisation.exported", summary=f"careloop export-organisation {path}")
        rows = sum(manifest.counts.values())
        self.stdout.write(
            f"Wrote {path}: {rows} rows of {len(manifest.models)} models, {manifest.files} files."
        )
        for name in manifest.missing_files:
            self.stdout.write(f"MISSING FILE {name} (its row is exported; the file was not found)")
