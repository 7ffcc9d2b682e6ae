"""Team voice measures for the insights analytics: psychological safety, eNPS and turnover.

Only cells that passed the pulse anonymity rules are offered (`reportable_scores`), so the
analytics cannot bring back a withheld team.
"""

from __future__ import annotations

import datetime
from collections import defaultdict

from careloop.core import calendar
from careloop.insights.sources import CultureValue, register_culture_source
from careloop.pulse.selectors.roster import monthly_turnover_by_team
from careloop.pulse.selectors.trends import reportable_scores


def _survey_measure(first: datetime.date, last: datetime.date, field: str) -> list[CultureValue]:
    # Several rounds in one month are pooled, weighted by their responses.
    sums: dict[tuple[int, datetime.date], list[float]] = defaultdict(lambda: [0.0, 0.0])
    for cell in reportable_scores():
        value = getattr(cell, field)
        month = calendar.first_of_month(cell.period_start)
        if cell.team_id is None or value is None or not first <= month <= last:
            continue
        total = sums[(cell.team_id, month)]
        total[0] += value * cell.responses
        total[1] += cell.responses
    return [
        CultureValue(team_id, month, weighted / responses, int(responses))
        for (team_id, month), (weighted, responses) in sorted(sums.items())
        if responses
    ]


def psych_safety(first: datetime.date, last: datetime.date) -> list[CultureValue]:
    return _survey_measure(first, last, "psych_safety")


def enps(first: datetime.date, last: datetime.date) -> list[CultureValue]:
    return _survey_measure(first, last, "enps")


def turnover(first: datetime.date, last: datetime.date) -> list[CultureValue]:
    months = []
    month = calendar.first_of_month(first)
    while month <= last:
        months.append((month.year, month.month))
        month = calendar.next_month(month)
    return [
        CultureValue(
            team_id, datetime.date(year, number, 1), result.rate, round(result.average_headcount)
        )
        for (team_id, year, number), result in monthly_turnover_by_team(months).items()
        if result.rate is not None
    ]


def register() -> None:
    register_culture_source(
        "psych_safety",
        "Psychological safety",
        psych_safety,
        "Mean of the seven team psychological-safety items (1–7, negative items reversed), "
        "from pulse rounds that passed the anonymity rules.",
    )
    register_culture_source(
        "enps", "eNPS", enps, "% of 9–10 minus % of 0–6 to 'would you recommend working here'."
    )
    register_culture_source(
        "turnover",
        "Turnover (% a month)",
        turnover,
        "Leavers in the month ÷ average headcount, from the team roster.",
    )
