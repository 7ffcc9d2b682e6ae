"""Reads for initiatives: their effects (from the insights panels), their money, and the
organisation's cost of inaction."""

from __future__ import annotations

import datetime
from collections.abc import Collection
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet

from careloop.core import calendar
from careloop.core.permissions import Action, Principal, restrict
from careloop.initiatives import money, stats
from careloop.initiatives.models import CustomerValue, Initiative, MoneySettings
from careloop.initiatives.outcomes import NOT_MONTHLY, OUTCOMES, Outcome
from careloop.insights import selectors as insights
from careloop.insights.models import CustomerActivity
from careloop.insights.sources import MIN_GROUP, culture_sources
from careloop.people.models import Team

# Months before the start that the comparison looks at (the pre-trend check reads them too).
PRE_MONTHS = 6
# A detractor counts as retained when they start another conversation within this many days.
RETENTION_DAYS = 180


def money_settings() -> MoneySettings:
    """The organisation's money settings, created with defaults on first use."""
    found = MoneySettings.objects.order_by("pk").first()
    return found if found is not None else MoneySettings.objects.create()


def initiatives_for(user: Principal) -> QuerySet[Initiative]:
    return restrict(Initiative.objects.prefetch_related("teams"), user, Action.VIEW_INITIATIVES)


def last_complete_month(today: datetime.date | None = None) -> datetime.date:
    return calendar.previous_month(calendar.first_of_month(today or calendar.today()))


def months_between(first: datetime.date, last: datetime.date) -> list[datetime.date]:
    months, month = [], calendar.first_of_month(first)
    while month <= last:
        months.append(month)
        month = calendar.next_month(month)
    return months


def window(initiative: Initiative, today: datetime.date | None = None) -> list[datetime.date]:
    """Six months before the start month to the end (or the last complete month)."""
    last = last_complete_month(today)
    if initiative.end is not None:
        last = min(last, calendar.first_of_month(initiative.end))
    first = calendar.add_months(calendar.first_of_month(initiative.start), -PRE_MONTHS)
    return months_between(first, last)


@dataclass(frozen=True)
class Effect:
    outcome: Outcome
    result: stats.Result
    reading: str
    pre_trend_reading: str
    value_per_unit: Decimal | None
    money_note: str
    returns: money.Return | None
    start: datetime.date


def reading(outcome: Outcome, estimate: stats.Estimate) -> str:
    """What the effect says in plain words; never a cause claimed beyond the comparison."""
    if estimate.value is None or estimate.low is None or estimate.high is None:
        return (
            f"No effect on {outcome.label} can be shown yet: it needs "
            + "; ".join(estimate.missing)
            + "."
        )
    figures = (
        f"{estimate.value:+.2f} {outcome.unit} (95 % interval {estimate.low:+.2f} to "
        f"{estimate.high:+.2f}; {estimate.treated_teams} "
        f"{'team' if estimate.treated_teams == 1 else 'teams'} with it against "
        f"{estimate.comparison_teams} without, {estimate.pre_months} months before and "
        f"{estimate.post_months} after)"
    )
    if estimate.includes_zero:
        return (
            f"No measurable effect on {outcome.label} yet: {figures}. The interval includes zero."
        )
    better = (estimate.value > 0) == outcome.higher_is_better
    direction = "improved" if better else "worsened"
    return (
        f"{outcome.label} {direction} in the teams with the initiative, relative to the teams "
        f"without it: {figures}. Observational data, not a randomised trial."
    )


def pre_trend_reading(outcome: Outcome, estimate: stats.Estimate) -> str:
    if estimate.value is None or estimate.low is None or estimate.high is None:
        return "The pre-trend check needs " + "; ".join(estimate.missing) + "."
    figures = (
        f"difference in monthly trend before the start {estimate.value:+.2f} {outcome.unit} a "
        f"month (95 % interval {estimate.low:+.2f} to {estimate.high:+.2f})"
    )
    if estimate.includes_zero:
        return (
            f"Before the start the two groups moved in parallel as far as the data can tell "
            f"({figures}). That supports, but does not prove, the comparison."
        )
    return (
        f"Before the start the groups were already drifting apart ({figures}): the effect "
        "above may partly be that drift. Read it with care."
    )


