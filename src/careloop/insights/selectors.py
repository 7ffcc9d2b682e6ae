"""Reads for the dashboards. Everything here reads the roll-ups, never the raw tables."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.cache import cache
from django.db.models import Case, Max, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Greatest, TruncMonth, TruncWeek
from django.urls import reverse

from careloop.core import calendar
from careloop.core.home import Figure, change
from careloop.core.permissions import Action, Principal, restrict_teams
from careloop.insights.models import COUNTERS, CustomerActivity, DailyRollup, RetentionRollup
from careloop.people.models import Team

# A customer is active on a day when they started a conversation within this many days up to
# and including that day.
ACTIVE_CUSTOMER_DAYS = 180
RETENTION_CACHE_SECONDS = 6 * 3600
# The periods the dashboard offers; the refresh task rolls up their retention (RetentionRollup).
PRESET_PERIODS = (7, 30, 90, 365)
SUMS = (*COUNTERS, "goodwill_amount")


@dataclass(frozen=True)
class Scope:
    first: datetime.date
    last: datetime.date
    team_id: int | None = None
    channel: str = ""

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("The period ends before it starts.")

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def previous(self) -> Scope:
        """The period of the same length just before this one, for the same team and channel."""
        length = datetime.timedelta(days=self.days)
        return Scope(self.first - length, self.last - length, self.team_id, self.channel)


def _rollups(scope: Scope) -> QuerySet[DailyRollup]:
    rows = DailyRollup.objects.filter(day__gte=scope.first, day__lte=scope.last)
    if scope.team_id is not None:
        rows = rows.filter(team_id=scope.team_id)
    if scope.channel:
        rows = rows.filter(channel=scope.channel)
    return rows


def totals(scope: Scope) -> dict[str, Any]:
    sums = _rollups(scope).aggregate(**{name: Sum(name) for name in SUMS})
    return {name: (value if value is not None else 0) for name, value in sums.items()}


def _ratio(part: float, whole: float, scale: float = 100.0, digits: int = 1) -> float | None:
    return round(scale * part / whole, digits) if whole else None


def metrics_from(sums: dict[str, Any]) -> dict[str, float | None]:
    """The dashboard's figures from summed counters (see the definitions page)."""
    hour = 3600.0
    return {
        "csat": _ratio(sums["csat_positive"], sums["csat_total"]),
        "csat_response_rate": _ratio(sums["csat_total"], sums["post_surveys_sent"]),
        "ces": _ratio(sums["ces_sum"], sums["ces_total"], scale=1.0, digits=2),
        "ces_easy": _ratio(sums["ces_easy"], sums["ces_total"]),
        "ces_response_rate": _ratio(sums["ces_total"], sums["post_surveys_sent"]),
        "nps": _ratio(sums["nps_promoters"] - sums["nps_detractors"], sums["nps_total"]),
        "nps_response_rate": _ratio(sums["nps_total"], sums["nps_surveys_sent"]),
        "response_rate": _ratio(sums["surveys_answered"], sums["surveys_sent"]),
        "first_response_hours": _ratio(
            sums["first_response_seconds"], sums["first_response_count"] * hour, 1.0, 2
        ),
        "first_response_business_hours": _ratio(
            sums["first_response_business_seconds"], sums["first_response_count"] * hour, 1.0, 2
        ),
        "resolution_hours": _ratio(
            sums["resolution_seconds"], sums["resolution_count"] * hour, 1.0, 2
        ),
        "resolution_business_hours": _ratio(
            sums["resolution_business_seconds"], sums["resolution_count"] * hour, 1.0, 2
        ),
        "sla_attainment": _ratio(sums["sla_met"], sums["sla_met"] + sums["sla_breached"]),
        "reopen_rate": _ratio(sums["reopened"], sums["conversations_solved"]),
        "one_touch_rate": _ratio(sums["one_touch"], sums["conversations_solved"]),
        "recovery_rate": _ratio(sums["recovered"], sums["detractors"]),
        "goodwill_csat": _ratio(sums["goodwill_csat_positive"], sums["goodwill_csat_total"]),
        "goodwill_nps": _ratio(
            sums["goodwill_nps_promoters"] - sums["goodwill_nps_detractors"],
            sums["goodwill_nps_total"],
        ),
    }


@dataclass(frozen=True)
class Retention:
    at_start: int
    at_end: int
    new: int

    @property
    def rate(self) -> float | None:
        return _ratio(self.at_end - self.new, self.at_start)


GENERATION_KEY = "insights:rollups-generation"


