"""The outcomes an initiative may be meant to move, each read as a team × month panel from
the insights roll-ups and culture sources, cells below the minimums already left out."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from careloop.insights import retention
from careloop.insights import selectors as insights
from careloop.insights.analytics import MIN_ANSWERS
from careloop.insights.sources import MIN_GROUP, culture_sources

PanelValues = dict[tuple[int, datetime.date], float]
Reader = Callable[[datetime.date, datetime.date], PanelValues]


@dataclass(frozen=True)
class Outcome:
    key: str
    label: str
    unit: str
    side: str  # "customer" or "culture"
    higher_is_better: bool
    read: Reader


def _customer(metric: str, count_field: str) -> Reader:
    def read(first: datetime.date, last: datetime.date) -> PanelValues:
        panel: PanelValues = {}
        for (team_id, month), sums in insights.team_months(first, last).items():
            counts = {name: value or 0 for name, value in sums.items()}
            if counts[count_field] < MIN_ANSWERS:
                continue
            value = insights.metrics_from(counts)[metric]
            if value is not None:
                panel[(team_id, month)] = float(value)
        return panel

    return read


def _retention(first: datetime.date, last: datetime.date) -> PanelValues:
    """Team × month retention, left out where fewer than MIN_GROUP customers were active with
    the team the day before the month (a rate of a handful of customers says nothing)."""
    panel: PanelValues = {}
    for cell, counts in retention.team_months(first, last).items():
        if counts.at_start >= MIN_GROUP and counts.rate is not None:
            panel[cell] = float(counts.rate)
    return panel


def _culture(key: str) -> Reader:
    def read(first: datetime.date, last: datetime.date) -> PanelValues:
        source = culture_sources().get(key)
        if source is None:
            return {}
        return {
            (value.team_id, value.month): value.value
            for value in source.read(first, last)
            if value.respondents >= MIN_GROUP
        }

    return read


OUTCOMES: dict[str, Outcome] = {
    outcome.key: outcome
    for outcome in (
        Outcome("csat", "CSAT", "% 4–5", "customer", True, _customer("csat", "csat_total")),
        Outcome("nps", "NPS", "points", "customer", True, _customer("nps", "nps_total")),
        Outcome("ces", "CES", "mean 1–7", "customer", True, _customer("ces", "ces_total")),
        Outcome(
            "first_contact_resolution",
            "First-contact resolution",
            "%",
            "customer",
            True,
            _customer("one_touch_rate", "conversations_solved"),
        ),
        Outcome(
            "recontact_rate",
            "Recontact rate",
            "%",
            "customer",
            False,
            _customer("reopen_rate", "conversations_solved"),
        ),
        Outcome("retention", "Customer retention", "%", "customer", True, _retention),
        Outcome(
            "recovery_rate",
            "Recovery of detractors",
            "%",
            "customer",
            True,
            _customer("recovery_rate", "detractors"),
        ),
        Outcome(
            "psych_safety",
            "Psychological safety",
            "mean 1–7",
            "culture",
            True,
            _culture("psych_safety"),
        ),
        Outcome("enps", "eNPS", "points", "culture", True, _culture("enps")),
        Outcome("empathy", "Empathy", "0–1", "culture", True, _culture("empathy")),
        Outcome("turnover", "Turnover", "% a month", "culture", False, _culture("turnover")),
    )
}
# Asked for, but no team × month figure exists for them yet: the page says so (none today;
# kept so an outcome without a monthly series can be listed honestly).
NOT_MONTHLY: dict[str, str] = {}


def outcome_choices() -> list[tuple[str, str]]:
    return [(outcome.key, f"{outcome.label} ({outcome.side})") for outcome in OUTCOMES.values()]
