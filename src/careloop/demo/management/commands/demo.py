from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.test.utils import override_settings

from careloop.conversations.models import Conversation, Status
from careloop.demo.conversations import DEFAULT_CONVERSATIONS
from careloop.demo.feedback import bring_pending_surveys_forward
from careloop.demo.organisation import create_demo_organisation
from careloop.ops.scheduler import start_scheduler

DEMO_MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# The demo's pace, so a visitor sees the schedule work within minutes: a survey goes out a
# minute or two after a solve (printed by the console email backend), waiting times move each
# minute. Everything else keeps the production intervals of ops.schedule.
DEMO_SURVEY_DELAY = timedelta(minutes=1)
DEMO_EVERY = {
    "refresh-care-priorities": timedelta(minutes=1),
    "send-due-surveys": timedelta(minutes=1),
}


class Command(BaseCommand):
    help = "Migrate, create the demo organisation (once) and serve it on 127.0.0.1:8000."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--no-serve", action="store_true", help="Prepare the demo data and stop."
        )
        parser.add_argument(
            "--conversations",
            type=int,
            default=DEFAULT_CONVERSATIONS,
            help="How many demo conversations to create the first time.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        # The demo's own history (approvals, stories to consent to) would email invented
        # people; keep those messages in memory rather than printing them.
        with override_settings(MAILERS=DEMO_MAILERS):
            logins = create_demo_organisation(conversations=options["conversations"])
        self.stdout.write(self.style.SUCCESS("The demo organisation is ready."))
        self.stdout.write(f"  Admin:     {logins.admin_email}")
        self.stdout.write(f"  Team lead: {logins.lead_email}")
        self.stdout.write(f"  Agent:     {logins.agent_email}")
        self.stdout.write(f"  Password (all three): {logins.password}")
        total = Conversation.objects.count()
        waiting = Conversation.objects.filter(
            status=Status.OPEN, waiting_since__isnull=False
        ).count()
        self.stdout.write(f"  Conversations: {total} ({waiting} waiting on us)")
        if options["no_serve"]:
            return
        with override_settings(CARELOOP_SURVEY_DELAY=DEMO_SURVEY_DELAY):
            soon = bring_pending_surveys_forward(DEMO_SURVEY_DELAY)
            if start_scheduler(every=DEMO_EVERY) is not None:
                self.stdout.write(
                    "  Schedule: waiting times refresh every minute; surveys go out a minute or "
                    f"two after a solve ({soon} waiting ones go out in the next two minutes)."
                )
            self.stdout.write(f"Open http://{options['addrport']}/ and sign in.")
            call_command("serve", options["addrport"], scheduler=False)
