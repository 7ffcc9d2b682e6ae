"""Goodwill: gestures agents grant, the allowances they grant them within, and their execution.

Money is a `Decimal` with two places in the organisation's currency, never a float. Gestures
are booked to the team as care investment; nothing here belongs to an agent's account.
"""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from careloop.core.permissions import Ownership

MAX_DIGITS = 12
DECIMAL_PLACES = 2
ZERO = Decimal("0.00")


class GestureKind(models.TextChoices):
    REFUND = "refund", "Refund"
    CREDIT = "credit", "Credit"
    DISCOUNT = "discount", "Discount"
    UPGRADE = "upgrade", "Free upgrade"
    REPLACEMENT = "replacement", "Replacement"
    SWAP = "swap", "Like-for-like swap"
    NOTE_OR_GIFT = "note_or_gift", "Handwritten note or gift"
    OTHER = "other", "Other"


# Kinds a shop or billing system carries out; the others are done by hand by the agent.
EXECUTED_BY_SHOP = frozenset(
    {
        GestureKind.REFUND,
        GestureKind.CREDIT,
        GestureKind.DISCOUNT,
        GestureKind.UPGRADE,
        GestureKind.REPLACEMENT,
        GestureKind.SWAP,
    }
)


class CareSettings(models.Model):
    """The organisation's goodwill defaults: one row, edited by leads."""

    currency = models.CharField(max_length=3, default="EUR")
    per_incident_limit = models.DecimalField(
        max_digits=MAX_DIGITS,
        decimal_places=DECIMAL_PLACES,
        default=Decimal("2000.00"),
        help_text="What one agent may grant one customer for one conversation without asking.",
    )
    agent_period_limit = models.DecimalField(
        max_digits=MAX_DIGITS,
        decimal_places=DECIMAL_PLACES,
        default=Decimal("5000.00"),
        help_text="What each agent may grant per calendar month without asking.",
    )
    team_period_limit = models.DecimalField(
        max_digits=MAX_DIGITS,
        decimal_places=DECIMAL_PLACES,
        default=Decimal("20000.00"),
        help_text="What each team may grant per calendar month without asking.",
    )
    approval_sla_minutes = models.PositiveIntegerField(
        default=240, help_text="Business minutes a lead has to decide on a request."
    )
    webhook_url = models.URLField(
        blank=True, help_text="Where granted gestures are sent to be executed (shop, billing)."
    )
    webhook_secret = models.CharField(max_length=64, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "care settings"
        verbose_name_plural = "care settings"

    def __str__(self) -> str:
        return f"Goodwill settings ({self.currency})"


class Allowance(models.Model):
    """A lead's override of the defaults for one team or one agent; empty fields inherit."""

    # Whose limits these are: the agent's, or every member's of the team. Nobody edits an
    # allowance that applies to their own gestures (FOUR_EYES on MANAGE_ALLOWANCES).
    row_ownership: ClassVar[Ownership] = Ownership(
        owners=("agent",), teams=("team", "agent__team"), member_teams=("team",)
    )

    team = models.OneToOneField(
        "people.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="allowance"
    )
    agent = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="allowance",
    )
    per_incident_limit = models.DecimalField(
        max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, null=True, blank=True
    )
    period_limit = models.DecimalField(
        max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, null=True, blank=True
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = (
            models.CheckConstraint(
                condition=models.Q(team__isnull=True) ^ models.Q(agent__isnull=True),
                name="allowance_for_one_team_or_one_agent",
            ),
        )

    def __str__(self) -> str:
        return f"Allowance for {self.team or self.agent}"


class LedgerScope(models.TextChoices):
    INCIDENT = "incident", "Customer incident"
    AGENT = "agent", "Agent per month"
    TEAM = "team", "Team per month"


class AllowanceLedger(models.Model):
    """What was granted without approval in one scope: the row concurrent grants lock.

    One row per conversation (incident), per agent and month, per team and month. Grants take
    `select_for_update` on every row they draw on, so two gestures can never both fit into the
    same remaining allowance.
    """

    scope = models.CharField(max_length=10, choices=LedgerScope.choices)
    # "incident:<conversation id>", "agent:<user id>:<YYYY-MM>" or "team:<team id>:<YYYY-MM>".
    key = models.CharField(max_length=64, unique=True)
    granted = models.DecimalField(
        max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, default=ZERO
    )
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.get_scope_display()}: {self.granted}"


