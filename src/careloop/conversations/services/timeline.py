"""A conversation's timeline: the events the services record as they change it."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from careloop.conversations.models import Conversation, ConversationEvent
from careloop.people.models import User


def _event(
    conversation: Conversation,
    kind: ConversationEvent.Kind,
    actor: User | None = None,
    at: datetime | None = None,
    **detail: object,
) -> ConversationEvent:
    return ConversationEvent(
        conversation=conversation, kind=kind, actor=actor, detail=detail, at=at or timezone.now()
    )


def _record(
    conversation: Conversation,
    kind: ConversationEvent.Kind,
    actor: User | None = None,
    at: datetime | None = None,
    **detail: object,
) -> None:
    _event(conversation, kind, actor, at, **detail).save()
