"""Changes to the organisation, its teams and its people: one function per use case."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, time

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.text import slugify

from careloop.core.audit import record_audit
from careloop.core.permissions import Role, grantable_roles
from careloop.people.models import BusinessHours, Holiday, Organisation, Team, User, Value
from careloop.people.tasks import send_invitation


@dataclass(frozen=True)
class OpeningHours:
    weekday: int
    opens: time
    closes: time


@transaction.atomic
def update_organisation(
    organisation: Organisation,
    *,
    name: str,
    time_zone: str,
    values: Iterable[str],
    opening_hours: Iterable[OpeningHours],
    actor: User | None = None,
) -> Organisation:
    """Replace the organisation's settings; values keep the order given."""
    organisation.name = name
    organisation.time_zone = time_zone
    organisation.full_clean()
    organisation.save()

    names = [value.strip() for value in values if value.strip()]
    organisation.values.exclude(name__in=names).delete()
    for position, value_name in enumerate(dict.fromkeys(names)):
        Value.objects.update_or_create(
            organisation=organisation, name=value_name, defaults={"position": position}
        )

    organisation.business_hours.all().delete()
    BusinessHours.objects.bulk_create(
        BusinessHours(
            organisation=organisation, weekday=hours.weekday, opens=hours.opens, closes=hours.closes
        )
        for hours in opening_hours
    )
    if actor is not None:
        record_audit(actor, "organisation.changed", organisation, summary=name)
    return organisation


@transaction.atomic
def set_holidays(
    organisation: Organisation,
    holidays: Iterable[tuple[date, str]],
    actor: User | None = None,
) -> None:
    """Replace the closed days; SLA clocks stand still on them."""
    organisation.holidays.all().delete()
    by_date = dict(holidays)  # one row per date; the last name given wins
    Holiday.objects.bulk_create(
        Holiday(organisation=organisation, date=day, name=name) for day, name in by_date.items()
    )
    if actor is not None:
        record_audit(
            actor, "organisation.holidays_changed", organisation, summary=f"{len(by_date)}"
        )


def create_team(*, name: str, description: str = "", actor: User | None = None) -> Team:
    base_slug = slugify(name) or "team"
    slug, suffix = base_slug, 2
    while Team.objects.filter(slug=slug).exists():
        slug, suffix = f"{base_slug}-{suffix}", suffix + 1
    team = Team(name=name.strip(), slug=slug, description=description)
    team.full_clean()
    team.save()
    if actor is not None:
        record_audit(actor, "team.created", team, summary=team.name)
    return team


def _require_grantable(actor: User, role: Role) -> None:
    """Nobody gives a role above their own, and only admins make admins."""
    if role not in grantable_roles(actor):
        raise PermissionDenied(f"You may not give the role {role.label}.")


@transaction.atomic
def add_person(*, email: str, full_name: str, role: Role, team: Team | None, actor: User) -> User:
    """Create an employee without a usable password and invite them to choose one."""
    _require_grantable(actor, role)
    person = User.objects.create_user(email=email, full_name=full_name, role=role, team=team)
    record_audit(actor, "person.added", person, summary=f"{person.email}: role {role.value}")
    transaction.on_commit(lambda: send_invitation.enqueue(person.pk))
    return person


def record_role_change(actor: User, person: User, *, from_role: str, to_role: str) -> None:
    """The audit entry of a role change: who (the actor), whom (the target), from and to."""
    record_audit(
        actor,
        "person.role_changed",
        person,
        summary=f"{person.email}: role {from_role} → {to_role}",
    )


@transaction.atomic
def change_role_and_team(person: User, *, role: Role, team: Team | None, actor: User) -> User:
    """Give an employee another role or team, within what the actor may grant.

    Nobody changes their own role, nor the role of someone ranked above what they may grant.
    """
    from_role, from_team = Role(person.role), person.team
    if actor.pk == person.pk and role != from_role:
        raise PermissionDenied("Nobody changes their own role.")
    _require_grantable(actor, from_role)
    _require_grantable(actor, role)
    person.role = role
    person.team = team
    person.save(update_fields=["role", "team", "is_staff", "is_superuser"])
    if role != from_role:
        record_role_change(actor, person, from_role=from_role.value, to_role=role.value)
    if team != from_team:
        record_audit(
            actor,
            "person.team_changed",
            person,
            summary=f"{person.email}: team {from_team or '—'} → {team or '—'}",
        )
    return person


def deactivate_person(person: User, actor: User | None = None) -> User:
    """Leavers keep their history but can no longer sign in."""
    person.is_active = False
    person.save(update_fields=["is_active"])
    record_audit(actor, "person.deactivated", person)
    return person


def add_former_agents(names_by_email: dict[str, str]) -> list[User]:
    """Accounts for agents who wrote in another helpdesk's history (an import): inactive, with
    no password, so their replies keep an author and nobody gains a sign-in. An admin who
    wants one of them on board activates and invites them like any new colleague."""
    from django.contrib.auth.hashers import make_password

    unusable = make_password(None)
    accounts = [
        User(
            email=email,
            full_name=name.strip()[:150] or email.split("@")[0],
            role=Role.AGENT,
            is_active=False,
            password=unusable,
        )
        for email, name in sorted(names_by_email.items())
    ]
    User.objects.bulk_create(accounts)
    for account in accounts:
        record_audit(None, "person.imported_inactive", account)
    return accounts
