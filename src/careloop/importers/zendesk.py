"""Zendesk's JSON export: `tickets.json` (one ticket a line, comments inside) and `users.json`.

The shape is the one Zendesk documents for its ticket export and Ticket/User API objects:
a ticket has `id, subject, status, priority, requester_id, assignee_id, created_at,
updated_at, tags, via.channel` and `comments: [{id, author_id, body, html_body, public,
created_at}]`; a user has `id, name, email, role` (end-user, agent or admin).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from careloop.conversations.models import Channel, Priority, Status
from careloop.importers.records import (
    ImportedConversation,
    ImportedCustomer,
    ImportedMessage,
    RecordError,
    RecordProblem,
    conversations_in,
    email_of,
    external_id,
    json_records,
    parse_time,
    require_text,
    status_of,
    text_of_html,
)

STATUSES = {
    "new": Status.OPEN,
    "open": Status.OPEN,
    "pending": Status.PENDING,
    "hold": Status.ON_HOLD,
    "solved": Status.SOLVED,
    "closed": Status.CLOSED,
}
PRIORITIES = {
    "low": Priority.LOW,
    "normal": Priority.NORMAL,
    "high": Priority.HIGH,
    "urgent": Priority.URGENT,
}
CHANNELS = {"email": Channel.EMAIL, "web": Channel.WEB, "chat": Channel.CHAT, "api": Channel.API}
STAFF_ROLES = {"agent", "admin"}


def export_files(path: Path) -> list[Path]:
    """The files an import reads: a folder's tickets.json and users.json, or a tickets file
    with users.json beside it."""
    folder = path if path.is_dir() else path.parent
    tickets = folder / "tickets.json" if path.is_dir() else path
    return [tickets, folder / "users.json"]


def read(path: Path) -> Iterator[ImportedConversation | RecordProblem]:
    tickets, users_file = export_files(path)
    users: dict[str, dict[str, Any]] = {}
    for _location, user in json_records(users_file, "users"):
        if isinstance(user, dict) and external_id(user.get("id")):
            users[external_id(user.get("id"))] = user
    yield from conversations_in(
        tickets, "tickets", lambda ticket, at: _conversation(ticket, users, at)
    )


def _conversation(
    ticket: dict[str, Any], users: dict[str, dict[str, Any]], location: str
) -> ImportedConversation:
    ticket_id = require_text(ticket, "id")
    requester_id = require_text(ticket, "requester_id")
    requester = users.get(requester_id)
    if requester is None:
        raise RecordError(f"requester {requester_id} is not in users.json")
    status = status_of(ticket, STATUSES)
    assignee = users.get(external_id(ticket.get("assignee_id"))) or {}
    messages = [
        _message(comment, users)
        for comment in ticket.get("comments") or []
        if isinstance(comment, dict)
    ]
    if not messages:
        raise RecordError("the ticket has no comments")
    finished = status in (Status.SOLVED, Status.CLOSED)
    via = ticket.get("via") if isinstance(ticket.get("via"), dict) else {}
    return ImportedConversation(
        external_id=ticket_id,
        customer=ImportedCustomer(
            email=email_of(requester.get("email")),
            name=str(requester.get("name") or ""),
            external_id=requester_id,
        ),
        subject=str(ticket.get("subject") or ""),
        status=status,
        priority=PRIORITIES.get(str(ticket.get("priority") or "normal"), Priority.NORMAL),
        channel=CHANNELS.get(str((via or {}).get("channel") or "email"), Channel.EMAIL),
        created_at=parse_time(ticket.get("created_at")),
        solved_at=parse_time(ticket.get("updated_at"), what="updated_at") if finished else None,
        assignee_email=email_of(assignee.get("email")),
        assignee_name=str(assignee.get("name") or ""),
        tags=[str(tag) for tag in ticket.get("tags") or []],
        messages=messages,
        location=location,
    )


def _message(comment: dict[str, Any], users: dict[str, dict[str, Any]]) -> ImportedMessage:
    author_id = external_id(comment.get("author_id"))
    author = users.get(author_id) or {}
    from_staff = str(author.get("role") or "") in STAFF_ROLES
    body = str(comment.get("plain_body") or comment.get("body") or "")
    if not body and comment.get("html_body"):
        body = text_of_html(str(comment["html_body"]))
    return ImportedMessage(
        external_id=require_text(comment, "id"),
        # End users (the requester, people copied in) write as the customer; a comment by
        # nobody in users.json (Zendesk's own triggers) is an automated agent message.
        author_kind="agent" if from_staff or not author else "customer",
        author_email=email_of(author.get("email")) if from_staff else "",
        author_name=str(author.get("name") or "") if from_staff else "",
        body_text=body,
        body_html=str(comment.get("html_body") or ""),
        internal=comment.get("public") is False,
        created_at=parse_time(comment.get("created_at"), what="comment created_at"),
    )
