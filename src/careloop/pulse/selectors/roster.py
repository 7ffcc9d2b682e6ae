"""Turnover from the roster, for the roster page and the insights dashboards.

Monthly turnover = leavers in the month ÷ average headcount × 100, where the average is the mean
of the headcount at the start and at the end of the month. Headcount on a day is the team's
active members today, walked back through the joiners and leavers recorded since. The annual
rate sums the twelve monthly rates (SHRM); a year to date is annualised as rate × 12 / months.
"""

from __future__ import annotations

import calendar
import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from careloop.people.models import Team, User
from careloop.people.selectors import employees
from careloop.pulse.models import LeavingReason, RosterChange, RosterEvent


@dataclass(frozen=True)
class MonthlyTurnover:
    year: int
    month: int
    leavers: int
    voluntary: int
    involuntary: int
    joiners: int
    average_headcount: float
    rate: float | None  # per cent; None when the team had no one

    @property
    def label(self) -> str:
        return f"{calendar.month_abbr[self.month]} {self.year}"


def _events(team_ids: list[int] | None) -> QuerySet[RosterEvent]:
    events = RosterEvent.objects.all()
    return events.filter(team_id__in=team_ids) if team_ids is not None else events


def _team_ids(teams: Team | Iterable[Team] | None) -> list[int] | None:
    if teams is None:
        return None
    if isinstance(teams, Team):
        return [teams.pk]
    return [team.pk for team in teams]


def _members(team_ids: list[int] | None) -> QuerySet[User]:
    # Unordered: the counts below group by team.
    members = employees().filter(is_active=True).order_by()
    return (
        members.filter(team_id__in=team_ids) if team_ids is not None else members.exclude(team=None)
    )


def headcount_on(teams: Team | Iterable[Team] | None, day: datetime.date) -> int:
    """People on the team(s) at the end of `day`."""
    team_ids = _team_ids(teams)
    later = (
        _events(team_ids)
        .filter(on__gt=day)
        .aggregate(
            joined=Count("pk", filter=Q(change=RosterChange.JOINED)),
            left=Count("pk", filter=Q(change=RosterChange.LEFT)),
        )
    )
    return max(_members(team_ids).count() - later["joined"] + later["left"], 0)


# (day, change, reason) of one roster event.
RosterRow = tuple[datetime.date, str, str]


def _headcount(members: int, since: list[RosterRow], day: datetime.date) -> int:
    """`headcount_on` from today's member count and roster events that include all after `day`."""
    later = [change for on, change, _ in since if on > day]
    return max(members - later.count(RosterChange.JOINED) + later.count(RosterChange.LEFT), 0)


def _turnover_from(year: int, month: int, members: int, since: list[RosterRow]) -> MonthlyTurnover:
    """One month's turnover from today's member count and the roster events from the month's
    first day on (headcount walks back from today through them)."""
    first = datetime.date(year, month, 1)
    last = datetime.date(year, month, calendar.monthrange(year, month)[1])
    average = (
        _headcount(members, since, first - datetime.timedelta(days=1))
        + _headcount(members, since, last)
    ) / 2
    in_month = [(change, reason) for on, change, reason in since if first <= on <= last]
    leavers = sum(change == RosterChange.LEFT for change, _ in in_month)
    return MonthlyTurnover(
        year,
        month,
        leavers=leavers,
        voluntary=in_month.count((RosterChange.LEFT, LeavingReason.VOLUNTARY)),
        involuntary=in_month.count((RosterChange.LEFT, LeavingReason.INVOLUNTARY)),
        joiners=sum(change == RosterChange.JOINED for change, _ in in_month),
        average_headcount=average,
        rate=round(100 * leavers / average, 1) if average else None,
    )


def monthly_turnover(teams: Team | Iterable[Team] | None, year: int, month: int) -> MonthlyTurnover:
    team_ids = _team_ids(teams)
    since = list(
        _events(team_ids)
        .filter(on__gte=datetime.date(year, month, 1))
        .values_list("on", "change", "reason")
    )
    return _turnover_from(year, month, _members(team_ids).count(), since)


