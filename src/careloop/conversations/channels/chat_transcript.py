"""Which conversation is a visitor's chat, and what they may read of it: the transcript, new
replies as they arrive, and whether the chat has ended."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from django.db.models import Max
from django.utils import timezone

from careloop.conversations.channels.chat_visitors import ChatVisitor
from careloop.conversations.models import (
    Channel,
    ContactPoint,
    Conversation,
    ConversationEvent,
    Customer,
    Message,
)

# A chat nobody has written in for this long is over; the next message starts a new one.
IDLE_AFTER = timedelta(minutes=30)


# Recorded as a ConversationEvent kind; kept out of Kind's choices to avoid a migration here.
CHAT_ENDED = ConversationEvent.Kind.CHAT_ENDED


# One live connection lasts at most this long; EventSource then reconnects with Last-Event-ID.
STREAM_SECONDS = 25.0


STREAM_POLL_SECONDS = 1.0


EndReason = Literal["visitor", "idle"]


def _customer_of(visitor: ChatVisitor) -> Customer | None:
    """The visitor's customer record, without creating one (merges move contact points along)."""
    point = (
        ContactPoint.objects.select_related("customer")
        .filter(kind=ContactPoint.Kind.CHAT, value=visitor.identity)
        .first()
    )
    return point.customer if point is not None else None


def _latest_chat_of(customer: Customer) -> Conversation | None:
    conversation = (
        Conversation.objects.filter(customer=customer, channel=Channel.CHAT)
        .order_by("-created_at", "-pk")
        .first()
    )
    # A merged chat lives on in the conversation that absorbed it.
    hops = 0
    while conversation is not None and conversation.merged_into_id is not None and hops < 10:
        conversation = Conversation.objects.get(pk=conversation.merged_into_id)
        hops += 1
    return conversation


def latest_chat(visitor: ChatVisitor) -> Conversation | None:
    """The visitor's most recent chat conversation, ended or not; None before they first write."""
    customer = _customer_of(visitor)
    return _latest_chat_of(customer) if customer is not None else None


def is_chat_ended(conversation: Conversation) -> bool:
    return conversation.events.filter(kind=CHAT_ENDED).exists()


def _last_activity(conversation: Conversation) -> datetime:
    latest = conversation.messages.aggregate(at=Max("created_at"))["at"]
    return latest or conversation.created_at


def _record_end(conversation: Conversation, reason: EndReason, at: datetime) -> None:
    ConversationEvent.objects.create(
        conversation=conversation, kind=CHAT_ENDED, detail={"reason": reason}, at=at
    )


def _live_chat_of(customer: Customer, now: datetime) -> Conversation | None:
    """The chat a new message continues: the latest one unless it ended or went idle."""
    conversation = _latest_chat_of(customer)
    if conversation is None or is_chat_ended(conversation):
        return None
    if _last_activity(conversation) < now - IDLE_AFTER:
        _record_end(conversation, "idle", now)
        return None
    return conversation


@dataclass(frozen=True)
class ChatState:
    conversation: Conversation | None
    messages: list[Message]
    ended: bool


def visible_messages(conversation: Conversation, after_id: int = 0) -> list[Message]:
    """What the visitor may read: their own messages and public replies, never internal notes."""
    return list(
        conversation.messages.filter(
            pk__gt=after_id,
            author_kind__in=(Message.Author.CUSTOMER, Message.Author.AGENT),
            is_internal_note=False,
        )
        .select_related("author", "inbound_record")
        .order_by("pk")
    )


def open_chat(visitor: ChatVisitor, now: datetime | None = None) -> ChatState:
    """Start or continue a chat: the transcript of the latest chat, ending it if it went idle."""
    now = now or timezone.now()
    conversation = latest_chat(visitor)
    if conversation is None:
        return ChatState(None, [], ended=False)
    ended = is_chat_ended(conversation)
    if not ended and _last_activity(conversation) < now - IDLE_AFTER:
        _record_end(conversation, "idle", now)
        ended = True
    return ChatState(conversation, visible_messages(conversation), ended)


def messages_after(visitor: ChatVisitor, after_id: int) -> ChatState:
    conversation = latest_chat(visitor)
    if conversation is None:
        return ChatState(None, [], ended=False)
    return ChatState(
        conversation, visible_messages(conversation, after_id), is_chat_ended(conversation)
    )


def replies_after(visitor: ChatVisitor, after_id: int) -> list[Message]:
    """Public agent replies in the visitor's chat newer than `after_id`."""
    conversation = latest_chat(visitor)
    if conversation is None:
        return []
    return [
        message
        for message in visible_messages(conversation, after_id)
        if message.author_kind == Message.Author.AGENT
    ]


def stream_replies(
    visitor: ChatVisitor,
    after_id: int,
    *,
    seconds: float | None = None,
    poll_every: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Iterator[Message | None]:
    """Public agent replies as they arrive, for at most `seconds` (STREAM_SECONDS by default).

    Yields None after each poll so the caller can send a heartbeat, which is also how a closed
    connection is noticed.
    """
    deadline = clock() + (STREAM_SECONDS if seconds is None else seconds)
    while True:
        for message in replies_after(visitor, after_id):
            after_id = message.pk
            yield message
        if clock() >= deadline:
            return
        yield None
        sleep(STREAM_POLL_SECONDS if poll_every is None else poll_every)
