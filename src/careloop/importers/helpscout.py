"""Help Scout's conversations, as its Mailbox API 2.0 returns them with threads embedded.

A conversation has `id, number, subject, status (active, pending, closed, spam), createdAt,
closedAt, primaryCustomer{id, email, first, last}, assignee{email, first, last},
tags[{tag}], source.type` and `_embedded.threads[{id, type, body, createdAt,
createdBy{email, type}}]`. Thread types: `customer` (the customer wrote), `reply` and
`message` (an agent wrote to the customer), `note` (internal), `chat`/`phone` (by
`createdBy.type`); `lineitem` threads are status changes, not messages, and are left out.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from careloop.conversations.models import Channel, Status
from careloop.importers.records import (
    ImportedConversation,
    ImportedCustomer,
    ImportedMessage,
    RecordError,
    RecordProblem,
    conversations_in,
    email_of,
    external_id,
    optional_time,
    parse_time,
    require_text,
    status_of,
    text_of_html,
)

STATUSES = {
    "active": Status.OPEN,
    "open": Status.OPEN,
    "pending": Status.PENDING,
    "closed": Status.CLOSED,
    "spam": Status.CLOSED,
}
CHANNELS = {
    "email": Channel.EMAIL,
    "chat": Channel.CHAT,
    "beacon": Channel.CHAT,
    "api": Channel.API,
}
NOT_MESSAGES = {"lineitem", "forwardchild"}


def export_files(path: Path) -> list[Path]:
    return [path]


def read(path: Path) -> Iterator[ImportedConversation | RecordProblem]:
    yield from conversations_in(path, "conversations", _conversation)


def _name(person: dict[str, Any]) -> str:
    return " ".join(str(person.get(part) or "") for part in ("first", "last")).strip()


def _conversation(record: dict[str, Any], location: str) -> ImportedConversation:
    conversation_id = require_text(record, "id")
    customer = record.get("primaryCustomer") or record.get("customer") or {}
    email = email_of(customer.get("email"))
    if not email and not external_id(customer.get("id")):
        raise RecordError("primaryCustomer has neither an email nor an id")
    status = status_of(record, STATUSES)
    threads = (record.get("_embedded") or {}).get("threads") or record.get("threads") or []
    # The API lists threads newest first; a conversation reads oldest first.
    messages = sorted(
        (
            _message(thread)
            for thread in threads
            if isinstance(thread, dict) and thread.get("type") not in NOT_MESSAGES
        ),
        key=lambda message: message.created_at,
    )
    if not messages:
        raise RecordError("the conversation has no threads")
    assignee = record.get("assignee") or {}
    source = record.get("source") or {}
    tags = [
        str(tag.get("tag") if isinstance(tag, dict) else tag) for tag in record.get("tags") or []
    ]
    return ImportedConversation(
        external_id=conversation_id,
        customer=ImportedCustomer(
            email=email, name=_name(customer), external_id=external_id(customer.get("id"))
        ),
        subject=str(record.get("subject") or ""),
        status=status,
        channel=CHANNELS.get(str(source.get("type") or record.get("type") or ""), Channel.EMAIL),
        created_at=parse_time(record.get("createdAt"), what="createdAt"),
        solved_at=optional_time(record.get("closedAt"), what="closedAt"),
        assignee_email=email_of(assignee.get("email")),
        assignee_name=_name(assignee),
        tags=[*tags, "spam"] if record.get("status") == "spam" else tags,
        messages=messages,
        location=location,
    )


def _message(thread: dict[str, Any]) -> ImportedMessage:
    kind = str(thread.get("type") or "")
    author = thread.get("createdBy") or {}
    by_customer = kind == "customer" or (
        kind not in {"reply", "message", "note"} and author.get("type") == "customer"
    )
    body = str(thread.get("body") or "")
    return ImportedMessage(
        external_id=require_text(thread, "id"),
        author_kind="customer" if by_customer else "agent",
        author_email="" if by_customer else email_of(author.get("email")),
        author_name="" if by_customer else _name(author),
        body_text=text_of_html(body),
        body_html=body if "<" in body else "",
        internal=kind == "note",
        created_at=parse_time(thread.get("createdAt"), what="thread createdAt"),
    )
