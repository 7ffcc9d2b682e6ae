from __future__ import annotations

from decimal import Decimal

import pytest

from careloop.core import calendar
from careloop.initiatives import selectors, services
from tests.initiatives.rollups import csat_history
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_real_effect_is_recovered_and_the_null_one_covers_zero() -> None:
    teams, start = csat_history({"Real": 12.0, "Null": 0.0})
    leader = UserFactory()
    real = services.create_initiative(
        services.InitiativeDraft(
            name="Empathy training",
            teams=[teams["Real"]],
            start=start,
            outcomes=["csat"],
            cost_amount=Decimal("1000"),
        ),
        created_by=leader,
    )
    null = services.create_initiative(
        services.InitiativeDraft(
            name="New session rhythm", teams=[teams["Null"]], start=start, outcomes=["csat"]
        ),
        created_by=leader,
    )
    (real_effect,) = selectors.effects_of(real)
    (null_effect,) = selectors.effects_of(null)
    estimate = real_effect.result.effect
    assert estimate.low is not None and estimate.high is not None
    assert estimate.low <= 12.0 <= estimate.high
    assert not estimate.includes_zero
    assert "improved" in real_effect.reading
    assert null_effect.result.effect.includes_zero
    assert "No measurable effect" in null_effect.reading
    # Comparison: the 5 comparison teams and the other initiative's team.
    assert estimate.comparison_teams == 6 and estimate.post_months == 3


def test_an_initiative_started_this_month_is_too_early_to_tell() -> None:
    teams, _ = csat_history({"Early": 5.0})
    initiative = services.create_initiative(
        services.InitiativeDraft(
            name="Raised goodwill allowance",
            teams=[teams["Early"]],
            start=calendar.first_of_month(calendar.today()),
            outcomes=["csat", "retention"],
        ),
        created_by=None,
    )
    effect, _ = selectors.effects_of(initiative)
    assert effect.result.effect.value is None
    assert "months since the start" in effect.reading
    assert selectors.unmeasurable(initiative) == {}
    assert [effect.outcome.key for effect in selectors.effects_of(initiative)] == [
        "csat",
        "retention",
    ]


def test_small_team_months_are_never_part_of_an_effect() -> None:
    teams, start = csat_history({"Real": 12.0})
    from careloop.insights.models import DailyRollup

    DailyRollup.objects.filter(team=teams["Real"]).update(csat_total=4, csat_positive=4)
    initiative = services.create_initiative(
        services.InitiativeDraft(
            name="Training", teams=[teams["Real"]], start=start, outcomes=["csat"]
        ),
        created_by=None,
    )
    (effect,) = selectors.effects_of(initiative)
    assert effect.result.effect.value is None
    assert all(treated is None for _, treated, _ in effect.result.series)


def test_first_contact_resolution_gets_a_money_return_with_its_interval() -> None:
    teams, start = csat_history({"Real": 0.0})
    initiative = services.create_initiative(
        services.InitiativeDraft(
            name="Process fix",
            teams=[teams["Real"]],
            start=start,
            outcomes=["first_contact_resolution"],
            cost_hours=Decimal("10"),
        ),
        created_by=None,
    )
    (effect,) = selectors.effects_of(initiative)
    # No one-touch solves were rolled up: the rate is 0 everywhere, the effect exactly 0.
    assert effect.result.effect.value == pytest.approx(0.0)
    assert effect.returns is not None
    # Cost 10 h × 35 = 350; 3 months × 400 solved = 1,200 conversations.
    assert effect.returns.cost == Decimal("350.00")
    assert effect.returns.net == Decimal("-350.00")
    assert "1200 solved conversations" in effect.money_note
