"""Web chat: a visitor on any site talks to the team through careloop's embeddable widget.

A visitor is known only by a random chat identity, handed to their browser inside a signed
token; every call proves who it is with that token. What a visitor writes is kept raw first
(an `InboundRecord`) and then filed as an ordinary conversation on the chat channel, so an
ended chat is just a conversation the inbox already knows how to handle.
"""

from __future__ import annotations

import json
import logging
import secrets
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Literal

from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Max, OuterRef, Subquery
from django.tasks import task
from django.utils import timezone

from careloop.conversations.models import (
    Channel,
    ContactPoint,
    Conversation,
    ConversationEvent,
    Customer,
    InboundRecord,
    Message,
)
from careloop.conversations.services.conversations import receive_customer_message
from careloop.conversations.services.customers import find_or_create_customer

logger = logging.getLogger(__name__)

SIGNING_SALT = "careloop.conversations.chat.visitor"
DEDUPE_PREFIX = "chat:"
MAX_TEXT_CHARS = 4000
MAX_NAME_CHARS = 200
MAX_EMAIL_CHARS = 254
DEFAULT_VISITOR_NAME = "Web chat visitor"
# A chat nobody has written in for this long is over; the next message starts a new one.
IDLE_AFTER = timedelta(minutes=30)
# Modest on purpose: a person typing never reaches it, a script looping on the endpoint does.
RATE_LIMIT_MESSAGES = 20
RATE_LIMIT_WINDOW_SECONDS = 60
# Recorded as a ConversationEvent kind; kept out of Kind's choices to avoid a migration here.
CHAT_ENDED = ConversationEvent.Kind.CHAT_ENDED
# One live connection lasts at most this long; EventSource then reconnects with Last-Event-ID.
STREAM_SECONDS = 25.0
STREAM_POLL_SECONDS = 1.0

EndReason = Literal["visitor", "idle"]


class ChatError(Exception):
    """A chat request that cannot be accepted; the text is written for the visitor."""

    status = 400
    field = ""

    def __init__(self, message: str, *, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidChatToken(ChatError):
    status = 401


class TooManyMessages(ChatError):
    status = 429


class ClientIdClash(ChatError):
    status = 409


class MessageNotFiled(ChatError):
    """The message is kept raw but could not be filed yet; a retry with the same id files it."""

    status = 503


# --- who the visitor is ----------------------------------------------------------------------


@dataclass(frozen=True)
class ChatVisitor:
    identity: str

    @property
    def token(self) -> str:
        return signing.Signer(salt=SIGNING_SALT).sign(self.identity)


def new_visitor() -> ChatVisitor:
    return ChatVisitor(secrets.token_urlsafe(24))


def visitor_from_token(token: str) -> ChatVisitor:
    """The visitor a token was issued to; raises InvalidChatToken for anything forged or empty."""
    try:
        identity = signing.Signer(salt=SIGNING_SALT).unsign(token.strip())
    except signing.BadSignature as error:
        raise InvalidChatToken("This chat session is not valid; reload the page.") from error
    return ChatVisitor(identity)


def _customer_of(visitor: ChatVisitor) -> Customer | None:
    """The visitor's customer record, without creating one (merges move contact points along)."""
    point = (
        ContactPoint.objects.select_related("customer")
        .filter(kind=ContactPoint.Kind.CHAT, value=visitor.identity)
        .first()
    )
    return point.customer if point is not None else None


# --- input -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChatMessageInput:
    client_message_id: uuid.UUID
    text: str
    name: str = ""
    email: str = ""


def _optional_string(payload: dict[str, Any], field: str) -> str:
    value = payload.get(field, "")
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ChatError(f"“{field}” must be text.", field=field)
    return value.strip()


def parse_message_input(payload: object) -> ChatMessageInput:
    """Validate what the widget sent; raises ChatError naming the field at fault."""
    if not isinstance(payload, dict):
        raise ChatError("Send the message as a JSON object.")
    try:
        client_message_id = uuid.UUID(str(payload.get("client_message_id", "")))
    except ValueError as error:
        raise ChatError(
            "Every message needs a client_message_id (a UUID) so retries are safe.",
            field="client_message_id",
        ) from error
    text = _optional_string(payload, "text")
    if not text:
        raise ChatError("Write a message before sending.", field="text")
    if len(text) > MAX_TEXT_CHARS:
        raise ChatError(
            f"Messages can be at most {MAX_TEXT_CHARS} characters; this one has {len(text)}.",
            field="text",
        )
    name = _optional_string(payload, "name")
    if len(name) > MAX_NAME_CHARS:
        raise ChatError(f"Names can be at most {MAX_NAME_CHARS} characters.", field="name")
    email = _optional_string(payload, "email")
    if email:
        try:
            if len(email) > MAX_EMAIL_CHARS:
                raise ValidationError("too long")
            validate_email(email)
        except ValidationError as error:
            raise ChatError("That email address does not look right.", field="email") from error
    return ChatMessageInput(client_message_id, text, name, email)


# --- which conversation is the chat ------------------------------------------------------------


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
