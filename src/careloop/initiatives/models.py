"""Initiatives (what was changed, for which teams, from when, at what cost) and the money
settings that turn their effects into value."""

from __future__ import annotations

from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from careloop.core.permissions import Ownership


class Initiative(models.Model):
    # Budget-level records: the roles that may see them reach the whole organisation.
    row_ownership: ClassVar[Ownership] = Ownership(owners=("created_by",))

    class Kind(models.TextChoices):
        TRAINING = "training", "Training"
        GOODWILL = "goodwill", "Goodwill allowance"
        RHYTHM = "rhythm", "Feedback-session rhythm"
        PROCESS = "process", "Process fix"
        OTHER = "other", "Other"

    class SourceKind(models.TextChoices):
        NONE = "", "None"
        ACTION_ITEM = "action_item", "Action item"
        LEARNING_REVIEW = "learning_review", "Learning review"
        IDEA = "idea", "Idea"

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.OTHER)
    description = models.TextField(blank=True)
    teams = models.ManyToManyField("people.Team", related_name="+")
    start = models.DateField()
    end = models.DateField(null=True, blank=True)
    cost_amount = models.DecimalField(max_digits=14, decimal_places=2, default=Decimal("0"))
    cost_hours = models.DecimalField(max_digits=10, decimal_places=1, default=Decimal("0"))
    # Outcome keys (see careloop.initiatives.outcomes.OUTCOMES) the initiative is meant to move.
    outcomes = models.JSONField(default=list)
    # Where it was promoted from, by reference only (as action items keep their source).
    source_kind = models.CharField(
        max_length=20, choices=SourceKind.choices, blank=True, default=SourceKind.NONE
    )
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source_label = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-start", "pk")

    def __str__(self) -> str:
        return self.name


class MoneySettings(models.Model):
    """What outcomes are worth to the organisation; one row, created with defaults."""

    customer_annual_value = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("300.00")
    )
    replacement_cost = models.DecimalField(
        max_digits=12, decimal_places=2, default=Decimal("15000.00")
    )
    agent_hour_cost = models.DecimalField(max_digits=8, decimal_places=2, default=Decimal("35.00"))
    # Agent time one extra contact costs (a recontact, a conversation not solved first time).
    minutes_per_contact = models.PositiveSmallIntegerField(default=12)

    def __str__(self) -> str:
        return "Money settings"


class CustomerValue(models.Model):
    """What one customer is worth a year, imported from the shop or CRM; customers without a
    row count at the organisation's average (MoneySettings.customer_annual_value)."""

    customer = models.OneToOneField(
        "conversations.Customer", on_delete=models.CASCADE, related_name="+"
    )
    annual_value = models.DecimalField(max_digits=12, decimal_places=2)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.annual_value}"


class CustomerValueImport(models.Model):
    """One received CSV of customer values, kept as received before it is processed."""

    raw = models.TextField()
    received_at = models.DateTimeField(default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    imported = models.PositiveIntegerField(default=0)
    errors = models.JSONField(default=list)

    class Meta:
        ordering = ("-received_at", "-pk")

    def __str__(self) -> str:
        return f"Customer values of {self.received_at:%Y-%m-%d %H:%M}"
