"""Writes for goodwill: granting gestures, deciding on requests, setting allowances."""

from __future__ import annotations

import datetime
import secrets
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from careloop.care import selectors
from careloop.care.events import publish_gesture
from careloop.care.models import (
    DECIMAL_PLACES,
    EXECUTED_BY_SHOP,
    MAX_DIGITS,
    ZERO,
    Allowance,
    AllowanceLedger,
    Booking,
    CareSettings,
    ExecutionStatus,
    Gesture,
    GestureKind,
    GestureStatus,
    LedgerScope,
)
from careloop.conversations.business_time import BusinessCalendar
from careloop.conversations.models import Conversation
from careloop.core import calendar
from careloop.core.audit import record_audit
from careloop.core.permissions import Action, can, may
from careloop.people.models import Team, User
from careloop.people.selectors import current_organisation

# Kinds that only make sense with money attached.
MONEY_KINDS = frozenset({GestureKind.REFUND, GestureKind.CREDIT, GestureKind.DISCOUNT})
MAX_AMOUNT = Decimal(10) ** (MAX_DIGITS - DECIMAL_PLACES) - Decimal("0.01")


def parse_amount(value: object) -> Decimal:
    """A money amount with two places; a clear error for anything else."""
    try:
        amount = Decimal(str(value).strip() or "0")
    except InvalidOperation:
        raise ValidationError("Enter the amount as a number, e.g. 25.00.") from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError("The amount cannot be negative.")
    # Before quantize: 1e999 has more digits than quantize can give two places to.
    if amount > MAX_AMOUNT:
        raise ValidationError("This amount is larger than any gesture can be.")
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError("Use at most two decimal places.")
    return amount.quantize(Decimal("0.01"))


def _validated(
    kind: str, amount: Decimal, reason: str, items_out: str, items_in: str
) -> tuple[GestureKind, Decimal, str]:
    if kind not in GestureKind.values:
        raise ValidationError(f"Unknown kind of gesture: {kind!r}.")
    gesture_kind = GestureKind(kind)
    amount = parse_amount(amount)
    reason = reason.strip()
    if not reason:
        raise ValidationError("Say why: the reason helps the next person and the outcome report.")
    if gesture_kind == GestureKind.SWAP:
        if amount != ZERO:
            raise ValidationError(
                "A like-for-like swap costs nothing: leave the amount at 0 and name the items."
            )
        if not items_out.strip() or not items_in.strip():
            raise ValidationError("Name the item the customer returns and the one they get.")
    elif gesture_kind in MONEY_KINDS and amount == ZERO:
        raise ValidationError(f"A {gesture_kind.label.lower()} needs an amount.")
    return gesture_kind, amount, reason


def _lock_ledgers(keys: dict[str, LedgerScope]) -> list[AllowanceLedger]:
    """Lock every ledger row the grant draws on, always in key order so grants never deadlock."""
    for key, scope in keys.items():
        AllowanceLedger.objects.get_or_create(key=key, defaults={"scope": scope})
    return list(
        AllowanceLedger.objects.select_for_update().filter(key__in=list(keys)).order_by("key")
    )


def _limit_of(row: AllowanceLedger, limits: selectors.Limits) -> Decimal:
    return {
        LedgerScope.INCIDENT: limits.per_incident,
        LedgerScope.AGENT: limits.agent_period,
        LedgerScope.TEAM: limits.team_period,
    }[LedgerScope(row.scope)]


