"""`careloop insights rebuild [--days N]`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careloop.insights import rollups


class Command(BaseCommand):
    help = "Maintain the daily roll-ups the insights dashboards read."

    def add_arguments(self, parser: CommandParser) -> None:
        subcommands = parser.add_subparsers(dest="subcommand", required=True)
        rebuild = subcommands.add_parser("rebuild", help="Recompute the roll-ups of past days.")
        rebuild.add_argument("--days", type=int, default=400, help="how far back (default 400)")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days < 1:
            raise CommandError("--days must be at least 1.")
        rows = rollups.rebuild(days)
        self.stdout.write(f"Rebuilt {days} days: {rows} roll-up rows.")
