from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from careloop.demo.organisation import create_demo_organisation


class Command(BaseCommand):
    help = "Migrate, create the demo organisation (once) and serve it on 127.0.0.1:8000."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--no-serve", action="store_true", help="Prepare the demo data and stop."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        logins = create_demo_organisation()
        self.stdout.write(self.style.SUCCESS("The demo organisation is ready."))
        self.stdout.write(f"  Admin:     {logins.admin_email}")
        self.stdout.write(f"  Team lead: {logins.lead_email}")
        self.stdout.write(f"  Agent:     {logins.agent_email}")
        self.stdout.write(f"  Password (all three): {logins.password}")
        if not options["no_serve"]:
            self.stdout.write(f"Open http://{options['addrport']}/ and sign in.")
            call_command("serve", options["addrport"])
