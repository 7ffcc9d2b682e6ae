"""Team × month roll-ups with CSAT effects of known size, written as the refresh task would
leave them (one DailyRollup per team and month), for the selector and view tests."""

from __future__ import annotations

import datetime

import numpy as np

from careloop.core import calendar
from careloop.insights.models import DailyRollup
from careloop.people.models import Team
from tests.people.factories import TeamFactory

ANSWERS = 400


def csat_history(
    effects: dict[str, float], *, comparison: int = 5, months_before: int = 6, seed: int = 0
) -> tuple[dict[str, Team], datetime.date]:
    """Teams named in `effects` (CSAT lift in points from the start month on) and `comparison`
    teams without; returns them and the start month, `months_before` months of history before
    it and three complete months after."""
    rng = np.random.default_rng(seed)
    start = calendar.add_months(calendar.first_of_month(calendar.today()), -3)
    first = calendar.add_months(start, -months_before)
    teams = {name: TeamFactory(name=name) for name in effects}
    others = [TeamFactory(name=f"Comparison {index}") for index in range(comparison)]
    season = {}
    month = first
    while month < calendar.first_of_month(calendar.today()):
        season[month] = rng.normal(0, 2)
        month = calendar.next_month(month)
    rows = []
    for team in [*teams.values(), *others]:
        level = rng.normal(75, 5)
        lift = effects.get(team.name, 0.0)
        for month, shift in season.items():
            rate = level + shift + rng.normal(0, 1.5) + (lift if month >= start else 0.0)
            positive = round(ANSWERS * min(max(rate, 0), 100) / 100)
            rows.append(
                DailyRollup(
                    day=month,
                    team=team,
                    channel="email",
                    csat_positive=positive,
                    csat_total=ANSWERS,
                    conversations_solved=ANSWERS,
                )
            )
    DailyRollup.objects.bulk_create(rows)
    return teams, start
