from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = "Start a Celery worker that runs careloop's background tasks (needs CELERY_BROKER_URL)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--concurrency", type=int, default=2)
        parser.add_argument("--pool", default="prefork", choices=["prefork", "solo", "threads"])
        parser.add_argument("--loglevel", default="INFO")
        parser.add_argument(
            "--beat",
            action="store_true",
            help="Also run the periodic scheduler; start exactly one of these per deployment.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if not settings.CELERY_BROKER_URL:
            raise CommandError(
                "CELERY_BROKER_URL is not set: tasks run inline in the web process, "
                "so there is nothing for a worker to do. Set it, e.g. redis://127.0.0.1:6379/0."
            )
        from careloop.core.celery import app

        app.worker_main(
            [
                "worker",
                f"--loglevel={options['loglevel']}",
                f"--concurrency={options['concurrency']}",
                f"--pool={options['pool']}",
                f"--queues={settings.CELERY_TASK_DEFAULT_QUEUE}",
                "--without-gossip",
                "--without-mingle",
                *(
                    ["--beat", f"--schedule={settings.DATA_DIR / 'celerybeat-schedule'}"]
                    if options["beat"]
                    else []
                ),
            ]
        )