def exposure_value(
    outcome: Outcome,
    team_ids: list[int],
    months: list[datetime.date],
    settings: MoneySettings,
) -> tuple[Decimal | None, str]:
    """What one unit of the outcome is worth over the treated teams' months since the start,
    or None with the reason no money figure is given."""
    if not months:
        return None, "No months since the start yet."
    if outcome.key == "turnover":
        source = culture_sources().get("turnover")
        values = source.read(months[0], months[-1]) if source else []
        person_months = sum(
            v.respondents for v in values if v.team_id in team_ids and v.respondents >= MIN_GROUP
        )
        return (
            money.value_per_point_of_turnover(person_months, settings.replacement_cost),
            f"One point of monthly turnover over {person_months} person-months is "
            f"{person_months / 100:.1f} leavers at {settings.replacement_cost} each.",
        )
    if outcome.key in ("first_contact_resolution", "recontact_rate"):
        solved = sum(
            sums["conversations_solved"] or 0
            for (team_id, _), sums in insights.team_months(months[0], months[-1]).items()
            if team_id in team_ids
        )
        fewer = outcome.key == "recontact_rate"
        return (
            money.value_per_point_of_contacts(
                solved, settings.minutes_per_contact, settings.agent_hour_cost, fewer
            ),
            f"One point over {solved} solved conversations is {solved / 100:.1f} contacts of "
            f"{settings.minutes_per_contact} agent minutes at {settings.agent_hour_cost} an hour.",
        )
    if outcome.key == "retention":
        return None, (
            "Retention has no money value here: a monthly rate counts the same customers "
            "month after month, so its points do not add up to customers kept. The money page "
            "values the retention measured after recovery and goodwill."
        )
    return None, (
        f"{outcome.label} has no agreed money value: its effect is shown, its return is not "
        "(the retention it may bring is valued on the money page, where it is measured)."
    )


def effect_of(
    initiative: Initiative,
    outcome_key: str,
    today: datetime.date | None = None,
    settings: MoneySettings | None = None,
) -> Effect:
    outcome = OUTCOMES[outcome_key]
    settings = settings or money_settings()
    months = window(initiative, today)
    treated = sorted(team.pk for team in initiative.teams.all())
    others = sorted(set(Team.objects.values_list("pk", flat=True)) - set(treated))
    panel = outcome.read(months[0], months[-1]) if months else {}
    result = stats.did(panel, treated, others, months, calendar.first_of_month(initiative.start))
    post_months = [month for month in months if month >= calendar.first_of_month(initiative.start)]
    per_unit, note = exposure_value(outcome, treated, post_months, settings)
    returns = None
    estimate = result.effect
    cost = money.initiative_cost(
        initiative.cost_amount, initiative.cost_hours, settings.agent_hour_cost
    )
    if (
        per_unit is not None
        and estimate.value is not None
        and estimate.low is not None
        and estimate.high is not None
    ):
        returns = money.estimated_return(
            estimate.value, estimate.low, estimate.high, per_unit, cost
        )
    return Effect(
        outcome,
        result,
        reading(outcome, estimate),
        pre_trend_reading(outcome, result.pre_trend),
        per_unit,
        note,
        returns,
        calendar.first_of_month(initiative.start),
    )


def effects_of(initiative: Initiative, today: datetime.date | None = None) -> list[Effect]:
    settings = money_settings()
    return [
        effect_of(initiative, key, today, settings)
        for key in initiative.outcomes
        if key in OUTCOMES
    ]


def unmeasurable(initiative: Initiative) -> dict[str, str]:
    return {key: NOT_MONTHLY[key] for key in initiative.outcomes if key in NOT_MONTHLY}


