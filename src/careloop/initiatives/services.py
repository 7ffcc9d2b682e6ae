"""Writes for initiatives: create one (fresh, or promoted from an action item or a learning
review), and keep the money settings."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from careloop.core.audit import record_audit
from careloop.initiatives.models import Initiative, MoneySettings
from careloop.initiatives.outcomes import NOT_MONTHLY, OUTCOMES
from careloop.people.models import Team, User


def create_initiative(
    *,
    name: str,
    teams: Iterable[Team],
    start: datetime.date,
    outcomes: Iterable[str],
    created_by: User | None,
    kind: str = Initiative.Kind.OTHER,
    description: str = "",
    end: datetime.date | None = None,
    cost_amount: Decimal = Decimal("0"),
    cost_hours: Decimal = Decimal("0"),
    source_kind: str = "",
    source_id: int | None = None,
    source_label: str = "",
) -> Initiative:
    """Record an initiative; its teams and outcomes are what its effect is measured on."""
    name, teams, outcomes = name.strip(), list(teams), list(dict.fromkeys(outcomes))
    if not name:
        raise ValidationError("An initiative needs a name.")
    if not teams:
        raise ValidationError("An initiative applies to at least one team.")
    unknown = [key for key in outcomes if key not in OUTCOMES and key not in NOT_MONTHLY]
    if unknown or not outcomes:
        raise ValidationError(f"Choose the outcomes it is meant to move (unknown: {unknown}).")
    if end is not None and end < start:
        raise ValidationError("The initiative ends before it starts.")
    if cost_amount < 0 or cost_hours < 0:
        raise ValidationError("Costs are not negative.")
    if kind not in Initiative.Kind.values or source_kind not in Initiative.SourceKind.values:
        raise ValidationError("Unknown kind or source.")
    with transaction.atomic():
        initiative = Initiative.objects.create(
            name=name[:200],
            kind=kind,
            description=description,
            start=start,
            end=end,
            cost_amount=cost_amount,
            cost_hours=cost_hours,
            outcomes=outcomes,
            source_kind=source_kind,
            source_id=source_id,
            source_label=source_label[:300],
            created_by=created_by,
        )
        initiative.teams.set(teams)
        record_audit(created_by, "initiative.create", initiative, summary=initiative.name)
    return initiative


def update_money_settings(
    settings: MoneySettings,
    *,
    actor: User,
    customer_annual_value: Decimal,
    replacement_cost: Decimal,
    agent_hour_cost: Decimal,
    minutes_per_contact: int,
) -> MoneySettings:
    if min(customer_annual_value, replacement_cost, agent_hour_cost) < 0:
        raise ValidationError("Values are not negative.")
    settings.customer_annual_value = customer_annual_value
    settings.replacement_cost = replacement_cost
    settings.agent_hour_cost = agent_hour_cost
    settings.minutes_per_contact = minutes_per_contact
    settings.save()
    record_audit(actor, "initiatives.money_settings", settings, summary="Money settings changed")
    return settings
