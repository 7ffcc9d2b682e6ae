"""Listening to conversations: a customer message that has just been read may be praise."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models.signals import post_save

from careloop.conversations.models import Message
from careloop.conversations.signals import on_customer_messages_read


def messages_read(message_ids: Sequence[int]) -> None:
    """Customer messages just read may praise an agent: only where an agent already replied
    (praise needs someone to praise), each looked at by its own task after commit."""
    from careloop.recognition.tasks import surface_praise_in_message

    candidates = list(
        Message.objects.filter(
            pk__in=message_ids,
            author_kind=Message.Author.CUSTOMER,
            emotions__isnull=False,
            conversation__public_reply_count__gt=0,
        ).values_list("pk", flat=True)
    )
    for message_id in candidates:
        transaction.on_commit(partial(surface_praise_in_message.enqueue, message_id))


def survey_answered(sender: type[Any], instance: Any, created: bool, **kwargs: Any) -> None:
    """A survey comment may be praise too: it becomes a suggested story the same way."""
    if not created or not instance.comment.strip() or instance.conversation_id is None:
        return
    from careloop.recognition.tasks import surface_praise_in_survey_comment

    response_id = instance.pk
    transaction.on_commit(lambda: surface_praise_in_survey_comment.enqueue(response_id))


def connect() -> None:
    on_customer_messages_read(messages_read)
    if apps.is_installed("careloop.feedback"):
        from careloop.feedback.models import SurveyResponse

        post_save.connect(
            survey_answered, sender=SurveyResponse, dispatch_uid="recognition.survey_answered"
        )
