"""Culture at month t against customer outcomes at month t+1, per team: honest statistics."""

from __future__ import annotations

import datetime
import math
from collections.abc import Collection
from dataclasses import dataclass

from careloop.core import calendar
from careloop.insights import selectors
from careloop.insights.sources import MIN_GROUP, culture_sources

# Customer side of the join: a team-month needs this many answers to count.
MIN_ANSWERS = MIN_GROUP
OUTCOMES = {
    "csat": ("CSAT (% 4–5)", "csat", "csat_total"),
    "nps": ("NPS", "nps", "nps_total"),
    "ces": ("CES (mean 1–7)", "ces", "ces_total"),
}


@dataclass(frozen=True)
class Point:
    team_id: int
    month: datetime.date
    culture: float
    outcome: float
    respondents: int
    answers: int


@dataclass(frozen=True)
class Correlation:
    n: int
    r: float | None
    low: float | None
    high: float | None


def pearson_with_interval(xs: list[float], ys: list[float], z_crit: float = 1.96) -> Correlation:
    """Pearson r with a 95% confidence interval from Fisher's z (needs n ≥ 4)."""
    n = len(xs)
    if n < 4:
        return Correlation(n, None, None, None)
    mean_x, mean_y = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mean_x) ** 2 for x in xs)
    syy = sum((y - mean_y) ** 2 for y in ys)
    sxy = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True))
    if sxx == 0 or syy == 0:
        return Correlation(n, None, None, None)
    r = max(-1.0, min(1.0, sxy / math.sqrt(sxx * syy)))
    z = math.atanh(max(-0.999999, min(0.999999, r)))
    half = z_crit / math.sqrt(n - 3)
    return Correlation(n, r, math.tanh(z - half), math.tanh(z + half))


def lagged_points(
    culture_key: str,
    outcome_key: str,
    first_month: datetime.date,
    last_month: datetime.date,
    team_ids: Collection[int] | None = None,
) -> list[Point]:
    """Team-months whose culture (≥ MIN_GROUP people) and next-month outcome (≥ MIN_ANSWERS
    answers) both pass the privacy minimum; only of `team_ids` when given (the viewer's)."""
    source = culture_sources()[culture_key]
    _, metric, count_field = OUTCOMES[outcome_key]
    outcomes = selectors.team_months(
        calendar.next_month(first_month), calendar.next_month(last_month)
    )
    points = []
    for value in source.read(first_month, last_month):
        if value.respondents < MIN_GROUP or (
            team_ids is not None and value.team_id not in team_ids
        ):
            continue
        sums = outcomes.get((value.team_id, calendar.next_month(value.month)))
        if sums is None or (sums[count_field] or 0) < MIN_ANSWERS:
            continue
        figures = selectors.metrics_from({k: v or 0 for k, v in sums.items()})
        outcome = figures[metric]
        if outcome is None:
            continue
        points.append(
            Point(
                value.team_id,
                value.month,
                value.value,
                outcome,
                value.respondents,
                sums[count_field],
            )
        )
    return sorted(points, key=lambda point: (point.month, point.team_id))


def reading(correlation: Correlation, culture_label: str, outcome_label: str) -> str:
    """A plain-language reading that never claims cause."""
    caution = (
        " Correlation is not causation: busy seasons, team size or the kind of customers a "
        "team serves can move both."
    )
    if correlation.r is None or correlation.low is None or correlation.high is None:
        return (
            f"Not enough team-months ({correlation.n}) above the privacy minimum to say how "
            f"{culture_label} and next month's {outcome_label} move together." + caution
        )
    strength = abs(correlation.r)
    word = "weak" if strength < 0.3 else "moderate" if strength < 0.6 else "strong"
    direction = "higher" if correlation.r > 0 else "lower"
    if correlation.low > 0 or correlation.high < 0:
        verdict = (
            f"In your data, team-months with higher {culture_label} tend to be followed by "
            f"{direction} {outcome_label} the next month ({word}, r = {correlation.r:.2f}, "
            f"95% interval {correlation.low:.2f} to {correlation.high:.2f}, N = {correlation.n})."
        )
    else:
        verdict = (
            f"Your data does not show a clear link between {culture_label} and next month's "
            f"{outcome_label}: r = {correlation.r:.2f}, and the 95% interval "
            f"({correlation.low:.2f} to {correlation.high:.2f}, N = {correlation.n}) includes zero."
        )
    return verdict + caution
