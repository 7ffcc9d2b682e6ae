"""Listening to conversations: a customer message that has just been read may be praise."""

from __future__ import annotations

from typing import Any

from django.apps import apps
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


def survey_answered(sender: type[Any], instance: Any, created: bool, **kwargs: Any) -> None:
    """A survey comment may be praise too: it becomes a suggested story the same way."""
    if not created or not instance.comment.strip() or instance.conversation_id is None:
        return
    from careloop.recognition.tasks import surface_praise_in_survey_comment

    response_id = instance.pk
    transaction.on_commit(lambda: surface_praise_in_survey_comment.enqueue(response_id))


def connect() -> None:
    post_save.connect(message_read, sender=Message, dispatch_uid="recognition.message_read")
    if apps.is_installed("careloop.feedback"):
        from careloop.feedback.models import SurveyResponse

        post_save.connect(
            survey_answered, sender=SurveyResponse, dispatch_uid="recognition.survey_answered"
        )
