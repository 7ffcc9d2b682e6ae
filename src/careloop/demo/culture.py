"""The demo's hidden team climate: one number per team and day that the demo's replies, pulse
answers and turnover lean on, and that customers feel a month later in their answers.

It is what makes the insights analytics find something real in the demo: empathy and
psychological safety in one month move with CSAT and NPS in the next. Nothing reads this
outside the demo builders; the analytics only ever see the data it shaped.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

YEAR = datetime.timedelta(days=365)
# Customers feel a team's climate with a delay: their answers follow last month's climate.
CUSTOMER_LAG = datetime.timedelta(days=30)
# How far a team's climate swings around its trend (two slow waves a year).
SWING = 0.12


@dataclass(frozen=True)
class Climate:
    a_year_ago: float  # 0 (fearful, disengaged) .. 1 (safe, engaged)
    now: float
    phase: float  # where in the year the team's own ups and downs fall (0..1)


TEAM_CLIMATES = {
    # Steady and getting better.
    "Frontline Europe": Climate(0.62, 0.8, 0.0),
    # A hard year: a new lead, a re-organisation, people leaving.
    "Frontline Americas": Climate(0.6, 0.32, 0.3),
    # Adopting the team's own ideas (the refund limit, shadowing) turned it round.
    "Orders & Billing": Climate(0.25, 0.65, 0.6),
    "Care Escalations": Climate(0.5, 0.55, 0.15),
    # Steady teams: the comparison an initiative elsewhere is measured against.
    "Frontline Nordics": Climate(0.58, 0.6, 0.45),
    "Frontline Asia-Pacific": Climate(0.52, 0.5, 0.75),
}
USUAL = Climate(0.5, 0.5, 0.0)


def climate(team_name: str, day: datetime.date, today: datetime.date) -> float:
    """The team's climate on `day` (clamped to the year before `today`), between 0.05 and 0.95."""
    shape = TEAM_CLIMATES.get(team_name, USUAL)
    progress = min(max((day - (today - YEAR)).days / YEAR.days, 0.0), 1.0)
    trend = shape.a_year_ago + (shape.now - shape.a_year_ago) * progress
    wave = SWING * math.sin(2 * math.pi * (2 * progress + shape.phase))
    return min(max(trend + wave, 0.05), 0.95)


def felt_by_customers(team_name: str, day: datetime.date, today: datetime.date) -> float:
    """The climate customers answering on `day` feel: the team's a month earlier."""
    return climate(team_name, day - CUSTOMER_LAG, today)