def recovery_value(
    first: datetime.date, last: datetime.date, settings: MoneySettings | None = None
) -> money.RecoveryValue:
    """Detractors whose recovery closed between `first` and `last`: how many of the recovered
    and of the unrecovered started another conversation within RETENTION_DAYS (measured)."""
    from careloop.feedback.models import RecoveryTask

    settings = settings or money_settings()
    tasks = RecoveryTask.objects.filter(
        closed_at__gte=calendar.start_of_day(first),
        closed_at__lt=calendar.start_of_day(last + datetime.timedelta(days=1)),
        outcome__in=(RecoveryTask.Outcome.RECOVERED, RecoveryTask.Outcome.NOT_RECOVERED),
    ).values_list("customer_id", "closed_at", "outcome")
    counts = {"recovered": [0, 0], "not_recovered": [0, 0]}
    recovered_customers = []
    for customer_id, closed_at, outcome in tasks:
        if closed_at is None:
            continue
        closed = closed_at.astimezone(calendar.organisation_zone()).date()
        retained = _came_back(customer_id, closed)
        counts[outcome][0] += 1
        if outcome == "recovered":
            recovered_customers.append(customer_id)
        counts[outcome][1] += int(retained)
    return money.recovery_value(
        counts["recovered"][0],
        counts["recovered"][1],
        counts["not_recovered"][0],
        counts["not_recovered"][1],
        _mean_value(recovered_customers, settings),
    )


def _mean_value(customer_ids: list[int], settings: MoneySettings) -> Decimal:
    """The mean annual value of these customers (repeats counted), imported or average."""
    if not customer_ids:
        return settings.customer_annual_value
    values = customer_values(set(customer_ids), settings)
    return sum((values[customer_id] for customer_id in customer_ids), Decimal(0)) / len(
        customer_ids
    )


def customer_values(customer_ids: Collection[int], settings: MoneySettings) -> dict[int, Decimal]:
    """Each customer's annual value: imported where the shop or CRM sent one, else the
    organisation's average."""
    imported = dict(
        CustomerValue.objects.filter(customer_id__in=customer_ids).values_list(
            "customer_id", "annual_value"
        )
    )
    return {
        customer_id: imported.get(customer_id, settings.customer_annual_value)
        for customer_id in customer_ids
    }


def _came_back(customer_id: int, after: datetime.date) -> bool:
    return CustomerActivity.objects.filter(
        customer_id=customer_id,
        day__gt=after,
        day__lte=after + datetime.timedelta(days=RETENTION_DAYS),
    ).exists()


@dataclass(frozen=True)
class GoodwillReturn:
    spent: Decimal
    customers: int
    came_back: int
    value: Decimal  # customers who came back × a customer's annual value


def goodwill_return(
    first: datetime.date, last: datetime.date, settings: MoneySettings | None = None
) -> GoodwillReturn:
    """Goodwill granted between `first` and `last` against the customers who received it and
    started another conversation within RETENTION_DAYS, valued at a customer's annual value
    (their actual later orders are not imported)."""
    from careloop.care.models import Booking, Gesture, GestureStatus

    settings = settings or money_settings()
    gestures = Gesture.objects.filter(
        status__in=(GestureStatus.GRANTED, GestureStatus.APPROVED),
        created_at__gte=calendar.start_of_day(first),
        created_at__lt=calendar.start_of_day(last + datetime.timedelta(days=1)),
    ).exclude(booking=Booking.SWAP)
    spent = Decimal(0)
    first_gesture: dict[int, datetime.date] = {}
    for customer_id, amount, created_at in gestures.values_list(
        "customer_id", "amount", "created_at"
    ):
        spent += amount
        day = created_at.astimezone(calendar.organisation_zone()).date()
        first_gesture[customer_id] = min(day, first_gesture.get(customer_id, day))
    returned = [customer for customer, day in first_gesture.items() if _came_back(customer, day)]
    values = customer_values(returned, settings)
    return GoodwillReturn(
        money.money(spent),
        len(first_gesture),
        len(returned),
        money.money(sum(values.values(), Decimal(0))),
    )