def rollups_version() -> str:
    """Changes whenever a recompute writes rows: the generation each recompute bumps (in the
    shared cache) and the newest row ids (recomputes insert, ids only grow), for processes
    whose cache is their own."""
    return "{}-{}-{}".format(
        cache.get(GENERATION_KEY, 0),
        DailyRollup.objects.aggregate(last=Max("id"))["last"],
        CustomerActivity.objects.aggregate(last=Max("id"))["last"],
    )


def bump_generation() -> None:
    cache.add(GENERATION_KEY, 0, None)
    cache.incr(GENERATION_KEY)


def retention(scope: Scope) -> Retention:
    """(end − new) / start. Preset periods read the retention roll-up; other periods, and
    preset ones before the roll-up has their day, count distinct customers (the one costly
    read), kept in the cache until the roll-ups change."""
    ready = ready_retention(scope)
    if ready is not None:
        return ready
    result = _retention(scope)
    cache.set(_retention_cache_key(scope), result, RETENTION_CACHE_SECONDS)
    return result


def ready_retention(scope: Scope) -> Retention | None:
    """Retention without counting: from the roll-up or the cache; None when it must be counted."""
    rolled_up = _rolled_up_retention(scope)
    if rolled_up is not None:
        return rolled_up
    cached = cache.get(_retention_cache_key(scope))
    return cached if isinstance(cached, Retention) else None


def _retention_cache_key(scope: Scope) -> str:
    return "insights:retention:{}:{}:{}:{}:{}:{}".format(
        rollups_version(),
        scope.first,
        scope.last,
        scope.team_id,
        scope.channel or "-",
        ACTIVE_CUSTOMER_DAYS,
    )


def _rolled_up_retention(scope: Scope) -> Retention | None:
    """The scope's row of the retention roll-up; zeros when the day was rolled up (its
    all-scope row exists) without a row for the scope; None when it was not."""
    if scope.days not in PRESET_PERIODS:
        return None
    rows = RetentionRollup.objects.filter(last_day=scope.last, days=scope.days).filter(
        Q(team_id=scope.team_id, channel=scope.channel) | Q(team_id=None, channel="")
    )
    found: dict[tuple[int | None, str], Retention] = {
        (team_id, channel): Retention(at_start=at_start, at_end=at_end, new=new)
        for team_id, channel, at_start, at_end, new in rows.values_list(
            "team_id", "channel", "at_start", "at_end", "new"
        )
    }
    if (scope.team_id, scope.channel) in found:
        return found[(scope.team_id, scope.channel)]
    if (None, "") in found:
        return Retention(at_start=0, at_end=0, new=0)
    return None


def active_between(after: datetime.date, until: datetime.date) -> Max:
    """Per customer: 1 when they have activity in (after, until], else 0."""
    return Max(Case(When(day__gt=after, day__lte=until, then=Value(1)), default=Value(0)))


def _retention(scope: Scope) -> Retention:
    """One pass over the activity of both windows, grouped by customer."""
    window = datetime.timedelta(days=ACTIVE_CUSTOMER_DAYS)
    start_day = scope.first - datetime.timedelta(days=1)
    rows = CustomerActivity.objects.filter(day__gt=start_day - window, day__lte=scope.last)
    if scope.team_id is not None:
        rows = rows.filter(team_id=scope.team_id)
    if scope.channel:
        rows = rows.filter(channel=scope.channel)
    at_start = active_between(start_day - window, start_day)
    at_end = active_between(scope.last - window, scope.last)
    flags = rows.values("customer_id").annotate(
        at_start=at_start, at_end=at_end, new=Greatest(at_end - at_start, Value(0))
    )
    counts = flags.aggregate(
        start_total=Sum("at_start"), end_total=Sum("at_end"), new_total=Sum("new")
    )
    return Retention(
        at_start=counts["start_total"] or 0,
        at_end=counts["end_total"] or 0,
        new=counts["new_total"] or 0,
    )


def series(scope: Scope) -> list[tuple[datetime.date, dict[str, float | None]]]:
    """Metrics per week (per month over periods longer than 120 days), oldest first."""
    bucket = TruncMonth("day") if scope.days > 120 else TruncWeek("day")
    rows = (
        _rollups(scope)
        .annotate(bucket=bucket)
        .values("bucket")
        .annotate(**{name: Sum(name) for name in SUMS})
        .order_by("bucket")
    )
    points = []
    for row in rows:
        values: dict[str, Any] = dict(row)
        start = values.pop("bucket")
        sums = {name: (value if value is not None else 0) for name, value in values.items()}
        figures: dict[str, float | None] = dict(metrics_from(sums))
        figures["conversations_created"] = float(sums["conversations_created"])
        figures["goodwill_amount"] = float(sums["goodwill_amount"])
        points.append((start, figures))
    return points


