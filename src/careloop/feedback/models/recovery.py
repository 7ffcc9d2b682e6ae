"""Recovery of detractors: tasks, contacts and the causes behind them."""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from careloop.core.permissions import Ownership


class CauseTag(models.Model):
    """Why a customer was let down, named so causes roll up into a backlog."""

    name = models.CharField(max_length=80, unique=True)
    action_item = models.ForeignKey(
        "actions.ActionItem", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("name",)

    def __str__(self) -> str:
        return self.name


class RecoveryTask(models.Model):
    row_ownership: ClassVar[Ownership] = Ownership(owners=("owner",), teams=("team",))

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CONTACTED = "contacted", "Contacted"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        RECOVERED = "recovered", "Recovered"
        NOT_RECOVERED = "not_recovered", "Not recovered"
        NO_REPLY = "no_reply", "No reply"

    response = models.OneToOneField(
        "feedback.SurveyResponse", on_delete=models.CASCADE, related_name="recovery_task"
    )
    customer = models.ForeignKey(
        "conversations.Customer", on_delete=models.CASCADE, related_name="recovery_tasks"
    )
    team = models.ForeignKey(
        "people.Team", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="recovery_tasks"
    )
    reason = models.CharField(max_length=200)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    due_at = models.DateTimeField()
    first_contact_at = models.DateTimeField(null=True, blank=True)
    # When the owner and their lead were told the contact target passed (once).
    escalated_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    outcome_note = models.TextField(blank=True)
    causes = models.ManyToManyField(CauseTag, blank=True, related_name="recovery_tasks")
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("due_at", "pk")
        indexes = (models.Index(fields=("status", "due_at")),)

    def __str__(self) -> str:
        return f"Recovery for {self.customer}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED

    def is_overdue(self, now: datetime.datetime | None = None) -> bool:
        moment = now or timezone.now()
        return not self.is_closed and self.first_contact_at is None and self.due_at < moment


class RecoveryContact(models.Model):
    class Channel(models.TextChoices):
        PHONE = "phone", "Phone"
        EMAIL = "email", "Email"
        CHAT = "chat", "Chat"
        OTHER = "other", "Other"

    task = models.ForeignKey(RecoveryTask, on_delete=models.CASCADE, related_name="contacts")
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    channel = models.CharField(max_length=10, choices=Channel.choices)
    note = models.TextField()
    reached = models.BooleanField("reached the customer", default=True)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("at", "pk")

    def __str__(self) -> str:
        return f"{self.get_channel_display()} on {self.at:%Y-%m-%d}"
