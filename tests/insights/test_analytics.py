from __future__ import annotations

import datetime
import math
from decimal import Decimal

import pytest

from careloop.insights import analytics
from careloop.insights.models import DailyRollup
from careloop.insights.sources import (
    CultureValue,
    register_culture_source,
    unregister_culture_source,
)
from tests.people.factories import TeamFactory

pytestmark = pytest.mark.django_db


def test_pearson_interval_matches_fisher_z_by_hand() -> None:
    xs = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]
    ys = [2.0, 1.0, 4.0, 3.0, 6.0, 5.0]
    result = analytics.pearson_with_interval(xs, ys)
    mx, my = sum(xs) / 6, sum(ys) / 6
    r = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / math.sqrt(
        sum((x - mx) ** 2 for x in xs) * sum((y - my) ** 2 for y in ys)
    )
    half = 1.96 / math.sqrt(6 - 3)
    assert result.n == 6
    assert result.r == pytest.approx(r)
    assert result.low == pytest.approx(math.tanh(math.atanh(r) - half))
    assert result.high == pytest.approx(math.tanh(math.atanh(r) + half))


def test_fewer_than_four_points_give_no_correlation() -> None:
    assert analytics.pearson_with_interval([1.0, 2.0, 3.0], [1.0, 2.0, 3.0]).r is None


def test_the_reading_says_correlation_is_not_causation() -> None:
    strong = analytics.pearson_with_interval([1, 2, 3, 4, 5, 6, 7, 8], [1, 2, 3, 4, 5, 6, 7, 9])
    text = analytics.reading(strong, "empathy", "CSAT")
    assert "tend to be followed by higher CSAT" in text
    assert "not causation" in text
    assert "not causation" in analytics.reading(
        analytics.Correlation(2, None, None, None), "a", "b"
    )


def test_team_months_below_the_privacy_minimum_are_dropped_on_both_sides() -> None:
    teams = [TeamFactory() for _ in range(6)]
    month = datetime.date(2026, 3, 1)
    values = []
    for index, team in enumerate(teams):
        # Outcome next month: CSAT rising with the culture value.
        DailyRollup.objects.create(
            day=datetime.date(2026, 4, 10),
            team=team,
            channel="email",
            csat_positive=2 + index,
            csat_total=8 if index != 4 else 3,  # team 4: too few answers
            goodwill_amount=Decimal("0"),
        )
        values.append(CultureValue(team.pk, month, 0.1 * index, 7 if index != 5 else 4))

    register_culture_source("test-culture", "Test culture", lambda first, last: values)
    try:
        points = analytics.lagged_points("test-culture", "csat", month, month)
    finally:
        unregister_culture_source("test-culture")
    assert [point.team_id for point in points] == [teams[i].pk for i in (0, 1, 2, 3)]
    assert points[0].outcome == 25.0