class GestureStatus(models.TextChoices):
    GRANTED = "granted", "Granted within allowance"
    PENDING = "pending", "Waiting for a lead"
    APPROVED = "approved", "Approved by a lead"
    DECLINED = "declined", "Declined"


class Booking(models.TextChoices):
    CARE_INVESTMENT = "care_investment", "Care investment (team)"
    SWAP = "swap", "Swap (items exchanged, no cost)"


class ExecutionStatus(models.TextChoices):
    NOT_YET = "not_yet", "Not to execute yet"
    PENDING = "pending", "Pending"
    SENT = "sent", "Sent, awaiting result"
    EXECUTED = "executed", "Executed"
    FAILED = "failed", "Failed"
    BY_HAND = "by_hand", "By hand, not sent to the shop"


class Gesture(models.Model):
    # Whose gesture it is: its giver, and the team it is booked to.
    row_ownership: ClassVar[Ownership] = Ownership(owners=("agent",), teams=("team",))
    kind = models.CharField(max_length=16, choices=GestureKind.choices)
    amount = models.DecimalField(max_digits=MAX_DIGITS, decimal_places=DECIMAL_PLACES, default=ZERO)
    currency = models.CharField(max_length=3)
    reason = models.TextField()
    # For swaps: what went back and what the customer got instead, of equal value.
    items_out = models.CharField(max_length=300, blank=True)
    items_in = models.CharField(max_length=300, blank=True)
    booking = models.CharField(
        max_length=16, choices=Booking.choices, default=Booking.CARE_INVESTMENT
    )
    customer = models.ForeignKey(
        "conversations.Customer", on_delete=models.PROTECT, related_name="gestures"
    )
    conversation = models.ForeignKey(
        "conversations.Conversation", on_delete=models.PROTECT, related_name="gestures"
    )
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="gestures_granted"
    )
    # The team whose care investment this is: never the agent's personal account.
    team = models.ForeignKey(
        "people.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="gestures"
    )
    status = models.CharField(max_length=10, choices=GestureStatus.choices)
    within_allowance = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    # The approval, for gestures above the allowance.
    approval_due = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.TextField(blank=True)
    # When an overdue request was escalated to the CX leaders (once).
    escalated_at = models.DateTimeField(null=True, blank=True)

    # Execution by the shop or billing system.
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    execution_status = models.CharField(
        max_length=10, choices=ExecutionStatus.choices, default=ExecutionStatus.NOT_YET
    )
    delivery_attempts = models.PositiveSmallIntegerField(default=0)
    next_delivery_at = models.DateTimeField(null=True, blank=True)
    last_delivery_error = models.CharField(max_length=500, blank=True)
    external_reference = models.CharField(max_length=200, blank=True)
    execution_detail = models.CharField(max_length=500, blank=True)
    executed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        indexes = (
            models.Index(fields=("status", "approval_due"), name="gesture_status_due"),
            models.Index(fields=("execution_status", "next_delivery_at"), name="gesture_exec"),
            models.Index(fields=("team", "created_at"), name="gesture_team"),
        )
        constraints = (
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="gesture_amount_gte_0"),
            models.CheckConstraint(
                condition=~models.Q(kind=GestureKind.SWAP) | models.Q(amount=0, booking="swap"),
                name="swap_is_booked_as_swap_at_no_cost",
            ),
        )

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount} {self.currency}"

    @property
    def cost(self) -> Decimal:
        return ZERO if self.booking == Booking.SWAP else self.amount

    @property
    def is_pending(self) -> bool:
        return self.status == GestureStatus.PENDING

    @property
    def is_overdue(self) -> bool:
        return (
            self.is_pending and self.approval_due is not None and self.approval_due < timezone.now()
        )