def grant_gesture(
    *,
    agent: User,
    conversation: Conversation,
    kind: str,
    amount: Decimal,
    reason: str,
    items_out: str = "",
    items_in: str = "",
    at: datetime.datetime | None = None,
) -> Gesture:
    """Grant at once when the gesture fits every allowance; otherwise ask the team's leads.

    Fitting is decided under row locks on the incident's, the agent's and the team's ledger,
    so concurrent gestures can never overspend an allowance together. `at` (default now) is
    when it was given, for recorded history: it books the ledgers of that day.
    """
    if not can(agent, Action.GRANT_GESTURES):
        raise PermissionDenied("Your role does not grant gestures.")
    gesture_kind, amount, reason = _validated(kind, amount, reason, items_out, items_in)
    team = selectors.team_of(agent, conversation)
    limits = selectors.limits_for(agent, team)
    settings = selectors.care_settings()
    is_swap = gesture_kind == GestureKind.SWAP
    at = at or timezone.now()
    today = calendar.local_date(at)
    keys = {
        selectors.ledger_key(LedgerScope.INCIDENT, conversation.pk): LedgerScope.INCIDENT,
        selectors.ledger_key(LedgerScope.AGENT, agent.pk, today): LedgerScope.AGENT,
    }
    if team is not None:
        keys[selectors.ledger_key(LedgerScope.TEAM, team.pk, today)] = LedgerScope.TEAM
    with transaction.atomic():
        rows = _lock_ledgers(keys)
        fits = amount == ZERO or all(row.granted + amount <= _limit_of(row, limits) for row in rows)
        if fits:
            for row in rows:
                row.granted += amount
                row.save(update_fields=["granted", "updated_at"])
        gesture = Gesture.objects.create(
            kind=gesture_kind,
            amount=amount,
            currency=settings.currency,
            reason=reason,
            items_out=items_out.strip()[:300],
            items_in=items_in.strip()[:300],
            booking=Booking.SWAP if is_swap else Booking.CARE_INVESTMENT,
            customer_id=conversation.customer_id,
            conversation=conversation,
            agent=agent,
            team=team,
            status=GestureStatus.GRANTED if fits else GestureStatus.PENDING,
            within_allowance=fits,
            approval_due=None if fits else _approval_due(settings, at),
            execution_status=_execution_status_for(gesture_kind)
            if fits
            else ExecutionStatus.NOT_YET,
            created_at=at,
        )
        record_audit(
            agent,
            "gesture.granted" if fits else "gesture.requested",
            gesture,
            summary=f"{gesture_kind.label} {amount} {settings.currency} on conversation "
            f"#{conversation.pk}" + ("" if fits else " (above the allowance, sent to a lead)"),
        )
        transaction.on_commit(lambda: _after_change(gesture.pk))
        publish_gesture(gesture)
    return gesture


def _approval_due(settings: CareSettings, asked_at: datetime.datetime) -> datetime.datetime:
    calendar = BusinessCalendar.for_organisation(current_organisation())
    return calendar.add_seconds(asked_at, settings.approval_sla_minutes * 60)


def _execution_status_for(kind: GestureKind) -> ExecutionStatus:
    return ExecutionStatus.PENDING if kind in EXECUTED_BY_SHOP else ExecutionStatus.BY_HAND


def _after_change(gesture_pk: int) -> None:
    from careloop.care import tasks

    gesture = Gesture.objects.get(pk=gesture_pk)
    if gesture.status == GestureStatus.PENDING:
        tasks.notify_leads_of_request.enqueue(gesture_pk)
        return
    if gesture.decided_at is not None:
        tasks.notify_agent_of_decision.enqueue(gesture_pk)
    if gesture.execution_status == ExecutionStatus.PENDING:
        tasks.deliver_gesture.enqueue(gesture_pk)


def _require_approver(lead: User, gesture: Gesture) -> None:
    # Four eyes: a lead of the gesture's team or CX leadership, never the person who gave it.
    if not may(lead, Action.APPROVE_GESTURES, gesture):
        raise PermissionDenied(
            "Someone other than its giver decides: a lead of the gesture's team, or CX leadership."
        )


