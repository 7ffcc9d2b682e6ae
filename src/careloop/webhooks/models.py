"""Outgoing webhooks (endpoints, and the log of every delivery and attempt) and the chat channels
(Slack, Microsoft Teams) that hear of what needs a person's attention."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class WebhookEndpoint(models.Model):
    """A receiver of signed events: the URL, which events it wants and the secret it checks."""

    url = models.URLField(max_length=2000)
    description = models.CharField(max_length=200, blank=True)
    # Kept to sign each delivery (an HMAC needs the secret itself); shown once, when created or
    # rolled, never again.
    secret = models.CharField(max_length=100)
    # Names from core.events (e.g. "conversation.created").
    event_types = models.JSONField(default=list)
    enabled = models.BooleanField(default=True)
    # Failed attempts in a row, and since when: enough of both and the endpoint is disabled.
    consecutive_failures = models.PositiveIntegerField(default=0)
    failing_since = models.DateTimeField(null=True, blank=True)
    disabled_at = models.DateTimeField(null=True, blank=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("-created_at",)

    def __str__(self) -> str:
        return self.description or self.url

    def wants(self, event_type: str) -> bool:
        return event_type in self.event_types


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SUCCEEDED = "succeeded", "Succeeded"
    FAILED = "failed", "Failed"


class WebhookDelivery(models.Model):
    """One event for one endpoint: the exact body sent, and where its retries stand."""

    endpoint = models.ForeignKey(
        WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries"
    )
    event_id = models.CharField(max_length=40)
    event_type = models.CharField(max_length=60)
    # The whole envelope, signed and sent as is on every attempt.
    payload = models.JSONField()
    # For erasing a customer's data: the conversation or customer the event is about, if any.
    conversation_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    customer_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    status = models.CharField(
        max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    # When the next attempt is due (also a claim: an attempt in flight pushes it forward).
    next_attempt_at = models.DateTimeField(null=True, blank=True, db_index=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name_plural = "webhook deliveries"
        constraints = (
            models.UniqueConstraint(
                fields=("endpoint", "event_id"), name="one_delivery_per_endpoint_and_event"
            ),
        )

    def __str__(self) -> str:
        return f"{self.event_type} {self.event_id} → {self.endpoint_id}"


class WebhookAttempt(models.Model):
    """One POST of a delivery, as the receiver answered it (or did not)."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    response_status = models.PositiveSmallIntegerField(null=True, blank=True)
    response_excerpt = models.CharField(max_length=500, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    succeeded = models.BooleanField(default=False)
    manual = models.BooleanField(default=False)

    class Meta:
        ordering = ("number", "pk")

    def __str__(self) -> str:
        return f"#{self.number} {self.response_status or self.error}"


class ChatService(models.TextChoices):
    SLACK = "slack", "Slack"
    TEAMS = "teams", "Microsoft Teams"


class ChatChannel(models.Model):
    """An incoming-webhook URL of a Slack or Teams channel; for one team, or (no team) for the
    whole organisation, which also hears of what belongs to no team (concerns)."""

    service = models.CharField(max_length=10, choices=ChatService.choices)
    team = models.ForeignKey(
        "people.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    webhook_url = models.URLField(max_length=2000)
    enabled = models.BooleanField(default=True)
    last_sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    last_error_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ("team__name", "service")

    def __str__(self) -> str:
        return f"{self.get_service_display()} · {self.team or 'whole organisation'}"