@dataclass(frozen=True)
class TeamTurnoverCost:
    team: str
    month: datetime.date
    leavers: int
    cost: Decimal


def turnover_costs(months: list[datetime.date], settings: MoneySettings) -> list[TeamTurnoverCost]:
    """Leavers × replacement cost per team and month, for teams at the privacy minimum."""
    from careloop.pulse.selectors.roster import monthly_turnover_by_team

    names = dict(Team.objects.values_list("pk", "name"))
    rows = monthly_turnover_by_team([(month.year, month.month) for month in months])
    return [
        TeamTurnoverCost(
            names.get(team_id, "?"),
            datetime.date(year, number, 1),
            result.leavers,
            money.turnover_cost(result.leavers, settings.replacement_cost),
        )
        for (team_id, year, number), result in sorted(rows.items())
        if result.average_headcount >= MIN_GROUP
    ]


@dataclass(frozen=True)
class MoneyOverview:
    settings: MoneySettings
    recovery: money.RecoveryValue
    turnover: list[TeamTurnoverCost]
    inaction: money.Inaction
    quarter: tuple[datetime.date, datetime.date]
    goodwill: GoodwillReturn


def money_overview(today: datetime.date | None = None) -> MoneyOverview:
    """The last complete quarter's cost of inaction and the year's recovery value."""
    settings = money_settings()
    today = today or calendar.today()
    last_month = last_complete_month(today)
    quarter = months_between(calendar.add_months(last_month, -2), last_month)
    year_start = calendar.add_months(last_month, -11)
    recovery = recovery_value(year_start, calendar.next_month(last_month) - datetime.timedelta(1))
    turnover = turnover_costs(months_between(year_start, last_month), settings)
    leavers = sum(row.leavers for row in turnover if row.month in quarter)
    quarter_end = calendar.next_month(last_month) - datetime.timedelta(days=1)
    quarter_recovery = recovery_value(quarter[0], quarter_end, settings)
    quarter_loss = money.RecoveryValue(
        quarter_recovery.recovered,
        quarter_recovery.recovered_retained,
        quarter_recovery.unrecovered,
        quarter_recovery.unrecovered_retained,
        recovery.uplift,
        None,
    )
    inaction = money.cost_of_inaction(
        leavers, settings.replacement_cost, quarter_loss, settings.customer_annual_value
    )
    goodwill = goodwill_return(year_start, quarter_end, settings)
    return MoneyOverview(
        settings, recovery, turnover, inaction, (quarter[0], quarter_end), goodwill
    )


@dataclass(frozen=True)
class IdeaOutput:
    received: int
    answered: int
    adopted: int
    initiatives: int
    days_to_answer: float | None
    days_to_adoption: float | None


def idea_output() -> IdeaOutput:
    """Ideas received, answered, adopted and turned into initiatives (through the action item
    an idea was planned as); days from submission to the answer and to adoption."""
    from careloop.pulse.models.ideas import Idea, IdeaStatus

    rows = list(Idea.objects.values_list("submitted_on", "responded_on", "status", "action_item"))
    answered = [(s, r) for s, r, status, _ in rows if status != IdeaStatus.AWAITING and r]
    adopted = [(s, r) for s, r, status, _ in rows if status == IdeaStatus.ADOPTED and r]
    item_ids = [item for *_, item in rows if item is not None]
    became = Initiative.objects.filter(
        source_kind=Initiative.SourceKind.ACTION_ITEM, source_id__in=item_ids
    ).count()

    def mean_days(pairs: list[tuple[datetime.date, datetime.date]]) -> float | None:
        return sum((r - s).days for s, r in pairs) / len(pairs) if pairs else None

    return IdeaOutput(
        len(rows), len(answered), len(adopted), became, mean_days(answered), mean_days(adopted)
    )
