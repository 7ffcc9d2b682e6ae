from __future__ import annotations

import datetime

import pytest

from careloop.core import calendar
from careloop.initiatives import selectors, services
from careloop.insights import retention
from careloop.insights import selectors as insights
from careloop.insights.models import CustomerActivity
from tests.initiatives.retention_history import LOST, expected_effect, retention_history

pytestmark = pytest.mark.django_db


def test_team_month_retention_is_the_dashboards_retention_of_that_month_and_team() -> None:
    teams, start = retention_history({"Real": 6}, comparison=1)
    team = teams["Real"]
    for month in (calendar.add_months(start, -2), start):
        last = calendar.next_month(month) - datetime.timedelta(days=1)
        expected = insights._retention(insights.Scope(month, last, team.pk))
        assert retention.team_months(month, month)[(team.pk, month)] == expected
        assert expected.at_start > expected.at_end - expected.new  # some were lost


def test_fewer_customers_lost_after_the_start_shows_as_a_retention_effect() -> None:
    teams, start = retention_history({"Real": 6, "Null": LOST})
    real = services.create_initiative(
        services.InitiativeDraft(
            name="Callback promise", teams=[teams["Real"]], start=start, outcomes=["retention"]
        ),
        created_by=None,
    )
    null = services.create_initiative(
        services.InitiativeDraft(
            name="New greeting", teams=[teams["Null"]], start=start, outcomes=["retention"]
        ),
        created_by=None,
    )
    assert selectors.unmeasurable(real) == {}
    (real_effect,) = selectors.effects_of(real)
    (null_effect,) = selectors.effects_of(null)
    built_in = expected_effect(6)  # about +5.4 points
    estimate = real_effect.result.effect
    assert estimate.low is not None and estimate.high is not None
    assert estimate.low <= built_in <= estimate.high
    assert estimate.low > 0
    assert "Customer retention improved" in real_effect.reading
    assert null_effect.result.effect.includes_zero
    assert estimate.post_months == 3 and estimate.comparison_teams == 6


def test_a_team_month_with_too_few_customers_is_left_out() -> None:
    teams, start = retention_history({"Real": 6}, comparison=3)
    CustomerActivity.objects.filter(team=teams["Real"], customer_id__gt=4).delete()
    initiative = services.create_initiative(
        services.InitiativeDraft(
            name="Callback promise", teams=[teams["Real"]], start=start, outcomes=["retention"]
        ),
        created_by=None,
    )
    (effect,) = selectors.effects_of(initiative)
    assert effect.result.effect.value is None
    assert all(treated is None for _, treated, _ in effect.result.series)
