"""Reads for Settings → Integrations."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from careloop.webhooks.models import ChatChannel, WebhookAttempt, WebhookDelivery, WebhookEndpoint

LOG_LENGTH = 50


def endpoints() -> QuerySet[WebhookEndpoint]:
    return WebhookEndpoint.objects.select_related("created_by")


def delivery_log(endpoint: WebhookEndpoint, limit: int = LOG_LENGTH) -> list[WebhookDelivery]:
    """The endpoint's latest deliveries, newest first, each with its attempts."""
    return list(
        endpoint.deliveries.prefetch_related(
            Prefetch("log", queryset=WebhookAttempt.objects.order_by("number", "pk"))
        )[:limit]
    )


def chat_channels() -> QuerySet[ChatChannel]:
    return ChatChannel.objects.select_related("team")
