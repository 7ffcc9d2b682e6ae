"""Web chat: a visitor on any site talks to the team through careloop's embeddable widget.

A visitor is known only by a random chat identity, handed to their browser inside a signed
token; every call proves who it is with that token. What a visitor writes is kept raw first
(an `InboundRecord`) and then filed as an ordinary conversation on the chat channel, so an
ended chat is just a conversation the inbox already knows how to handle.

This module files what visitors write and ends chats; `chat_visitors` says who a visitor is
and checks what they send, `chat_transcript` finds their chat and what they may read of it.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Subquery
from django.tasks import task
from django.utils import timezone

from careloop.conversations.channels.chat_transcript import (
    CHAT_ENDED,
    IDLE_AFTER,
    EndReason,
    _live_chat_of,
    _record_end,
    is_chat_ended,
    latest_chat,
)
from careloop.conversations.channels.chat_visitors import (
    ChatMessageInput,
    ChatVisitor,
    ClientIdClash,
    MessageNotFiled,
    TooManyMessages,
)
from careloop.conversations.models import (
    Channel,
    ContactPoint,
    Conversation,
    Customer,
    InboundRecord,
    Message,
)
from careloop.conversations.services.conversations import receive_customer_message
from careloop.conversations.services.customers import find_or_create_customer

logger = logging.getLogger(__name__)

DEDUPE_PREFIX = "chat:"
DEFAULT_VISITOR_NAME = "Web chat visitor"
# Modest on purpose: a person typing never reaches it, a script looping on the endpoint does.
RATE_LIMIT_MESSAGES = 20
RATE_LIMIT_WINDOW_SECONDS = 60


# --- writing ---------------------------------------------------------------------------------


def _within_rate_limit(visitor: ChatVisitor) -> bool:
    key = f"careloop:chat:rate:{visitor.identity}"
    cache.add(key, 0, RATE_LIMIT_WINDOW_SECONDS)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, RATE_LIMIT_WINDOW_SECONDS)
        count = 1
    return count <= RATE_LIMIT_MESSAGES


def _raw(visitor: ChatVisitor, incoming: ChatMessageInput) -> bytes:
    return json.dumps(
        {
            "visitor": visitor.identity,
            "client_message_id": str(incoming.client_message_id),
            "text": incoming.text,
            "name": incoming.name,
            "email": incoming.email,
        },
        ensure_ascii=False,
    ).encode()


def _visitor_of_record(record: InboundRecord) -> str:
    try:
        return str(json.loads(bytes(record.raw))["visitor"])
    except (ValueError, KeyError, TypeError):
        return ""


def _remember_details(customer: Customer, name: str, email: str) -> None:
    """Keep what the visitor told us about themselves, without letting it claim an identity.

    An email typed into a chat is unverified, so it goes into the notes rather than becoming a
    contact point that would pull that address's email conversations into this chat.
    """
    changed = []
    if name and customer.full_name in ("", DEFAULT_VISITOR_NAME):
        customer.full_name = name
        changed.append("full_name")
    if email:
        line = f"Email given in web chat (unverified): {email}"
        if line not in customer.notes:
            customer.notes = f"{customer.notes}\n{line}".strip()
            changed.append("notes")
    if changed:
        customer.save(update_fields=changed)


def _subject(text: str) -> str:
    first_line = text.strip().splitlines()[0] if text.strip() else ""
    return f"Web chat: {first_line[:80]}"


def _file(
    record: InboundRecord, visitor: ChatVisitor, incoming: ChatMessageInput, at: datetime
) -> Message:
    """Turn a kept record into a message; safe to call again for the same record."""
    try:
        with transaction.atomic():
            locked = InboundRecord.objects.select_for_update().get(pk=record.pk)
            if locked.message_id is not None:
                return Message.objects.get(pk=locked.message_id)
            customer = find_or_create_customer(
                kind=ContactPoint.Kind.CHAT,
                value=visitor.identity,
                full_name=incoming.name or DEFAULT_VISITOR_NAME,
            )
            # One writer per visitor at a time, so two quick first messages share one chat.
            customer = Customer.objects.select_for_update().get(pk=customer.pk)
            _remember_details(customer, incoming.name, incoming.email)
            message = receive_customer_message(
                customer,
                channel=Channel.CHAT,
                body_text=incoming.text,
                subject=_subject(incoming.text),
                conversation=_live_chat_of(customer, at),
                at=at,
            )
            locked.message = message
            locked.state = InboundRecord.State.PROCESSED
            locked.problem = ""
            locked.save(update_fields=["message", "state", "problem"])
            return message
    except Exception as error:
        logger.exception("Chat message %s kept but not filed", record.dedupe_key)
        InboundRecord.objects.filter(pk=record.pk).update(
            state=InboundRecord.State.FLAGGED, problem=f"{type(error).__name__}: {error}"
        )
        raise MessageNotFiled(
            "Your message is saved but could not be delivered yet; it will be retried."
        ) from error


@dataclass(frozen=True)
class PostedMessage:
    message: Message
    duplicate: bool


def post_customer_message(
    visitor: ChatVisitor, incoming: ChatMessageInput, at: datetime | None = None
) -> PostedMessage:
    """Keep the visitor's message raw, then file it in their chat. Retries are idempotent.

    A retry with the same client_message_id returns the message already filed (or files the
    kept record if filing failed the first time); it never creates a second message.
    """
    at = at or timezone.now()
    dedupe_key = f"{DEDUPE_PREFIX}{incoming.client_message_id}"
    existing = InboundRecord.objects.filter(dedupe_key=dedupe_key).first()
    if existing is None:
        if not _within_rate_limit(visitor):
            raise TooManyMessages(
                "You are sending messages very quickly. Please wait a minute and send again."
            )
        try:
            with transaction.atomic():
                record = InboundRecord.objects.create(
                    channel=Channel.CHAT,
                    dedupe_key=dedupe_key,
                    raw=_raw(visitor, incoming),
                    received_at=at,
                )
        except IntegrityError:  # a concurrent retry stored it first
            existing = InboundRecord.objects.get(dedupe_key=dedupe_key)
        else:
            return PostedMessage(_file(record, visitor, incoming, at), duplicate=False)
    if _visitor_of_record(existing) != visitor.identity:
        raise ClientIdClash("This message id was already used; send with a new id.")
    return PostedMessage(_file(existing, visitor, incoming, at), duplicate=True)


@transaction.atomic
def end_chat(
    visitor: ChatVisitor, *, reason: EndReason = "visitor", at: datetime | None = None
) -> Conversation | None:
    """End the visitor's chat. The conversation stays as it is (open while they wait).

    Ending twice records one end; the next message the visitor writes starts a new chat.
    """
    conversation = latest_chat(visitor)
    if conversation is None or is_chat_ended(conversation):
        return conversation
    _record_end(conversation, reason, at or timezone.now())
    return conversation


def end_idle_chats(now: datetime | None = None) -> int:
    """End every chat in which nobody has written for IDLE_AFTER; returns how many ended."""
    now = now or timezone.now()
    last_message_at = Subquery(
        Message.objects.filter(conversation=OuterRef("pk"))
        .order_by("-created_at")
        .values("created_at")[:1]
    )
    idle = (
        Conversation.objects.filter(channel=Channel.CHAT, merged_into__isnull=True)
        .exclude(events__kind=CHAT_ENDED)
        .annotate(last_message_at=last_message_at)
        .filter(last_message_at__lt=now - IDLE_AFTER)
    )
    count = 0
    for conversation in idle.iterator(chunk_size=500):
        _record_end(conversation, "idle", now)
        count += 1
    return count


@task()
def end_idle_chats_task() -> int:
    """Run every few minutes so idle chats end even when the visitor never comes back."""
    return end_idle_chats()
