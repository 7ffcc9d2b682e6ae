"""One ledger of promised changes, whatever raised them, and the feedback sessions that feed it."""

from __future__ import annotations

import datetime
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from careloop.core import calendar
from careloop.core.permissions import Ownership


class ActionItem(models.Model):
    row_ownership: ClassVar[Ownership] = Ownership(
        owners=("owner", "created_by"), teams=("owner__team",)
    )

    class SourceKind(models.TextChoices):
        LEARNING_REVIEW = "learning_review", "Learning review"
        SURVEY = "survey", "Survey results"
        IDEA = "idea", "Idea"
        RECOVERY = "recovery", "Recovery cause"
        FEEDBACK_SESSION = "feedback_session", "Feedback session"
        OTHER = "other", "Other"

    class Kind(models.TextChoices):
        IMPROVEMENT = "improvement", "Improvement"
        PREVENT = "prevent", "Prevent"
        MITIGATE = "mitigate", "Mitigate"
        DETECT = "detect", "Detect"
        PROCESS = "process", "Process"
        TRAINING = "training", "Training"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        IN_PROGRESS = "in_progress", "In progress"
        DONE = "done", "Done"
        DROPPED = "dropped", "Dropped"

    title = models.CharField(max_length=300)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.IMPROVEMENT)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="action_items"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items_created",
    )
    # Where the item came from, by reference only: the ledger never reaches into the source,
    # so an anonymous source shares nothing beyond the label it chose to give.
    source_kind = models.CharField(max_length=20, choices=SourceKind.choices)
    source_id = models.PositiveBigIntegerField(null=True, blank=True)
    source_label = models.CharField(max_length=200, blank=True)
    due = models.DateField()
    recheck_on = models.DateField(null=True, blank=True)
    evidence = models.TextField(blank=True)
    dropped_reason = models.TextField(blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    last_reminded_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due", "pk"]
        indexes = [
            models.Index(fields=["status", "due"]),
            models.Index(fields=["source_kind", "source_id"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_closed(self) -> bool:
        return self.status in {self.Status.DONE, self.Status.DROPPED}

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        return not self.is_closed and self.due < (today or calendar.today())


class FeedbackSession(models.Model):
    """A regular conversation between a lead and a person (or the lead's whole team)."""

    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="sessions_led"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback_sessions",
    )
    team = models.ForeignKey(
        "people.Team",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="feedback_sessions",
    )
    title = models.CharField(max_length=200)
    next_on = models.DateField()
    recurrence_days = models.PositiveIntegerField(default=14)
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["next_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(person__isnull=False) | models.Q(team__isnull=False),
                name="feedback_session_has_person_or_team",
            )
        ]

    def __str__(self) -> str:
        return self.title


class AgendaItem(models.Model):
    session = models.ForeignKey(
        FeedbackSession, on_delete=models.CASCADE, related_name="agenda_items"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="agenda_items"
    )
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.text[:60]
