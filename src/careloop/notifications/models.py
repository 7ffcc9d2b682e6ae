"""What a person is told in the app: one row per person and event, read or not."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Kind(models.TextChoices):
    ASSIGNED = "assigned", "Assigned to you"
    CUSTOMER_REPLIED = "customer_replied", "Customer replied"
    MENTIONED = "mentioned", "Mentioned in a note"
    APPROVAL_REQUESTED = "approval_requested", "Approval requested"
    APPROVAL_DECIDED = "approval_decided", "Approval decided"
    RECOVERY_DUE = "recovery_due", "Recovery task due"
    ACTION_DUE = "action_due", "Action item due"
    IDEA_ANSWERED = "idea_answered", "Idea answered"


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=Kind.choices)
    # The row it is about, as "app_label.model" and its primary key (ideas have UUID keys).
    target_type = models.CharField(max_length=100)
    target_id = models.CharField(max_length=64)
    # What makes a repeat of the same kind about the same row a new event (a due date): empty
    # when a second event only matters once the first was read (another customer reply).
    occasion = models.CharField(max_length=64, blank=True, default="")
    text = models.CharField(max_length=300)
    url = models.CharField(max_length=500)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # When it went out in an email digest (each notification is emailed at most once).
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        indexes = (models.Index(fields=("recipient", "read_at"), name="notification_unread"),)
        constraints = (
            # One unread notification per person, kind and row: ten customer replies in a row
            # are one thing to look at, and a task that runs twice tells nobody twice.
            models.UniqueConstraint(
                fields=("recipient", "kind", "target_type", "target_id"),
                condition=Q(read_at__isnull=True, occasion=""),
                name="notification_one_unread_per_row",
            ),
            models.UniqueConstraint(
                fields=("recipient", "kind", "target_type", "target_id", "occasion"),
                condition=~Q(occasion=""),
                name="notification_once_per_occasion",
            ),
        )

    def __str__(self) -> str:
        return self.text

    @property
    def is_read(self) -> bool:
        return self.read_at is not None


class DigestFrequency(models.TextChoices):
    OFF = "off", "Off"
    HOURLY = "hourly", "Hourly"
    DAILY = "daily", "Daily"


class NotificationSettings(models.Model):
    person = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_settings"
    )
    digest = models.CharField(
        max_length=10, choices=DigestFrequency.choices, default=DigestFrequency.OFF
    )
    last_digest_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "notification settings"

    def __str__(self) -> str:
        return f"{self.person}: {self.get_digest_display()}"
