from __future__ import annotations

import os
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = (
        "Run a production web node: gunicorn with threaded workers (chat streams hold a thread "
        "each), behind any reverse proxy; each worker runs the periodic schedule unless Celery "
        "beat does. Run `careloop collectstatic` first."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("CARELOOP_BIND", "127.0.0.1:8000"))
        parser.add_argument(
            "--workers", type=int, default=int(os.environ.get("CARELOOP_WEB_WORKERS", "2"))
        )
        parser.add_argument(
            "--threads", type=int, default=int(os.environ.get("CARELOOP_WEB_THREADS", "8"))
        )
        parser.add_argument("--pid", default="", help="Write the master's process id here.")

    def handle(self, *args: Any, **options: Any) -> None:
        arguments = [
            sys.executable,
            "-m",
            "gunicorn",
            "careloop.wsgi:application",
            # Starts the in-process scheduler in each worker (ops.scheduler).
            "--config=python:careloop.ops.gunicorn_hooks",
            f"--bind={options['bind']}",
            f"--workers={options['workers']}",
            "--worker-class=gthread",
            f"--threads={options['threads']}",
            # Recycle workers now and then so a slow leak never becomes an outage.
            "--max-requests=2000",
            "--max-requests-jitter=200",
            "--graceful-timeout=30",
            "--timeout=60",
            # The proxy in front sets X-Forwarded-*; trust it only from loopback by default.
            f"--forwarded-allow-ips={os.environ.get('CARELOOP_FORWARDED_ALLOW_IPS', '127.0.0.1')}",
            "--access-logfile=-",
            # Tokens in survey, unsubscribe, chat and sign-in links never reach the log.
            "--logger-class=careloop.ops.access_log.RedactingLogger",
            # No query strings in access logs: they can carry tokens and emails.
            '--access-logformat=%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms',
            *([f"--pid={options['pid']}"] if options["pid"] else []),
        ]
        self.stdout.flush()
        # Replace this process, so the service manager's signals reach gunicorn's master directly.
        os.execv(sys.executable, arguments)  # noqa: S606 - fixed argv, no shell