@dataclass(frozen=True)
class Dashboard:
    scope: Scope
    sums: dict[str, Any]
    metrics: dict[str, float | None]
    # None only when asked not to wait for a retention that must be counted (see `dashboard`).
    retention: Retention | None
    series: list[tuple[datetime.date, dict[str, float | None]]]
    # The same figures over the period of equal length before, for the change against it.
    previous_metrics: dict[str, float | None] = field(default_factory=dict)

    def change(self, key: str) -> float | None:
        """The figure's change against the previous period, when both periods have it."""
        return change(self.metrics.get(key), self.previous_metrics.get(key))

    @property
    def goodwill_amount(self) -> Decimal:
        return Decimal(self.sums["goodwill_amount"])


def figures_of(board: Dashboard) -> dict[str, Any]:
    """Every figure the dashboard shows, by its key in `definitions.METRICS` (None: no data)."""
    values: dict[str, Any] = {**board.metrics}
    values["retention"] = board.retention.rate if board.retention is not None else None
    values["goodwill_amount"] = board.goodwill_amount
    values["goodwill_count"] = board.sums["goodwill_count"]
    values["conversations_created"] = board.sums["conversations_created"]
    return values


def dashboard(scope: Scope, wait_for_retention: bool = True) -> Dashboard:
    """Everything the dashboard shows; with `wait_for_retention` False, a retention that is
    neither rolled up nor cached (a custom period) is left None for the page to fetch after."""
    sums = totals(scope)
    return Dashboard(
        scope=scope,
        sums=sums,
        metrics=metrics_from(sums),
        retention=retention(scope) if wait_for_retention else ready_retention(scope),
        series=series(scope),
        previous_metrics=metrics_from(totals(scope.previous())),
    )


# Figures where a fall is the good direction.
LOWER_IS_BETTER = frozenset(
    {
        "first_response_hours",
        "first_response_business_hours",
        "resolution_hours",
        "resolution_business_hours",
        "reopen_rate",
    }
)
HEADLINE_METRICS = (
    ("csat", "CSAT", "%"),
    ("nps", "NPS", ""),
    ("first_response_business_hours", "First response time", "business hours"),
    ("resolution_business_hours", "Resolution time", "business hours"),
    ("sla_attainment", "SLA met", "%"),
)


def headline_figures(user: Principal) -> list[Figure]:
    """The home page's headline customer outcomes over the last 30 days, each with its change
    against the 30 days before (organisation-wide, from the roll-ups insights reads)."""
    today = calendar.today()
    scope = Scope(today - datetime.timedelta(days=29), today)
    current = metrics_from(totals(scope))
    previous = metrics_from(totals(scope.previous()))
    url = reverse("insights:dashboard")
    return [
        Figure(
            key,
            label,
            current[key],
            unit=unit,
            change=change(current[key], previous[key]),
            url=url,
            lower_is_better=key in LOWER_IS_BETTER,
        )
        for key, label, unit in HEADLINE_METRICS
    ]


def culture_teams(user: Principal, team_id: int | None = None) -> QuerySet[Team]:
    """The teams whose culture figures (psychological safety, eNPS, turnover, empathy) the
    viewer may see, by name: a lead their own team only (VIEW_CULTURE)."""
    teams = restrict_teams(Team.objects.order_by("name"), user, Action.VIEW_CULTURE)
    return teams.filter(pk=team_id) if team_id is not None else teams


def channels_seen() -> list[str]:
    return list(
        DailyRollup.objects.exclude(channel="")
        .values_list("channel", flat=True)
        .distinct()
        .order_by("channel")
    )


def team_months(
    first_month: datetime.date, last_month: datetime.date
) -> dict[tuple[int, datetime.date], dict[str, Any]]:
    """Summed counters per team and month, for the culture analytics."""
    rows = (
        DailyRollup.objects.filter(
            ~Q(team=None), day__gte=first_month, day__lt=calendar.next_month(last_month)
        )
        .annotate(month=TruncMonth("day"))
        .values("team_id", "month")
        .annotate(**{name: Sum(name) for name in SUMS})
    )
    months: dict[tuple[int, datetime.date], dict[str, Any]] = {}
    for row in rows:
        values: dict[str, Any] = dict(row)
        months[(values.pop("team_id"), values.pop("month"))] = values
    return months
