from __future__ import annotations

from decimal import Decimal

from careloop.initiatives import money


def test_cost_is_the_money_plus_the_hours_at_an_agent_hour() -> None:
    # 2,000 + 40 h × 35 = 3,400
    assert money.initiative_cost(Decimal("2000"), Decimal("40"), Decimal("35")) == Decimal(
        "3400.00"
    )


def test_return_is_effect_times_value_minus_cost_with_the_interval_carried_through() -> None:
    # Effect 2 points (interval −1 to 5), each point worth 1,000, cost 1,500.
    result = money.estimated_return(2.0, -1.0, 5.0, Decimal("1000"), Decimal("1500"))
    assert result.value == Decimal("2000.00")
    assert result.net == Decimal("500.00")
    assert (result.net_low, result.net_high) == (Decimal("-2500.00"), Decimal("3500.00"))


def test_a_fall_in_turnover_is_the_gain() -> None:
    # 120 person-months: one point of monthly turnover is 1.2 leavers × 15,000 = 18,000.
    per_point = money.value_per_point_of_turnover(120, Decimal("15000"))
    assert per_point == Decimal("-18000.00")
    # Turnover fell 0.5 points (interval −1.0 to 0.0); the initiative cost 4,000.
    result = money.estimated_return(-0.5, -1.0, 0.0, per_point, Decimal("4000"))
    assert result.net == Decimal("5000.00")
    assert (result.net_low, result.net_high) == (Decimal("-4000.00"), Decimal("14000.00"))


def test_contacts_saved_are_agent_minutes_at_an_agent_hour() -> None:
    # 3,000 conversations: a point is 30 contacts × 12 min = 6 h × 35 = 210.
    assert money.value_per_point_of_contacts(3000, 12, Decimal("35"), False) == Decimal("210.00")
    assert money.value_per_point_of_contacts(3000, 12, Decimal("35"), True) == Decimal("-210.00")


def test_recovery_value_uses_measured_retention_of_both_groups() -> None:
    # Recovered: 40 of 50 came back (80 %); not recovered: 15 of 30 (50 %).
    # 0.30 × 50 recovered × 300 = 4,500.
    result = money.recovery_value(50, 40, 30, 15, Decimal("300"))
    assert result.uplift is not None and abs(result.uplift - 0.30) < 1e-9
    assert result.value == Decimal("4500.00")
    assert money.recovery_value(50, 40, 0, 0, Decimal("300")).value is None


def test_cost_of_inaction_adds_turnover_and_the_retention_unrecovered_detractors_lose() -> None:
    recovery = money.recovery_value(50, 40, 30, 15, Decimal("300"))
    # 3 leavers × 15,000 = 45,000; 30 unrecovered × 0.30 × 300 = 2,700.
    inaction = money.cost_of_inaction(3, Decimal("15000"), recovery, Decimal("300"))
    assert inaction.turnover == Decimal("45000.00")
    assert inaction.unrecovered_loss == Decimal("2700.00")
    assert inaction.total == Decimal("47700.00")