def decide_gesture(
    gesture: Gesture,
    *,
    lead: User,
    approve: bool,
    reason: str,
    at: datetime.datetime | None = None,
) -> Gesture:
    """A lead approves or declines a request; a decline always says why, for the agent.

    `at` (default now) is when it was decided, for recorded history."""
    _require_approver(lead, gesture)
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationError("Say why you decline: the agent sees your reason.")
    with transaction.atomic():
        locked = Gesture.objects.select_for_update().get(pk=gesture.pk)
        _require_approver(lead, locked)
        if locked.status != GestureStatus.PENDING:
            raise ValidationError("This request has already been decided.")
        locked.status = GestureStatus.APPROVED if approve else GestureStatus.DECLINED
        locked.decided_by = lead
        locked.decided_at = at or timezone.now()
        locked.decision_reason = reason
        if approve:
            locked.execution_status = _execution_status_for(GestureKind(locked.kind))
        locked.save(
            update_fields=[
                "status",
                "decided_by",
                "decided_at",
                "decision_reason",
                "execution_status",
            ]
        )
        record_audit(
            lead,
            "gesture.approved" if approve else "gesture.declined",
            locked,
            summary=f"{locked.get_kind_display()} {locked.amount} {locked.currency} for "
            f"{locked.agent}" + (f": {reason}" if reason else ""),
        )
        transaction.on_commit(lambda: _after_change(locked.pk))
        publish_gesture(locked)
    return locked


@dataclass(frozen=True, kw_only=True)
class CareDefaults:
    """The organisation's defaults for gestures: currency, limits, approval time and webhook."""

    currency: str
    per_incident_limit: Decimal
    agent_period_limit: Decimal
    team_period_limit: Decimal
    approval_sla_minutes: int
    webhook_url: str


def update_care_settings(defaults: CareDefaults, *, by: User) -> CareSettings:
    """CX leaders and admins set the organisation's defaults; a webhook gets a signing secret."""
    if not selectors.may_edit_defaults(by):
        raise PermissionDenied("CX leaders and admins set the organisation's defaults.")
    currency = defaults.currency.strip().upper()
    if len(currency) != 3 or not currency.isalpha():
        raise ValidationError("Use a three-letter ISO currency code such as EUR or USD.")
    approval_sla_minutes = defaults.approval_sla_minutes
    if approval_sla_minutes < 1:
        raise ValidationError("Give leads at least a minute to decide.")
    webhook_url = defaults.webhook_url.strip()
    if webhook_url and not webhook_url.startswith(("https://", "http://")):
        raise ValidationError("The webhook URL must start with https:// (or http://).")
    settings = selectors.care_settings()
    settings.currency = currency
    settings.per_incident_limit = parse_amount(defaults.per_incident_limit)
    settings.agent_period_limit = parse_amount(defaults.agent_period_limit)
    settings.team_period_limit = parse_amount(defaults.team_period_limit)
    settings.approval_sla_minutes = approval_sla_minutes
    settings.webhook_url = webhook_url
    if settings.webhook_url and not settings.webhook_secret:
        settings.webhook_secret = secrets.token_hex(32)
    settings.save()
    record_audit(
        by,
        "care.settings_changed",
        settings,
        summary=f"Per incident {settings.per_incident_limit}, agent per month "
        f"{settings.agent_period_limit}, team per month {settings.team_period_limit} "
        f"{settings.currency}; SLA {approval_sla_minutes} min",
    )
    return settings


def rotate_webhook_secret(*, by: User) -> CareSettings:
    if not selectors.may_edit_defaults(by):
        raise PermissionDenied("CX leaders and admins manage the webhook.")
    settings = selectors.care_settings()
    settings.webhook_secret = secrets.token_hex(32)
    settings.save(update_fields=["webhook_secret", "updated_at"])
    record_audit(by, "care.webhook_secret_rotated", settings, summary="Webhook secret rotated")
    return settings


