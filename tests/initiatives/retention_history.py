"""Customer activity with a known retention effect, for the retention outcome's tests.

Every team keeps BASE customers who come back every 90 days (always active, always
retained) and, for each month, a cohort of customers whose only conversation falls 175 days
before the month: they count as active at its start and, not coming back, drop out by its
end. A cohort is active at the start of its own month and of the five before it, so with
`lost` a month a team's steady retention is 1 − lost ÷ (BASE + 6 × lost); a team that loses
fewer from the start month on retains more (`expected_effect`).
"""

from __future__ import annotations

import datetime

import numpy as np

from careloop.core import calendar
from careloop.insights.models import CustomerActivity
from careloop.people.models import Team
from tests.people.factories import TeamFactory

BASE = 300
LOST = 30


def rate(lost: float, next_five: float) -> float:
    """A month's retention in %: `lost` drop out of BASE + its own cohort + the next five."""
    return 100 * (1 - lost / (BASE + lost + next_five))


def expected_effect(lost_after: int, *, months_before: int = 6) -> float:
    """The difference-in-differences the construction implies, without the noise: after the
    start the treated team's rate is steady at the smaller loss; in the five months before, the
    smaller cohorts to come already count at the start (and not as lost), so those months read
    a little lower than the comparison's, which the comparison subtracts as well."""
    after = rate(lost_after, 5 * lost_after) - rate(LOST, 5 * LOST)
    before = [
        rate(LOST, (5 - k) * LOST + k * lost_after) - rate(LOST, 5 * LOST)
        for k in range(months_before, 0, -1)
        if k <= 5
    ]
    return after - sum(before) / months_before


def retention_history(
    lost_after: dict[str, int], *, comparison: int = 5, seed: int = 0
) -> tuple[dict[str, Team], datetime.date]:
    """Teams named in `lost_after` (customers lost a month from the start month on, LOST
    before) and `comparison` teams losing LOST throughout, each month ± a little noise;
    returns them and the start month (three complete months ago)."""
    rng = np.random.default_rng(seed)
    this_month = calendar.first_of_month(calendar.today())
    start = calendar.add_months(this_month, -3)
    teams = {name: TeamFactory(name=name) for name in lost_after}
    others = [TeamFactory(name=f"Comparison {index}") for index in range(comparison)]
    first_day = calendar.add_months(start, -14)
    rows: list[CustomerActivity] = []
    customer = 0
    for team in [*teams.values(), *others]:
        for _ in range(BASE):
            customer += 1
            day = first_day + datetime.timedelta(days=int(rng.integers(0, 90)))
            while day < this_month:
                rows.append(CustomerActivity(day=day, customer_id=customer, team=team))
                day += datetime.timedelta(days=90)
        month = calendar.add_months(start, -12)
        while month <= calendar.add_months(this_month, 6):
            lost = lost_after.get(team.name, LOST) if month >= start else LOST
            contact = month - datetime.timedelta(days=176)
            for _ in range(max(lost + int(rng.integers(-3, 4)), 0)):
                customer += 1
                rows.append(CustomerActivity(day=contact, customer_id=customer, team=team))
            month = calendar.next_month(month)
    for row in rows:
        row.channel = "email"
    CustomerActivity.objects.bulk_create(rows, batch_size=2000)
    return teams, start
