"""`careloop create_api_key --name NAME --role agent --email creator@example.com`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careloop.api.models import API_KEY_ROLES
from careloop.api.services import create_api_key
from careloop.core.permissions import Role
from careloop.people.models import User


class Command(BaseCommand):
    help = "Issue an API key acting with a staff role. The secret is printed once, never stored."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="What the key is for.")
        parser.add_argument("--role", required=True, choices=[role.value for role in API_KEY_ROLES])
        parser.add_argument(
            "--email", required=True, help="The employee issuing the key (its default author)."
        )

    def handle(self, *args: Any, name: str, role: str, email: str, **options: Any) -> None:
        if not name.strip():
            raise CommandError("Give the key a name that says what it is for.")
        creator = User.objects.filter(email=email.strip().lower()).first()
        if creator is None or not creator.is_active or not creator.is_employee:
            raise CommandError(f"No active employee has the email {email!r}.")
        key, secret = create_api_key(name=name, role=Role(role), created_by=creator)
        self.stderr.write(
            f"Created API key {key.name!r} ({key.prefix}…) acting as {Role(role).label}. "
            "Store the secret below now: it is not shown again."
        )
        self.stdout.write(secret)
