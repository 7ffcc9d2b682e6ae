"""Pulse results over time: a group's trend across rounds, and reportable cells for insights.

Both read only what `survey_reports` let through, so nothing withheld there reappears here.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass

from careloop.pulse.models import Survey, SurveyStatus
from careloop.pulse.selectors.results import ORGANISATION, GroupResult, RoundReport, survey_reports


@dataclass(frozen=True)
class TrendPoint:
    report: RoundReport
    result: GroupResult | None
    change_ps: float | None
    change_engagement: float | None
    change_enps: int | None


def trend(reports: list[RoundReport], key: str) -> list[TrendPoint]:
    """A group over its rounds; changes only between rounds where the group was reported."""
    points: list[TrendPoint] = []
    previous: GroupResult | None = None
    for report in reports:
        result = report.results.get(key)
        changes: tuple[float | None, float | None, int | None] = (None, None, None)
        if result is not None and previous is not None:
            changes = (
                _difference(result.psych_safety, previous.psych_safety),
                _difference(result.engagement, previous.engagement),
                result.enps.score - previous.enps.score if result.enps and previous.enps else None,
            )
        points.append(TrendPoint(report, result, *changes))
        if result is not None:
            previous = result
    return points


def _difference(now: float | None, before: float | None) -> float | None:
    return round(now - before, 2) if now is not None and before is not None else None


@dataclass(frozen=True)
class TeamPeriodScore:
    """One reportable cell for analytics: a team (None: the organisation) in one round."""

    survey_id: int
    round_number: int
    period_start: datetime.date
    team_id: int | None
    responses: int
    psych_safety: float | None
    engagement: float | None
    enps: int | None


def reportable_scores(surveys: Iterable[Survey] | None = None) -> list[TeamPeriodScore]:
    """Team × period culture scores that passed the anonymity rules, for the insights pages.

    Cells that were withheld here are never returned, so a join with customer outcomes cannot
    bring them back.
    """
    chosen = surveys if surveys is not None else Survey.objects.exclude(status=SurveyStatus.DRAFT)
    cells: list[TeamPeriodScore] = []
    for survey in chosen:
        for report in survey_reports(survey):
            for key, result in report.results.items():
                cells.append(
                    TeamPeriodScore(
                        survey_id=survey.pk,
                        round_number=report.round.number,
                        period_start=report.round.opens_on,
                        team_id=None if key == ORGANISATION else int(key.removeprefix("team-")),
                        responses=result.responses,
                        psych_safety=result.psych_safety,
                        engagement=result.engagement,
                        enps=result.enps.score if result.enps else None,
                    )
                )
    return cells