def _roster_by_team(first: datetime.date) -> tuple[dict[int, int], dict[int, list[RosterRow]]]:
    """Today's members per team id and each team's roster events from `first` on: two queries."""
    members = dict(
        _members(None)
        .values("team_id")
        .annotate(people=Count("pk"))
        .values_list("team_id", "people")
    )
    since: dict[int, list[RosterRow]] = defaultdict(list)
    events = RosterEvent.objects.filter(on__gte=first).order_by()
    for team_id, on, change, reason in events.values_list("team_id", "on", "change", "reason"):
        since[team_id].append((on, change, reason))
    return members, since


def monthly_turnover_by_team(
    months: list[tuple[int, int]],
) -> dict[tuple[int, int, int], MonthlyTurnover]:
    """`monthly_turnover` of every team in each (year, month), keyed (team id, year, month),
    from three queries: the teams, today's members per team and the roster events since the
    first month."""
    if not months:
        return {}
    members, since = _roster_by_team(datetime.date(*months[0], 1))
    team_ids = list(Team.objects.order_by("pk").values_list("pk", flat=True))
    return {
        (team_id, year, month): _turnover_from(
            year, month, members.get(team_id, 0), since.get(team_id, [])
        )
        for year, month in months
        for team_id in team_ids
    }


def last_months(until: datetime.date, count: int = 12) -> list[tuple[int, int]]:
    """(year, month) for `count` months ending with the month of `until`, oldest first."""
    months = []
    year, month = until.year, until.month
    for _ in range(count):
        months.append((year, month))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(months))


def turnover_series(
    teams: Team | Iterable[Team] | None, until: datetime.date, months: int = 12
) -> list[MonthlyTurnover]:
    return [monthly_turnover(teams, year, month) for year, month in last_months(until, months)]


def annual_turnover(series: list[MonthlyTurnover]) -> float:
    """The sum of the monthly rates (SHRM's annual turnover over twelve months)."""
    return round(sum(month.rate or 0.0 for month in series), 1)


def annualised_turnover(series: list[MonthlyTurnover]) -> float | None:
    """The rate over the months given, scaled to a year: rate × 12 / months."""
    if not series:
        return None
    return round(annual_turnover(series) * 12 / len(series), 1)


def roster_events(team: Team | None = None) -> QuerySet[RosterEvent]:
    events = RosterEvent.objects.select_related("team")
    return events.filter(team=team) if team is not None else events


@dataclass(frozen=True)
class TurnoverColumn:
    """One team's (or all teams') last twelve months, for the roster page."""

    team: Team | None
    series: list[MonthlyTurnover]
    annual: float
    headcount: int


@dataclass(frozen=True)
class TurnoverRow:
    label: str
    entries: list[MonthlyTurnover]


def turnover_table(until: datetime.date) -> tuple[list[TurnoverColumn], list[TurnoverRow]]:
    """All teams and each team over the last twelve months: columns, and the months as rows.
    Three queries whatever the number of teams: the teams, today's members per team and the
    roster events since the first month (every later event is among them, for the headcount)."""
    months = last_months(until)
    members, since = _roster_by_team(datetime.date(*months[0], 1))
    # Every event has a team and the members counted exclude people without one, so the sums
    # are what `monthly_turnover(None, ...)` and `headcount_on(None, ...)` count.
    everyone = sum(members.values())
    every_event = [event for events in since.values() for event in events]
    columns = [_turnover_column(None, everyone, every_event, months, until)]
    columns += [
        _turnover_column(team, members.get(team.pk, 0), since.get(team.pk, []), months, until)
        for team in Team.objects.all()
    ]
    rows = [
        TurnoverRow(month.label, [column.series[index] for column in columns])
        for index, month in enumerate(columns[0].series)
    ]
    return columns, rows


def _turnover_column(
    team: Team | None,
    members: int,
    since: list[RosterRow],
    months: list[tuple[int, int]],
    until: datetime.date,
) -> TurnoverColumn:
    series = [_turnover_from(year, month, members, since) for year, month in months]
    return TurnoverColumn(team, series, annual_turnover(series), _headcount(members, since, until))
