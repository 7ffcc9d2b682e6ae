"""Background work for imports: reading imported customer messages, a batch per task."""

from __future__ import annotations

from django.tasks import task

from careloop.conversations.models import Message


@task()
def score_imported_messages(message_ids: list[int]) -> int:
    """Read the emotion of imported customer messages; returns how many were read.

    Safe to run twice: messages already read are left alone.
    """
    from careloop.conversations import reading

    unread = Message.objects.select_related("conversation").filter(
        pk__in=message_ids, author_kind=Message.Author.CUSTOMER, scored_at__isnull=True
    )
    return sum(reading.read_message(message) for message in unread)
