"""Turning measured effects and counts into money: plain Decimal arithmetic, no queries.

Every figure here is `effect × value − cost` or `count × value`; the inputs come from the
selectors and the organisation's money settings, so a hand calculation can check each one.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def money(value: Decimal | float | int) -> Decimal:
    return Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)


def initiative_cost(amount: Decimal, hours: Decimal, agent_hour_cost: Decimal) -> Decimal:
    """What was spent: the money plus the hours at the cost of an agent hour."""
    return money(amount + hours * agent_hour_cost)


@dataclass(frozen=True)
class Return:
    value: Decimal  # what the effect is worth
    cost: Decimal
    net: Decimal  # value − cost
    net_low: Decimal
    net_high: Decimal


def estimated_return(
    effect: float, low: float, high: float, value_per_unit: Decimal, cost: Decimal
) -> Return:
    """return = effect × value per unit of effect − cost, with the effect's interval carried
    through (value per unit may be negative: a fall in turnover is the gain)."""
    ends = sorted(money(Decimal(str(end)) * value_per_unit) - cost for end in (low, high))
    value = money(Decimal(str(effect)) * value_per_unit)
    return Return(value, cost, value - cost, ends[0], ends[1])


def value_per_point_of_turnover(person_months: float, replacement_cost: Decimal) -> Decimal:
    """Turnover is % of headcount leaving a month: one point over `person_months` is
    person_months ÷ 100 leavers, each costing a replacement. Lower is better, hence minus."""
    return -money(Decimal(str(person_months)) / HUNDRED * replacement_cost)


def value_per_point_of_contacts(
    conversations: int, minutes_per_contact: int, agent_hour_cost: Decimal, fewer_is_better: bool
) -> Decimal:
    """A point of first-contact resolution (or recontact rate) over `conversations` is
    conversations ÷ 100 contacts fewer (more), each taking `minutes_per_contact` of an agent."""
    per_point = (
        Decimal(conversations) / HUNDRED * Decimal(minutes_per_contact) / 60 * agent_hour_cost
    )
    return -money(per_point) if fewer_is_better else money(per_point)


def turnover_cost(leavers: int, replacement_cost: Decimal) -> Decimal:
    return money(leavers * replacement_cost)


@dataclass(frozen=True)
class RecoveryValue:
    recovered: int
    recovered_retained: int
    unrecovered: int
    unrecovered_retained: int
    uplift: float | None  # retention of recovered − retention of unrecovered, 0..1
    value: Decimal | None  # uplift × recovered × customer value

    @property
    def recovered_rate(self) -> float | None:
        return self.recovered_retained / self.recovered if self.recovered else None

    @property
    def unrecovered_rate(self) -> float | None:
        return self.unrecovered_retained / self.unrecovered if self.unrecovered else None


def recovery_value(
    recovered: int,
    recovered_retained: int,
    unrecovered: int,
    unrecovered_retained: int,
    customer_value: Decimal,
) -> RecoveryValue:
    """The customers kept by recovering detractors: the measured retention of recovered
    detractors above that of unrecovered ones, times the recovered, times a customer's value."""
    if not recovered or not unrecovered:
        return RecoveryValue(
            recovered, recovered_retained, unrecovered, unrecovered_retained, None, None
        )
    uplift = recovered_retained / recovered - unrecovered_retained / unrecovered
    value = money(Decimal(str(uplift)) * recovered * customer_value)
    return RecoveryValue(
        recovered, recovered_retained, unrecovered, unrecovered_retained, uplift, value
    )


@dataclass(frozen=True)
class Inaction:
    leavers: int
    turnover: Decimal
    unrecovered: int
    unrecovered_loss: Decimal | None
    total: Decimal


def cost_of_inaction(
    leavers: int, replacement_cost: Decimal, recovery: RecoveryValue, customer_value: Decimal
) -> Inaction:
    """What a quarter of current turnover and unrecovered detractors costs: leavers ×
    replacement, plus unrecovered detractors × the retention they lose against recovered ones
    × a customer's value (only where that gap was measured)."""
    turnover = turnover_cost(leavers, replacement_cost)
    loss = None
    if recovery.uplift is not None:
        loss = money(
            Decimal(str(max(recovery.uplift, 0.0))) * recovery.unrecovered * customer_value
        )
    return Inaction(leavers, turnover, recovery.unrecovered, loss, turnover + (loss or 0))
