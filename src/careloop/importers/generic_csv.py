"""careloop's documented CSV: one row per message, a conversation's rows one after another.

Columns (header row required; see README "Importers"): conversation_external_id,
customer_email, customer_name, subject, status, tags, message_external_id, author_email,
author_role (customer or agent), internal, body, created_at (ISO 8601). Optional: channel,
priority, assignee_email. The conversation's fields are read from its first row; tags are
separated by commas. A bad row is reported and left out; the rest of its conversation
still imports.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path

from careloop.conversations.models import Channel, Priority, Status
from careloop.importers.records import (
    ImportedConversation,
    ImportedCustomer,
    ImportedMessage,
    RecordError,
    RecordProblem,
    email_of,
    parse_time,
)

REQUIRED = (
    "conversation_external_id",
    "customer_email",
    "customer_name",
    "subject",
    "status",
    "tags",
    "message_external_id",
    "author_email",
    "author_role",
    "internal",
    "body",
    "created_at",
)
TRUE_WORDS = {"true", "1", "yes", "y"}
FALSE_WORDS = {"false", "0", "no", "n", ""}


def export_files(path: Path) -> list[Path]:
    return [path]


def read(path: Path) -> Iterator[ImportedConversation | RecordProblem]:
    with path.open(encoding="utf-8-sig", newline="") as source:
        rows = csv.DictReader(source)
        missing = [name for name in REQUIRED if name not in (rows.fieldnames or [])]
        if missing:
            yield RecordProblem(f"{path.name} line 1", "", f"missing columns: {', '.join(missing)}")
            return
        current: ImportedConversation | None = None
        for row in rows:
            location = f"{path.name} line {rows.line_num}"
            conversation_id = (row.get("conversation_external_id") or "").strip()
            try:
                if not conversation_id:
                    raise RecordError("conversation_external_id is missing")
                if current is None or current.external_id != conversation_id:
                    if current is not None:
                        yield current
                    current = None
                    current = _conversation(row, conversation_id, location)
                current.messages.append(_message(row))
            except RecordError as error:
                yield RecordProblem(location, conversation_id, str(error))
        if current is not None:
            yield current


def _choice[T: str](enum: type[T], value: str, what: str, default: T) -> T:
    value = value.strip().lower()
    if not value:
        return default
    try:
        return enum(value)
    except ValueError:
        raise RecordError(f"unknown {what} {value!r}") from None


def _conversation(row: dict[str, str], conversation_id: str, location: str) -> ImportedConversation:
    email = email_of(row.get("customer_email"))
    if not email:
        raise RecordError("customer_email is missing or not an address")
    status = _choice(Status, row.get("status") or "", "status", Status.OPEN)
    return ImportedConversation(
        external_id=conversation_id,
        customer=ImportedCustomer(email=email, name=(row.get("customer_name") or "").strip()),
        subject=(row.get("subject") or "").strip(),
        status=status,
        channel=_choice(Channel, row.get("channel") or "", "channel", Channel.EMAIL),
        priority=_choice(Priority, row.get("priority") or "", "priority", Priority.NORMAL),
        created_at=parse_time(row.get("created_at")),
        assignee_email=email_of(row.get("assignee_email")),
        tags=[tag.strip() for tag in (row.get("tags") or "").split(",") if tag.strip()],
        location=location,
    )


def _message(row: dict[str, str]) -> ImportedMessage:
    message_id = (row.get("message_external_id") or "").strip()
    if not message_id:
        raise RecordError("message_external_id is missing")
    role = (row.get("author_role") or "").strip().lower()
    if role not in ("customer", "agent"):
        raise RecordError(f"author_role must be customer or agent, not {role!r}")
    internal = (row.get("internal") or "").strip().lower()
    if internal not in TRUE_WORDS | FALSE_WORDS:
        raise RecordError(f"internal must be true or false, not {internal!r}")
    body = row.get("body") or ""
    if not body.strip():
        raise RecordError("body is empty")
    return ImportedMessage(
        external_id=message_id,
        author_kind=role,
        author_email=email_of(row.get("author_email")) if role == "agent" else "",
        body_text=body,
        internal=internal in TRUE_WORDS,
        created_at=parse_time(row.get("created_at")),
    )
