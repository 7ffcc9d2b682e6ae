"""Confidential concerns and their anonymous threads."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone


class Concern(models.Model):
    """A concern raised in confidence. Anonymous ones keep no name, address, IP or time of day."""

    class Category(models.TextChoices):
        EMPLOYEE = "employee", "About an employee"
        UNFAIR_POLICY = "unfair_policy", "An unfair policy"
        PRIVACY = "privacy", "Privacy"
        OTHER = "other", "Something else"

    class Status(models.TextChoices):
        NEW = "new", "New"
        IN_PROGRESS = "in_progress", "In progress"
        CLOSED = "closed", "Closed"

    reference = models.CharField(max_length=16, unique=True)
    follow_up_code_hash = models.CharField(max_length=64, unique=True)
    category = models.CharField(max_length=20, choices=Category.choices)
    body = models.TextField()
    is_anonymous = models.BooleanField()
    name = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    raised_on = models.DateField()
    first_response_due = models.DateTimeField()
    first_response_at = models.DateTimeField(null=True, blank=True)
    # When the handlers were told the first response is overdue (once).
    escalated_at = models.DateTimeField(null=True, blank=True)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)

    class Meta:
        ordering = ("-raised_on", "-pk")
        constraints = (
            models.CheckConstraint(
                condition=models.Q(is_anonymous=False) | (models.Q(name="") & models.Q(email="")),
                name="anonymous_concern_has_no_identity",
            ),
        )

    def __str__(self) -> str:
        return f"Concern {self.reference}"

    def is_overdue(self, now: datetime.datetime | None = None) -> bool:
        moment = now or timezone.now()
        return self.first_response_at is None and self.first_response_due < moment


class ConcernMessage(models.Model):
    concern = models.ForeignKey(Concern, on_delete=models.CASCADE, related_name="messages")
    from_customer = models.BooleanField()
    body = models.TextField()
    written_on = models.DateField()
    # Staff answer under their name; the customer's own follow-ups carry no one.
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ("position",)

    def __str__(self) -> str:
        return f"Message {self.position} on {self.concern}"