def _require_allowance_setter(by: User, allowance: Allowance) -> None:
    if not may(by, Action.MANAGE_ALLOWANCES, allowance):
        raise PermissionDenied(
            "You may not change this allowance: nobody changes limits that apply to their own "
            "gestures, and leads set only their own team's agents'."
        )


def set_allowance(
    *,
    by: User,
    team: Team | None = None,
    agent: User | None = None,
    per_incident_limit: Decimal | None,
    period_limit: Decimal | None,
) -> Allowance:
    """Override the defaults for one team or one agent, within the setter's reach.

    Nobody raises their own limits: a lead sets their agents' allowances, never their own nor
    their team's (which binds their gestures too); those are for CX leadership.
    """
    if (team is None) == (agent is None):
        raise ValidationError("An allowance is for one team or for one agent.")
    _require_allowance_setter(by, Allowance(team=team, agent=agent))
    if agent is not None and not can(agent, Action.GRANT_GESTURES):
        raise ValidationError("This person's role does not grant gestures.")
    allowance, _ = Allowance.objects.update_or_create(
        team=team,
        agent=agent,
        defaults={
            "per_incident_limit": None
            if per_incident_limit is None
            else parse_amount(per_incident_limit),
            "period_limit": None if period_limit is None else parse_amount(period_limit),
            "updated_by": by,
        },
    )
    record_audit(
        by,
        "care.allowance_set",
        allowance,
        summary=f"{team or agent}: per incident {per_incident_limit or 'default'}, "
        f"per month {period_limit or 'default'}",
    )
    return allowance


def remove_allowance(allowance: Allowance, *, by: User) -> None:
    _require_allowance_setter(by, allowance)
    record_audit(by, "care.allowance_removed", allowance, summary=f"{allowance}: back to defaults")
    allowance.delete()


def rebuild_ledgers() -> int:
    """Recompute every allowance ledger from the gestures granted within the allowance.

    For repairs and imported history; takes the same locks as grants, so it is safe to run
    while people work.
    """
    totals: dict[str, tuple[LedgerScope, Decimal]] = {}
    granted = Gesture.objects.filter(status=GestureStatus.GRANTED, within_allowance=True)
    for gesture in granted.exclude(booking=Booking.SWAP).iterator():
        day = calendar.local_date(gesture.created_at)
        keys = [
            (
                selectors.ledger_key(LedgerScope.INCIDENT, gesture.conversation_id),
                LedgerScope.INCIDENT,
            ),
            (selectors.ledger_key(LedgerScope.AGENT, gesture.agent_id, day), LedgerScope.AGENT),
        ]
        if gesture.team_id is not None:
            keys.append(
                (selectors.ledger_key(LedgerScope.TEAM, gesture.team_id, day), LedgerScope.TEAM)
            )
        for key, scope in keys:
            totals[key] = (scope, totals.get(key, (scope, ZERO))[1] + gesture.amount)
    with transaction.atomic():
        list(AllowanceLedger.objects.select_for_update().order_by("key"))
        AllowanceLedger.objects.exclude(key__in=list(totals)).delete()
        for key, (scope, amount) in sorted(totals.items()):
            AllowanceLedger.objects.update_or_create(
                key=key, defaults={"scope": scope, "granted": amount}
            )
    return len(totals)


def claim_overdue_requests() -> list[Gesture]:
    """Mark pending requests past their SLA as escalated, each once, and return them."""
    now = timezone.now()
    claimed = []
    overdue = Gesture.objects.filter(
        status=GestureStatus.PENDING, approval_due__lt=now, escalated_at__isnull=True
    ).select_related("agent", "team", "customer")
    for gesture in overdue:
        if Gesture.objects.filter(pk=gesture.pk, escalated_at__isnull=True).update(
            escalated_at=now
        ):
            record_audit(
                None,
                "gesture.escalated",
                gesture,
                summary=f"Past its approval SLA, due {gesture.approval_due:%Y-%m-%d %H:%M} UTC",
            )
            claimed.append(gesture)
    return claimed
