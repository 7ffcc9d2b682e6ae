"""Chatwoot's conversations with their messages, as its application API returns them.

A conversation has `id, status (open, pending, snoozed, resolved), contact{email, name}`
(or `meta.sender`), `assignee{email, name}` (or `meta.assignee`), `labels`, `created_at`
(Unix seconds) and `messages[{id, content, message_type, private, created_at, sender}]`.
Message types: 0 incoming (the contact), 1 outgoing (an agent), 2 activity (a status
change, left out), 3 template (automated).
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
    parse_time,
    require_text,
    status_of,
)

STATUSES = {
    "open": Status.OPEN,
    "pending": Status.PENDING,
    "snoozed": Status.ON_HOLD,
    "resolved": Status.SOLVED,
}
INCOMING, OUTGOING, ACTIVITY, TEMPLATE = 0, 1, 2, 3
MESSAGE_TYPES = {
    "incoming": INCOMING,
    "outgoing": OUTGOING,
    "activity": ACTIVITY,
    "template": TEMPLATE,
}


def export_files(path: Path) -> list[Path]:
    return [path]


def read(path: Path) -> Iterator[ImportedConversation | RecordProblem]:
    yield from conversations_in(path, "conversations", _conversation)


def _message_type(value: object) -> int:
    if isinstance(value, str) and value in MESSAGE_TYPES:
        return MESSAGE_TYPES[value]
    try:
        return int(str(value))
    except ValueError:
        raise RecordError(f"unknown message_type {value!r}") from None


def _conversation(record: dict[str, Any], location: str) -> ImportedConversation:
    conversation_id = require_text(record, "id")
    meta = record.get("meta") or {}
    contact = record.get("contact") or meta.get("sender") or {}
    email = email_of(contact.get("email"))
    if not email and not external_id(contact.get("id")):
        raise RecordError("the contact has neither an email nor an id")
    status = status_of(record, STATUSES)
    assignee = record.get("assignee") or meta.get("assignee") or {}
    messages = []
    for entry in record.get("messages") or []:
        if not isinstance(entry, dict):
            continue
        kind = _message_type(entry.get("message_type"))
        if kind == ACTIVITY or not entry.get("content"):
            continue
        sender = entry.get("sender") or {}
        from_agent = kind != INCOMING
        # An outgoing message without a sender of its own is the assignee's.
        agent = (sender if sender.get("type") == "user" else assignee) if from_agent else {}
        messages.append(
            ImportedMessage(
                external_id=require_text(entry, "id"),
                author_kind="agent" if from_agent else "customer",
                author_email="" if kind == TEMPLATE else email_of(agent.get("email")),
                author_name="" if kind == TEMPLATE else str(agent.get("name") or ""),
                body_text=str(entry["content"]),
                internal=entry.get("private") is True,
                created_at=parse_time(entry.get("created_at"), what="message created_at"),
            )
        )
    if not messages:
        raise RecordError("the conversation has no messages with content")
    messages.sort(key=lambda message: message.created_at)
    channel_type = str(meta.get("channel") or record.get("channel") or "")
    finished = status is Status.SOLVED
    return ImportedConversation(
        external_id=conversation_id,
        customer=ImportedCustomer(
            email=email,
            name=str(contact.get("name") or ""),
            external_id=external_id(contact.get("id")),
        ),
        subject="",
        status=status,
        channel=Channel.EMAIL if channel_type == "Channel::Email" else Channel.CHAT,
        created_at=parse_time(record.get("created_at")),
        solved_at=messages[-1].created_at if finished else None,
        assignee_email=email_of(assignee.get("email")),
        assignee_name=str(assignee.get("name") or ""),
        tags=[str(label) for label in record.get("labels") or []],
        messages=messages,
        location=location,
    )
