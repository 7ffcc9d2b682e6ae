"""Listening to conversations: a customer message that has just been read may be praise."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models.signals import post_save

from careloop.conversations.models import Message


def message_read(sender: type[Message], instance: Message, **kwargs: Any) -> None:
    """When the empathy engine's reading of a customer message is stored, look for praise."""
    update_fields = kwargs.get("update_fields") or ()
    if instance.author_kind != Message.Author.CUSTOMER or "emotions" not in update_fields:
        return
    if not instance.emotions:
        return
    from careloop.recognition.tasks import surface_praise_in_message

    message_id = instance.pk
    transaction.on_commit(lambda: surface_praise_in_message.enqueue(message_id))


def connect() -> None:
    post_save.connect(message_read, sender=Message, dispatch_uid="recognition.message_read")
