from __future__ import annotations

import imaplib
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careloop.conversations.channels.imap_poller import (
    ImapError,
    Mailbox,
    MailboxNotConfigured,
    poll_mailbox,
)


class Command(BaseCommand):
    help = "Fetch new mail from the IMAP mailbox set by CARELOOP_IMAP_* (once, or with --loop)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--loop", action="store_true", help="Keep polling until interrupted.")
        parser.add_argument(
            "--interval", type=float, default=60.0, help="Seconds between polls with --loop."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            mailbox = Mailbox.from_settings()
        except MailboxNotConfigured as error:
            raise CommandError(str(error)) from error
        if not options["loop"]:
            self._poll(mailbox, keep_going=False)
            return
        try:
            while True:
                self._poll(mailbox, keep_going=True)
                time.sleep(options["interval"])
        except KeyboardInterrupt:
            self.stdout.write("Stopped.")

    def _poll(self, mailbox: Mailbox, *, keep_going: bool) -> None:
        try:
            summary = poll_mailbox(mailbox)
        except (ImapError, imaplib.IMAP4.error, OSError) as error:
            if not keep_going:
                raise CommandError(f"Polling {mailbox.host} failed: {error}") from error
            # A mail server that is briefly away should not end the loop; the next poll retries.
            self.stderr.write(f"Polling {mailbox.host} failed: {error}")
            return
        self.stdout.write(
            f"{summary.fetched} fetched: {summary.stored} new, {summary.duplicates} already "
            f"received, {summary.too_large} too large (left flagged in the mailbox)."
        )
