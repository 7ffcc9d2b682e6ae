"""Reactions to other domains' signals."""

from __future__ import annotations

from typing import Any

from django.dispatch import receiver

from careloop.conversations.models import Conversation
from careloop.conversations.signals import conversation_solved


@receiver(conversation_solved, dispatch_uid="feedback.schedule_survey")
def schedule_survey(sender: Any, conversation: Conversation, **kwargs: Any) -> None:
    """Solved: schedule the survey (sent after the configured delay) and the welcome note."""
    from careloop.feedback.tasks import schedule_survey_after_solved

    schedule_survey_after_solved.enqueue(conversation.pk)
