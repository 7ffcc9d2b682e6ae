"""The few models every domain shares."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One sensitive read or administrative change: who, what, on which object, when.

    The actor's email and role are copied in, so the trail still reads after a person is
    erased or changes role.
    """

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    actor_label = models.CharField(max_length=254, blank=True)
    actor_role = models.CharField(max_length=32, blank=True)
    # Dotted verbs such as "concern.read" or "gesture.approved", grouped by their domain.
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    summary = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["target_type", "target_id"], name="audit_target")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label or 'system'} {self.action}"


class RetentionRule(models.Model):
    """How long one type of data is kept; the purge task applies it every night.

    Types are declared by the domains (core.privacy.register_retention); a row exists only
    where an admin changed the default.
    """

    data_type = models.CharField(max_length=64, unique=True)
    keep_days = models.PositiveIntegerField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.data_type}: {self.keep_days} days"


class ScheduledJob(models.Model):
    """One periodic job's turn (see ops.schedule): when it is next due and until when the
    process that claimed it holds it. A claim is one conditional UPDATE, so of any number of
    processes, on one machine or several, exactly one runs each due turn."""

    name = models.CharField(max_length=100, primary_key=True)
    next_run_at = models.DateTimeField()
    locked_until = models.DateTimeField(null=True, blank=True)
    last_started_at = models.DateTimeField(null=True, blank=True)
    last_finished_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.name} (next {self.next_run_at:%Y-%m-%d %H:%M})"
