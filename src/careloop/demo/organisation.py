"""Builds the demo organisation through the domains' own services, deterministically."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import time

from django.contrib.auth.hashers import make_password
from django.db import transaction
from faker import Faker

from careloop.conversations.models import Customer
from careloop.core.permissions import Role
from careloop.people import services
from careloop.people.models import Team, User
from careloop.people.selectors import current_organisation

DEMO_PASSWORD = "careloop-demo"  # noqa: S105 - printed on purpose; demo data only
DEMO_DOMAIN = "harbourandpine.example"
DEMO_ORGANISATION_NAME = "Harbour & Pine Outfitters"

VALUES = (
    "Own the outcome",
    "Listen first",
    "Make it right, then make it better",
    "Learn without blame",
    "Be generous with trust",
)
TEAMS = (
    ("Frontline Europe", "Email and chat for customers in Europe, 08:00–18:00 CET."),
    ("Frontline Americas", "Email and chat for customers in the Americas."),
    ("Orders & Billing", "Refunds, invoices, payment problems and order changes."),
    ("Care Escalations", "Complex cases, complaints and recovery of unhappy customers."),
)
AGENTS_PER_TEAM = 6
CUSTOMERS = 400
COMPANIES_SHARE = 0.3


@dataclass(frozen=True)
class DemoLogins:
    admin_email: str
    lead_email: str
    agent_email: str
    password: str


def _email(name: str) -> str:
    local = ".".join(part.lower() for part in name.replace("'", "").split())
    return f"{local}@{DEMO_DOMAIN}"


def _person(full_name: str, role: Role, team: Team | None, password_hash: str) -> User:
    person = User(email=_email(full_name), full_name=full_name, role=role, team=team)
    # One hash shared by every demo login: Argon2 is slow by design, once is enough.
    person.password = password_hash
    person.save()
    return person


def demo_exists() -> bool:
    return User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exists()


@transaction.atomic
def create_demo_organisation(seed: int = 7) -> DemoLogins:
    """Create the demo organisation once; running it again changes nothing."""
    logins = DemoLogins(
        admin_email=_email("Ada Admin"),
        lead_email=_email("Leah Lindqvist"),
        agent_email=_email("Sam Okafor"),
        password=DEMO_PASSWORD,
    )
    if demo_exists():
        return logins

    fake = Faker(["en_GB", "en_US", "de_DE", "fr_FR", "es_ES", "nl_NL"])
    fake.seed_instance(seed)
    chooser = random.Random(seed)

    services.update_organisation(
        current_organisation(),
        name=DEMO_ORGANISATION_NAME,
        time_zone="Europe/Amsterdam",
        values=VALUES,
        opening_hours=[
            services.OpeningHours(weekday=day, opens=time(8), closes=time(18)) for day in range(5)
        ]
        + [services.OpeningHours(weekday=5, opens=time(10), closes=time(14))],
    )

    password_hash = make_password(DEMO_PASSWORD)
    teams = [services.create_team(name=name, description=about) for name, about in TEAMS]
    _person("Ada Admin", Role.ADMIN, None, password_hash)
    _person("Carmen Reyes", Role.CX_LEADER, None, password_hash)
    _person("Priya Natarajan", Role.PEOPLE_PARTNER, None, password_hash)
    leads = ["Leah Lindqvist", "Marcus Bell", "Yuki Tanaka", "Fatima Haddad"]
    for team, lead in zip(teams, leads, strict=True):
        _person(lead, Role.TEAM_LEAD, team, password_hash)
    _person("Sam Okafor", Role.AGENT, teams[0], password_hash)

    used_names = {"Sam Okafor"}
    for team in teams:
        while team.members.filter(role=Role.AGENT).count() < AGENTS_PER_TEAM:
            name = fake.unique.name()
            if name not in used_names and "." not in name:
                used_names.add(name)
                _person(name, Role.AGENT, team, password_hash)

    languages = ["en", "en", "en", "de", "fr", "es", "nl"]
    Customer.objects.bulk_create(
        Customer(
            full_name=(name := fake.unique.name()),
            email=f"{fake.unique.user_name()}@{fake.free_email_domain()}",
            company=fake.company() if chooser.random() < COMPANIES_SHARE else "",
            language=chooser.choice(languages),
            notes=chooser.choice(
                [
                    "",
                    "",
                    "",
                    "Prefers email over chat.",
                    "Call back only after 17:00.",
                    "Long-time customer since 2019.",
                    f"Goes by {name.split()[0]}.",
                ]
            ),
        )
        for _ in range(CUSTOMERS)
    )
    return logins
