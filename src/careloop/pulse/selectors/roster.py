"""Turnover from the roster, for the roster page and the insights dashboards.

Monthly turnover = leavers in the month ÷ average headcount × 100, where the average is the mean
of the headcount at the start and at the end of the month. Headcount on a day is the team's
active members today, walked back through the joiners and leavers recorded since. The annual
rate sums the twelve monthly rates (SHRM); a year to date is annualised as rate × 12 / months.
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

from careloop.core.permissions import Role
from careloop.people.models import Team, User
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


def headcount_on(teams: Team | Iterable[Team] | None, day: datetime.date) -> int:
    """People on the team(s) at the end of `day`."""
    team_ids = _team_ids(teams)
    members = User.objects.filter(is_active=True).exclude(role=Role.CUSTOMER)
    members = (
        members.filter(team_id__in=team_ids) if team_ids is not None else members.exclude(team=None)
    )
    later = (
        _events(team_ids)
        .filter(on__gt=day)
        .aggregate(
            joined=Count("pk", filter=Q(change=RosterChange.JOINED)),
            left=Count("pk", filter=Q(change=RosterChange.LEFT)),
        )
    )
    return max(members.count() - later["joined"] + later["left"], 0)


def monthly_turnover(teams: Team | Iterable[Team] | None, year: int, month: int) -> MonthlyTurnover:
    first = datetime.date(year, month, 1)
    last = datetime.date(year, month, calendar.monthrange(year, month)[1])
    start = headcount_on(teams, first - datetime.timedelta(days=1))
    end = headcount_on(teams, last)
    average = (start + end) / 2
    in_month = (
        _events(_team_ids(teams))
        .filter(on__gte=first, on__lte=last)
        .aggregate(
            leavers=Count("pk", filter=Q(change=RosterChange.LEFT)),
            voluntary=Count(
                "pk", filter=Q(change=RosterChange.LEFT, reason=LeavingReason.VOLUNTARY)
            ),
            involuntary=Count(
                "pk", filter=Q(change=RosterChange.LEFT, reason=LeavingReason.INVOLUNTARY)
            ),
            joiners=Count("pk", filter=Q(change=RosterChange.JOINED)),
        )
    )
    rate = round(100 * in_month["leavers"] / average, 1) if average else None
    return MonthlyTurnover(year, month, average_headcount=average, rate=rate, **in_month)


def monthly_turnover_by_team(
    months: list[tuple[int, int]],
) -> dict[tuple[int, int, int], MonthlyTurnover]:
    """`monthly_turnover` of every team in each (year, month), keyed (team id, year, month),
    from two queries: today's members per team and the roster events since the first month.
    Equal to calling `monthly_turnover(team, year, month)` for each (see the tests)."""
    if not months:
        return {}
    first = datetime.date(*months[0], 1)
    members = dict(
        User.objects.filter(is_active=True, team__isnull=False)
        .exclude(role=Role.CUSTOMER)
        .values("team_id")
        .annotate(people=Count("pk"))
        .values_list("team_id", "people")
    )
    events = list(
        RosterEvent.objects.filter(on__gte=first - datetime.timedelta(days=1)).values_list(
            "team_id", "on", "change", "reason"
        )
    )
    team_ids = sorted(set(Team.objects.values_list("pk", flat=True)))

    def headcount(team_id: int, day: datetime.date) -> int:
        later = [change for team, on, change, _ in events if team == team_id and on > day]
        joined = later.count(RosterChange.JOINED)
        left = later.count(RosterChange.LEFT)
        return max(members.get(team_id, 0) - joined + left, 0)

    result = {}
    for year, month in months:
        start = datetime.date(year, month, 1)
        end = datetime.date(year, month, calendar.monthrange(year, month)[1])
        for team_id in team_ids:
            average = (
                headcount(team_id, start - datetime.timedelta(days=1)) + headcount(team_id, end)
            ) / 2
            in_month = [
                (change, reason)
                for team, on, change, reason in events
                if team == team_id and start <= on <= end
            ]
            leavers = sum(change == RosterChange.LEFT for change, _ in in_month)
            result[(team_id, year, month)] = MonthlyTurnover(
                year,
                month,
                leavers=leavers,
                voluntary=in_month.count((RosterChange.LEFT, LeavingReason.VOLUNTARY)),
                involuntary=in_month.count((RosterChange.LEFT, LeavingReason.INVOLUNTARY)),
                joiners=sum(change == RosterChange.JOINED for change, _ in in_month),
                average_headcount=average,
                rate=round(100 * leavers / average, 1) if average else None,
            )
    return result


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
    """All teams and each team over the last twelve months: columns, and the months as rows."""
    columns = []
    for team in [None, *Team.objects.all()]:
        series = turnover_series(team, until)
        columns.append(
            TurnoverColumn(team, series, annual_turnover(series), headcount_on(team, until))
        )
    rows = [
        TurnoverRow(month.label, [column.series[index] for column in columns])
        for index, month in enumerate(columns[0].series)
    ]
    return columns, rows
