from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from careloop.ops.scheduler import start_scheduler


class Command(BaseCommand):
    help = (
        "Serve careloop over HTTP (static files included) on 127.0.0.1:8000 by default, and run "
        "the periodic schedule in this process unless Celery beat runs it."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--no-scheduler",
            dest="scheduler",
            action="store_false",
            help="Leave the periodic schedule to another process.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["scheduler"]:
            start_scheduler()
        call_command("runserver", options["addrport"], use_reloader=False)
