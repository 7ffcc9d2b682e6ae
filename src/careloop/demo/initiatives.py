"""Demo initiatives with effects of known size built into the demo's survey answers: one real
(empathy training), one null (a new feedback-session rhythm), one too early to tell."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass
from decimal import Decimal

from careloop.core import calendar
from careloop.demo.people import first_cx_leader
from careloop.initiatives.models import Initiative
from careloop.initiatives.services import InitiativeDraft, create_initiative
from careloop.people.models import Team


@dataclass(frozen=True)
class DemoInitiative:
    name: str
    kind: str
    team: str
    months_ago: int  # the start: the first of the month this many months before today's
    # Share of the team's unhappy CSAT answers (1–3) that turn into a 5 from the start on, so
    # the built-in effect is CSAT_LIFT × (100 − the team's CSAT without it) points.
    csat_lift: float
    cost: Decimal
    hours: Decimal


DEMO_INITIATIVES = (
    DemoInitiative(
        "Empathy training for Frontline Europe", Initiative.Kind.TRAINING, "Frontline Europe",
        5, 0.6, Decimal("4800"), Decimal("96"),
    ),
    # On a team whose climate holds steady, so nothing but noise moves its answers.
    DemoInitiative(
        "Fortnightly feedback sessions in Frontline Nordics", Initiative.Kind.RHYTHM,
        "Frontline Nordics", 5, 0.0, Decimal("0"), Decimal("60"),
    ),
    DemoInitiative(
        "Raised goodwill allowance in Care Escalations", Initiative.Kind.GOODWILL,
        "Care Escalations", 0, 0.0, Decimal("1500"), Decimal("0"),
    ),
)  # fmt: skip


def start_of(initiative: DemoInitiative, today: datetime.date) -> datetime.date:
    return calendar.add_months(calendar.first_of_month(today), -initiative.months_ago)


def lifted_csat(team_name: str, day: datetime.date, csat: int, key: int) -> int:
    """The demo answer with the built-in initiative effect applied. Its own random stream
    (seeded by `key`) keeps the rest of the demo's answers exactly as they were."""
    today = calendar.today()
    for initiative in DEMO_INITIATIVES:
        if (
            initiative.team == team_name
            and initiative.csat_lift
            and csat < 4
            and day >= start_of(initiative, today)
            and random.Random(key).random() < initiative.csat_lift
        ):
            return 5
    return csat


def create_demo_initiatives(seed: int = 7) -> int:
    """The three initiatives, once; returns how many were created."""
    if Initiative.objects.exists():
        return 0
    leader = first_cx_leader()
    teams = {team.name: team for team in Team.objects.all()}
    today = calendar.today()
    created = 0
    for initiative in DEMO_INITIATIVES:
        team = teams.get(initiative.team)
        if team is None:
            continue
        create_initiative(
            InitiativeDraft(
                name=initiative.name,
                kind=initiative.kind,
                teams=[team],
                start=start_of(initiative, today),
                outcomes=["csat", "nps"],
                cost_amount=initiative.cost,
                cost_hours=initiative.hours,
            ),
            created_by=leader,
        )
        created += 1
    return created
