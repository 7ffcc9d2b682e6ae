from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from careloop.conversations.services.figures import refresh_waiting_conversations


class Command(BaseCommand):
    help = (
        "Re-score every conversation waiting on us (waiting time grows with the clock). "
        "Celery beat runs this every 5 minutes; without Celery, run it from cron."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        count = refresh_waiting_conversations()
        self.stdout.write(f"Re-scored {count} waiting conversation{'s' if count != 1 else ''}.")
