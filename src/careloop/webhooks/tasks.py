"""Background work for integrations: each delivery and each chat post is its own task."""

from __future__ import annotations

from typing import Any

from django.tasks import task

from careloop.webhooks import chat, services
from careloop.webhooks.models import ChatChannel


@task()
def deliver_webhook(delivery_id: int) -> bool:
    """The first attempt of a delivery; retries come from `retry_due_deliveries`."""
    attempt = services.attempt_delivery(delivery_id)
    return attempt is not None and attempt.succeeded


@task()
def retry_due_deliveries() -> int:
    """Periodic: every delivery whose retry is due."""
    return services.retry_due_deliveries()


@task()
def post_chat_notice(channel_id: int, notice: dict[str, Any]) -> bool:
    channel = ChatChannel.objects.filter(pk=channel_id, enabled=True).first()
    return channel is not None and chat.post_notice(channel, chat.ChatNotice.from_json(notice))
