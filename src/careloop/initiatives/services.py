"""Writes for initiatives: create one (fresh, or promoted from an action item or a learning
review), and keep the money settings."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction

from careloop.conversations.models import Customer
from careloop.core.audit import record_audit
from careloop.initiatives.models import (
    CustomerValue,
    CustomerValueImport,
    Initiative,
    MoneySettings,
)
from careloop.initiatives.outcomes import NOT_MONTHLY, OUTCOMES
from careloop.people.models import Team, User


@dataclass(frozen=True, kw_only=True)
class InitiativeDraft:
    """What someone records about an initiative: what it is, where, when, its cost and source."""

    name: str
    teams: Iterable[Team]
    start: datetime.date
    # the outcome keys its effect is measured on
    outcomes: Iterable[str]
    kind: str = Initiative.Kind.OTHER
    description: str = ""
    end: datetime.date | None = None
    cost_amount: Decimal = Decimal("0")
    cost_hours: Decimal = Decimal("0")
    source_kind: str = ""
    source_id: int | None = None
    source_label: str = ""


def create_initiative(draft: InitiativeDraft, *, created_by: User | None) -> Initiative:
    """Record an initiative; its teams and outcomes are what its effect is measured on."""
    name, teams, outcomes = (
        draft.name.strip(),
        list(draft.teams),
        list(dict.fromkeys(draft.outcomes)),
    )
    if not name:
        raise ValidationError("An initiative needs a name.")
    if not teams:
        raise ValidationError("An initiative applies to at least one team.")
    unknown = [key for key in outcomes if key not in OUTCOMES and key not in NOT_MONTHLY]
    if unknown or not outcomes:
        raise ValidationError(f"Choose the outcomes it is meant to move (unknown: {unknown}).")
    if draft.end is not None and draft.end < draft.start:
        raise ValidationError("The initiative ends before it starts.")
    if draft.cost_amount < 0 or draft.cost_hours < 0:
        raise ValidationError("Costs are not negative.")
    if (
        draft.kind not in Initiative.Kind.values
        or draft.source_kind not in Initiative.SourceKind.values
    ):
        raise ValidationError("Unknown kind or source.")
    with transaction.atomic():
        initiative = Initiative.objects.create(
            name=name[:200],
            kind=draft.kind,
            description=draft.description,
            start=draft.start,
            end=draft.end,
            cost_amount=draft.cost_amount,
            cost_hours=draft.cost_hours,
            outcomes=outcomes,
            source_kind=draft.source_kind,
            source_id=draft.source_id,
            source_label=draft.source_label[:300],
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


CUSTOMER_VALUE_COLUMNS = ("email", "annual_value")


def import_customer_values(raw: str, *, by: User | None) -> CustomerValueImport:
    """Import `email,annual_value` rows from the shop or CRM. The text is kept first; rows
    that name no known customer or no valid amount are reported, the rest saved (running the
    same file twice leaves the same values)."""
    received = CustomerValueImport.objects.create(raw=raw, imported_by=by)
    reader = csv.DictReader(io.StringIO(raw.lstrip("\ufeff")))
    header = tuple(name.strip().lower() for name in reader.fieldnames or ())
    if header[:2] != CUSTOMER_VALUE_COLUMNS:
        received.errors = [f"The first line must be: {','.join(CUSTOMER_VALUE_COLUMNS)}"]
        received.save(update_fields=["errors"])
        return received
    customers = {
        email.lower(): pk
        for email, pk in Customer.objects.exclude(email=None).values_list("email", "pk")
        if email
    }
    errors: list[str] = []
    values: dict[int, Decimal] = {}
    for line, row in enumerate(reader, start=2):
        cells = list(row.values())
        email, amount = (str(cells[0] or "").strip().lower(), str(cells[1] or "").strip())
        try:
            value = Decimal(amount)
        except InvalidOperation:
            errors.append(f"Line {line}: “{amount[:40]}” is not an amount.")
            continue
        if not value.is_finite() or value < 0 or value >= Decimal("1e10"):
            errors.append(f"Line {line}: the amount must be between 0 and 10 billion.")
            continue
        customer_id = customers.get(email)
        if customer_id is None:
            errors.append(f"Line {line}: no customer with that email.")
            continue
        values[customer_id] = value.quantize(Decimal("0.01"))
    with transaction.atomic():
        for customer_id, value in values.items():
            CustomerValue.objects.update_or_create(
                customer_id=customer_id, defaults={"annual_value": value}
            )
        received.imported, received.errors = len(values), errors
        received.save(update_fields=["imported", "errors"])
    record_audit(by, "initiatives.customer_values", received, summary=f"{len(values)} values")
    return received
