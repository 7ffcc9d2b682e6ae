"""Builds the demo organisation through the domains' own services, deterministically."""

from __future__ import annotations

import random
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, time

from django.contrib.auth.hashers import make_password
from django.db import transaction
from faker import Faker

from careloop.conversations import inbox_settings
from careloop.conversations.models import Customer, Priority
from careloop.conversations.sla import DEFAULT_TARGETS
from careloop.core import calendar as organisation_calendar
from careloop.core.permissions import Role
from careloop.demo.care import create_demo_care
from careloop.demo.coaching import create_demo_coaching
from careloop.demo.conversations import DEFAULT_CONVERSATIONS, create_demo_conversations
from careloop.demo.feedback import create_demo_feedback
from careloop.demo.initiatives import create_demo_initiatives
from careloop.demo.insights import create_demo_insights
from careloop.demo.learning import create_demo_learning
from careloop.demo.pulse import create_demo_pulse
from careloop.demo.recognition import create_demo_recognition
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
    # Six teams, so an initiative in one team has enough teams without it to be compared with.
    ("Frontline Nordics", "Email and chat for customers in the Nordics and the Baltics."),
    ("Frontline Asia-Pacific", "Email and chat for customers in Asia and Oceania."),
)
AGENTS_PER_TEAM = 6
CUSTOMERS = 1200
COMPANIES_SHARE = 0.3
SAVED_REPLIES = (
    (
        "Damaged on arrival: replacement on its way",
        "Hi {{ customer.first_name }},\n\nI'm so sorry your order arrived damaged – that's not "
        "how it should start. A replacement is on its way today and you don't need to send "
        "the damaged item back.\n\nWarm wishes,\n{{ agent.first_name }}",
    ),
    (
        "Delivery delay: we're chasing the carrier",
        "Hi {{ customer.first_name }},\n\nThank you for your patience. I've asked the carrier "
        "to investigate and will update you within two working days, sooner if I hear "
        "back.\n\nBest regards,\n{{ agent.first_name }}",
    ),
    (
        "Size exchange: free return label",
        "Hi {{ customer.first_name }},\n\nOf course we can swap it. I've emailed you a free "
        "return label and reserved the new size for you.\n\nAll the best,\n"
        "{{ agent.first_name }}",
    ),
    (
        "Refund processed",
        "Hi {{ customer.first_name }},\n\nYour refund is processed. Banks usually take 3–5 "
        "working days to show it. Just reply here (conversation #{{ conversation.number }}) "
        "if it hasn't arrived by then.\n\nKind regards,\n{{ agent.first_name }}",
    ),
    (
        "Checking in after a difficult experience",
        "Hi {{ customer.first_name }},\n\nI wanted to check in personally: I'm sorry for how "
        "this went, and I've made sure it's put right. Is there anything else I can do for "
        "you?\n\n{{ agent.full_name }}",
    ),
)


@dataclass(frozen=True)
class DemoLogins:
    admin_email: str
    lead_email: str
    agent_email: str
    password: str


# Letters that NFKD does not split into an ASCII letter and an accent.
_ASCII_LETTERS = str.maketrans(
    {"ß": "ss", "ø": "o", "Ø": "O", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ł": "l",
     "Ł": "L", "đ": "d", "Đ": "D", "þ": "th", "Þ": "Th", "ı": "i"}
)  # fmt: skip


def _email(name: str) -> str:
    """An ASCII address for a name: sign-in forms refuse accented letters before the @."""
    ascii_name = unicodedata.normalize("NFKD", name.translate(_ASCII_LETTERS))
    ascii_name = ascii_name.encode("ascii", "ignore").decode()
    words = (re.sub(r"[^a-z0-9-]", "", word.lower()) for word in ascii_name.split())
    return f"{'.'.join(word for word in words if word)}@{DEMO_DOMAIN}"


def _make_demo_emails_ascii() -> None:
    """Demo people made before addresses were ASCII get their ASCII address, so they can sign in."""
    for person in User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}"):
        ascii_email = _email(person.full_name)
        if not person.email.isascii() and not User.objects.filter(email=ascii_email).exists():
            # A repair of the demo's own old rows; no use case changes someone's sign-in address.
            User.objects.filter(pk=person.pk).update(email=ascii_email)


def _person(full_name: str, role: Role, team: Team | None, password_hash: str) -> User:
    # Not people.services.add_person: that invites by email and leaves no usable password,
    # where a demo login needs the published one.
    person = User(email=_email(full_name), full_name=full_name, role=role, team=team)
    # One hash shared by every demo login: Argon2 is slow by design, once is enough.
    person.password = password_hash
    person.save()
    return person


def _create_demo_domains(conversations: int, seed: int, now: datetime | None) -> None:
    """The demo rows of every domain beyond the people, teams and inbox settings."""
    # Every domain asks for local dates by the thousand here; the zone was set before this.
    with organisation_calendar.organisation_zone_read_once():
        create_demo_conversations(conversations, seed, now=now)
        create_demo_learning(seed)
        create_demo_care(seed)
        create_demo_coaching(seed)
        create_demo_feedback(seed)
        create_demo_recognition(seed)
        create_demo_pulse(seed)
        create_demo_insights(seed)
        create_demo_initiatives(seed)


def demo_exists() -> bool:
    return User.objects.filter(email__endswith=f"@{DEMO_DOMAIN}").exists()


@transaction.atomic
def create_demo_organisation(
    seed: int = 7, conversations: int = DEFAULT_CONVERSATIONS, *, now: datetime | None = None
) -> DemoLogins:
    """Create the demo organisation once; running it again changes nothing.

    `now` is the moment the conversations' history ends (the real now by default): a test
    that counts what waits passes a fixed one, since the queue depends on the time of day.
    """
    logins = DemoLogins(
        admin_email=_email("Ada Admin"),
        lead_email=_email("Leah Lindqvist"),
        agent_email=_email("Sam Okafor"),
        password=DEMO_PASSWORD,
    )
    if demo_exists():
        _make_demo_emails_ascii()
        # An organisation made before demo conversations existed still gets them, once.
        _create_demo_domains(conversations, seed, now)
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
    leads = [
        "Leah Lindqvist", "Marcus Bell", "Yuki Tanaka", "Fatima Haddad", "Johan Virtanen",
        "Mei Lin Tan",
    ]  # fmt: skip
    for team, lead in zip(teams, leads, strict=True):
        _person(lead, Role.TEAM_LEAD, team, password_hash)
    _person("Sam Okafor", Role.AGENT, teams[0], password_hash)

    used_names = {"Sam Okafor"}
    for team in teams:
        while team.members.filter(role=Role.AGENT).count() < AGENTS_PER_TEAM:
            name = fake.unique.name()
            taken = User.objects.filter(email=_email(name)).exists()
            if name not in used_names and "." not in name and not taken:
                used_names.add(name)
                _person(name, Role.AGENT, team, password_hash)

    languages = ["en", "en", "en", "de", "fr", "es", "nl"]
    # Seeding, not a use case: 1,200 customers in one insert (no service creates them in bulk).
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
    inbox_settings.save_sla_targets(
        inbox_settings.SlaTargets(Priority(priority), first, following, resolution)
        for priority, (first, following, resolution) in DEFAULT_TARGETS.items()
    )
    for title, body in SAVED_REPLIES:
        inbox_settings.save_saved_reply(None, title=title, body=body, team=None)
    _create_demo_domains(conversations, seed, now)
    return logins
