"""Freshdesk's tickets (API v2 shape, conversations embedded) with its agents and contacts.

A folder holding `tickets.json`, `agents.json` and `contacts.json`. A ticket has `id,
subject, status (2 open, 3 pending, 4 resolved, 5 closed), priority (1 low … 4 urgent),
source (1 email, 2 portal, 7 chat, …), requester{email, name} or requester_id,
responder_id, tags, created_at, description_text, stats.resolved_at/closed_at` and
`conversations[{id, body_text, incoming, private, user_id, created_at}]`. The ticket's
description is its first message (Freshdesk keeps it apart from the conversation list).
An agent is `{id, contact{email, name}}`; a contact `{id, email, name}`.
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
    optional_time,
    parse_time,
    require_text,
    text_of_html,
)

STATUSES = {2: Status.OPEN, 3: Status.PENDING, 4: Status.SOLVED, 5: Status.CLOSED}
PRIORITIES = {1: Priority.LOW, 2: Priority.NORMAL, 3: Priority.HIGH, 4: Priority.URGENT}
CHANNELS = {1: Channel.EMAIL, 2: Channel.WEB, 7: Channel.CHAT, 9: Channel.WEB}


def export_files(path: Path) -> list[Path]:
    folder = path if path.is_dir() else path.parent
    tickets = folder / "tickets.json" if path.is_dir() else path
    return [tickets, folder / "agents.json", folder / "contacts.json"]


def _people(path: Path, key: str) -> dict[str, dict[str, Any]]:
    if not path.exists():
        return {}
    found: dict[str, dict[str, Any]] = {}
    for _location, person in json_records(path, key):
        if isinstance(person, dict) and external_id(person.get("id")):
            # Agents carry their address in `contact`, contacts at the top level.
            found[external_id(person.get("id"))] = person.get("contact") or person
    return found


def read(path: Path) -> Iterator[ImportedConversation | RecordProblem]:
    tickets, agents_file, contacts_file = export_files(path)
    agents, contacts = _people(agents_file, "agents"), _people(contacts_file, "contacts")
    yield from conversations_in(
        tickets, "tickets", lambda ticket, at: _conversation(ticket, agents, contacts, at)
    )


def _number(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


def _conversation(
    ticket: dict[str, Any],
    agents: dict[str, dict[str, Any]],
    contacts: dict[str, dict[str, Any]],
    location: str,
) -> ImportedConversation:
    ticket_id = require_text(ticket, "id")
    requester_id = external_id(ticket.get("requester_id"))
    requester = ticket.get("requester") or contacts.get(requester_id) or {}
    email = email_of(requester.get("email"))
    if not email:
        raise RecordError("the requester has no email (give requester or contacts.json)")
    status = STATUSES.get(_number(ticket.get("status")) or 0)
    if status is None:
        raise RecordError(f"unknown status {ticket.get('status')!r}")
    created_at = parse_time(ticket.get("created_at"))
    description = str(ticket.get("description_text") or "") or text_of_html(
        str(ticket.get("description") or "")
    )
    messages = []
    if description:
        messages.append(
            ImportedMessage(
                external_id=f"{ticket_id}-description",
                author_kind="customer",
                body_text=description,
                body_html=str(ticket.get("description") or ""),
                created_at=created_at,
            )
        )
    for entry in ticket.get("conversations") or []:
        if isinstance(entry, dict):
            messages.append(_message(entry, agents))
    if not messages:
        raise RecordError("the ticket has neither a description nor conversations")
    stats = ticket.get("stats") or {}
    finished = status in (Status.SOLVED, Status.CLOSED)
    solved_at = optional_time(
        stats.get("resolved_at") or stats.get("closed_at"), what="stats.resolved_at"
    )
    assignee = agents.get(external_id(ticket.get("responder_id"))) or {}
    return ImportedConversation(
        external_id=ticket_id,
        customer=ImportedCustomer(
            email=email, name=str(requester.get("name") or ""), external_id=requester_id
        ),
        subject=str(ticket.get("subject") or ""),
        status=status,
        priority=PRIORITIES.get(_number(ticket.get("priority")) or 2, Priority.NORMAL),
        channel=CHANNELS.get(_number(ticket.get("source")) or 1, Channel.EMAIL),
        created_at=created_at,
        solved_at=(solved_at or parse_time(ticket.get("updated_at"), what="updated_at"))
        if finished
        else None,
        assignee_email=email_of(assignee.get("email")),
        assignee_name=str(assignee.get("name") or ""),
        tags=[str(tag) for tag in ticket.get("tags") or []],
        messages=sorted(messages, key=lambda message: message.created_at),
        location=location,
    )


def _message(entry: dict[str, Any], agents: dict[str, dict[str, Any]]) -> ImportedMessage:
    incoming = entry.get("incoming") is True
    agent = {} if incoming else agents.get(external_id(entry.get("user_id"))) or {}
    body_html = str(entry.get("body") or "")
    return ImportedMessage(
        external_id=require_text(entry, "id"),
        author_kind="customer" if incoming else "agent",
        author_email=email_of(agent.get("email")),
        author_name=str(agent.get("name") or ""),
        body_text=str(entry.get("body_text") or "") or text_of_html(body_html),
        body_html=body_html,
        internal=entry.get("private") is True,
        created_at=parse_time(entry.get("created_at"), what="conversation created_at"),
    )
