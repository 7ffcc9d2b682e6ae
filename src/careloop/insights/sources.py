"""Culture measures per team and month, from any app, for the culture → customer analytics.

Other apps register a source here (the pulse app: psychological safety, eNPS, turnover) with
`register_culture_source`; insights never imports them. Every value carries how many people
stand behind it, and values below the privacy minimum are dropped before any analysis.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from careloop.insights.models import TeamEmpathyMonth

# Fewer respondents (or agents) than this and a team-month is left out (privacy minimum).
MIN_GROUP = 5


@dataclass(frozen=True)
class CultureValue:
    team_id: int
    month: datetime.date  # first day of the month
    value: float
    respondents: int


# (first month, last month) -> values for every team-month the source knows.
CultureReader = Callable[[datetime.date, datetime.date], list[CultureValue]]


@dataclass(frozen=True)
class CultureSource:
    key: str
    label: str
    read: CultureReader
    description: str


_SOURCES: dict[str, CultureSource] = {}


def register_culture_source(
    key: str, label: str, read: CultureReader, description: str = ""
) -> None:
    """Make a culture measure available to the analytics (call from an AppConfig.ready)."""
    _SOURCES[key] = CultureSource(key, label, read, description)


def unregister_culture_source(key: str) -> None:
    _SOURCES.pop(key, None)


def culture_sources() -> dict[str, CultureSource]:
    return dict(_SOURCES)


def team_empathy(first_month: datetime.date, last_month: datetime.date) -> list[CultureValue]:
    """Mean empathy (0..1) of the team's scored public replies per month, from the monthly
    roll-up; `respondents` is the number of distinct agents behind it."""
    rows = TeamEmpathyMonth.objects.filter(month__gte=first_month, month__lte=last_month)
    return [
        CultureValue(row.team_id, row.month, row.empathy_sum / row.replies, row.agents)
        for row in rows
        if row.replies
    ]


register_culture_source(
    "empathy",
    "Team empathy (coach's reply scores)",
    team_empathy,
    "Mean empathy 0–1 of the team's scored replies; shown only with at least "
    f"{MIN_GROUP} agents behind it.",
)


@dataclass(frozen=True)
class TeamCulture:
    """A culture measure over a period for one team; `value` is None below the minimum."""

    team_id: int
    value: float | None
    respondents: int
    months: int


def culture_by_team(values: Iterable[CultureValue]) -> dict[int, TeamCulture]:
    """Respondent-weighted mean per team over the months that reach MIN_GROUP; months below
    it are never shown and never mixed into a figure."""
    shown: dict[int, list[CultureValue]] = defaultdict(list)
    seen: set[int] = set()
    for value in values:
        seen.add(value.team_id)
        if value.respondents >= MIN_GROUP:
            shown[value.team_id].append(value)
    result = {}
    for team_id in seen:
        kept = shown.get(team_id, [])
        weight = sum(value.respondents for value in kept)
        result[team_id] = TeamCulture(
            team_id,
            sum(value.value * value.respondents for value in kept) / weight if weight else None,
            max((value.respondents for value in kept), default=0),
            len(kept),
        )
    return result


def shown_by_team_and_month(
    values: Iterable[CultureValue],
) -> dict[int, dict[datetime.date, float]]:
    """The team-months that reach MIN_GROUP, for charts; the rest stay unseen."""
    shown: dict[int, dict[datetime.date, float]] = defaultdict(dict)
    for value in values:
        if value.respondents >= MIN_GROUP:
            shown[value.team_id][value.month] = value.value
    return dict(shown)
