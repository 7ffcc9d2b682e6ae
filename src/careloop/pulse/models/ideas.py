"""The idea box: every idea gets an answer, and anonymous ideas keep no author."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models

from careloop.core import calendar


class IdeaStatus(models.TextChoices):
    AWAITING = "awaiting", "Awaiting an answer"
    ADOPTED = "adopted", "Adopted"
    TRYING = "trying", "Trying it"
    NOT_NOW = "not_now", "Not now"


class Idea(models.Model):
    # A random key: the order of ideas says nothing about who sent an anonymous one.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    title = models.CharField(max_length=200)
    body = models.TextField()
    # The team the idea is about (chosen by the submitter), not the submitter's team.
    team = models.ForeignKey(
        "people.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="ideas",
    )
    follow_up_code_hash = models.CharField(max_length=64, null=True, blank=True, unique=True)
    submitted_on = models.DateField()
    respond_by = models.DateField()
    status = models.CharField(
        max_length=20, choices=IdeaStatus.choices, default=IdeaStatus.AWAITING
    )
    response = models.TextField(blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    responded_on = models.DateField(null=True, blank=True)
    escalated_on = models.DateField(null=True, blank=True)
    action_item = models.ForeignKey(
        "actions.ActionItem", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-submitted_on", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_anonymous(self) -> bool:
        return self.author_id is None

    @property
    def is_answered(self) -> bool:
        return self.status != IdeaStatus.AWAITING

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return not self.is_answered and self.respond_by < (today or calendar.today())
