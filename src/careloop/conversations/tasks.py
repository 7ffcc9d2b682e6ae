"""Background work for conversations, run inline or on Celery through django.tasks."""

from __future__ import annotations

from django.tasks import task

from careloop.conversations.models import Message


@task()
def read_customer_message(message_id: int) -> bool:
    """Read a customer message for emotion and distress, then re-rank its conversation.

    Until the empathy engine is wired in, messages stay unscored and care priority treats
    their mood as neutral. Safe to run twice.
    """
    return False


@task()
def deliver_reply(message_id: int) -> bool:
    """Send an agent's public reply on the conversation's channel. Safe to run twice.

    Chat and API clients read replies from careloop; email delivery arrives with its channel.
    """
    return Message.objects.filter(pk=message_id, is_internal_note=False).exists()


@task()
def refresh_care_priorities() -> int:
    """Waiting time grows with the clock; run every few minutes to keep the inbox order true."""
    from careloop.conversations.services import refresh_waiting_conversations

    return refresh_waiting_conversations()
