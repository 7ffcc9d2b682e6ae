"""`careloop create_api_key --name NAME --owner agent@example.com --scope conversations:read`."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from careloop.api.scopes import Scope
from careloop.api.services import create_api_key, may_own_a_key
from careloop.people.models import User


def _active_employee(email: str) -> User:
    person = User.objects.filter(email=email.strip().lower()).first()
    if person is None or not may_own_a_key(person):
        raise CommandError(f"No active employee has the email {email!r}.")
    return person


class Command(BaseCommand):
    help = (
        "Issue an API key acting as an employee, within the scopes given. "
        "The secret is printed once, never stored."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True, help="What the key is for.")
        parser.add_argument(
            "--owner", required=True, help="The employee the key acts as (their rights, rows)."
        )
        parser.add_argument(
            "--scope",
            dest="scopes",
            action="append",
            required=True,
            choices=[scope.value for scope in Scope],
            help="What the key may touch; repeat for several.",
        )
        parser.add_argument(
            "--email", default="", help="The employee issuing the key (default: the owner)."
        )

    def handle(
        self, *args: Any, name: str, owner: str, scopes: list[str], email: str, **options: Any
    ) -> None:
        if not name.strip():
            raise CommandError("Give the key a name that says what it is for.")
        key_owner = _active_employee(owner)
        creator = _active_employee(email) if email else key_owner
        key, secret = create_api_key(name=name, owner=key_owner, scopes=scopes, created_by=creator)
        self.stderr.write(
            f"Created API key {key.name!r} ({key.prefix}…) acting as {key_owner.email} with "
            f"{', '.join(key.scopes)}. Store the secret below now: it is not shown again."
        )
        self.stdout.write(secret)
