"""The common shape every source's export is read into before anything is written.

Each source module (`zendesk`, `helpscout`, `freshdesk`, `chatwoot`, `generic_csv`) yields
`ImportedConversation`s (customer and messages inside) or `RecordProblem`s, in file order;
`services.import_conversations` writes them. Nothing here touches the database.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from careloop.conversations.channels.email_parsing import html_to_text
from careloop.conversations.models import Channel, Priority, Status


class RecordError(ValueError):
    """A record that cannot be imported; its message says why, for the person importing."""


@dataclass(frozen=True)
class ImportedCustomer:
    email: str
    name: str = ""
    external_id: str = ""


@dataclass(frozen=True)
class ImportedMessage:
    external_id: str
    # "customer" or "agent"; an agent message without author_email was automated.
    author_kind: str
    body_text: str
    created_at: datetime
    author_email: str = ""
    author_name: str = ""
    internal: bool = False
    body_html: str = ""


@dataclass
class ImportedConversation:
    external_id: str
    customer: ImportedCustomer
    subject: str
    status: Status
    created_at: datetime
    channel: Channel = Channel.EMAIL
    priority: Priority = Priority.NORMAL
    assignee_email: str = ""
    assignee_name: str = ""
    tags: list[str] = field(default_factory=list)
    # When it was solved or closed, if the source says; else its last message's time.
    solved_at: datetime | None = None
    messages: list[ImportedMessage] = field(default_factory=list)
    # Where in the source it came from, for problem reports ("tickets.json line 12").
    location: str = ""


@dataclass(frozen=True)
class RecordProblem:
    location: str
    external_id: str
    reason: str


def parse_time(value: object, *, what: str = "created_at") -> datetime:
    """An ISO 8601 string or Unix seconds as an aware UTC datetime; RecordError otherwise."""
    if isinstance(value, bool) or value in (None, ""):
        raise RecordError(f"{what} is missing")
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, tz=UTC)
    if not isinstance(value, str):
        raise RecordError(f"{what} is not a time: {value!r}")
    text = value.strip()
    if text.isdigit():
        return datetime.fromtimestamp(int(text), tz=UTC)
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RecordError(f"{what} is not an ISO 8601 time: {value!r}") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def optional_time(value: object, *, what: str) -> datetime | None:
    return None if value in (None, "") else parse_time(value, what=what)


def require_text(record: dict[str, object], key: str) -> str:
    value = record.get(key)
    if value in (None, ""):
        raise RecordError(f"{key} is missing")
    return str(value)


def status_of(record: dict[str, Any], statuses: dict[str, Status]) -> Status:
    """The record's `status` (its name, in any case) as one of ours; an unknown one is an error."""
    status = statuses.get(str(record.get("status") or "").lower())
    if status is None:
        raise RecordError(f"unknown status {record.get('status')!r}")
    return status


def email_of(value: object) -> str:
    text = str(value or "").strip().lower()
    return text if "@" in text else ""


def json_records(path: Path, key: str) -> Iterator[tuple[str, dict[str, Any] | RecordProblem]]:
    """The records of an export file with where each came from: JSON Lines (one record a
    line, as Zendesk exports), or one JSON document holding a list, directly or under `key`
    (as the APIs answer). A line that is not JSON is a problem; the others still import."""
    with path.open(encoding="utf-8-sig") as source:
        first = ""
        for first in source:
            if first.strip():
                break
        try:
            head = json.loads(first) if first.strip() else None
        except json.JSONDecodeError:
            head = None
        lines_are_records = isinstance(head, dict) and not _holds_list(head, key)
        source.seek(0)
        if lines_are_records:
            for number, line in enumerate(source, start=1):
                if not line.strip():
                    continue
                location = f"{path.name} line {number}"
                try:
                    record = json.loads(line)
                except json.JSONDecodeError as error:
                    yield location, RecordProblem(location, "", f"not JSON: {error.msg}")
                    continue
                yield location, _object_or_problem(record, location)
            return
        try:
            document = json.load(source)
        except json.JSONDecodeError as error:
            location = f"{path.name} line {error.lineno}"
            yield location, RecordProblem(location, "", f"not JSON: {error.msg}")
            return
    records = _list_in(document, key)
    if records is None:
        yield path.name, RecordProblem(path.name, "", f"no list of {key} found")
        return
    for index, record in enumerate(records, start=1):
        location = f"{path.name} {key} #{index}"
        yield location, _object_or_problem(record, location)


def _holds_list(document: dict[str, Any], key: str) -> bool:
    return _list_in(document, key) is not None


def _list_in(document: object, key: str) -> list[Any] | None:
    """The list of records in an API-shaped answer: the document itself, or under `key`,
    `_embedded.key` (Help Scout), `payload` or `data.payload` (Chatwoot)."""
    if isinstance(document, list):
        return document
    if not isinstance(document, dict):
        return None
    for candidate in (
        document.get(key),
        (document.get("_embedded") or {}).get(key),
        document.get("payload"),
        (document.get("data") or {}).get("payload")
        if isinstance(document.get("data"), dict)
        else None,
    ):
        if isinstance(candidate, list):
            return candidate
    return None


def _object_or_problem(record: object, location: str) -> dict[str, Any] | RecordProblem:
    if isinstance(record, dict):
        return record
    return RecordProblem(location, "", "not a JSON object")


def text_of_html(markup: str) -> str:
    return html_to_text(markup) if "<" in markup else markup.strip()


def external_id(value: object) -> str:
    return str(value).strip() if value not in (None, "") else ""


def conversations_in(
    path: Path, key: str, conversation: Callable[[dict[str, Any], str], ImportedConversation]
) -> Iterator[ImportedConversation | RecordProblem]:
    """Each record of an export file read by `conversation` (record, location), or the problem
    that kept it out; one bad record never stops the others."""
    for location, record in json_records(path, key):
        if isinstance(record, RecordProblem):
            yield record
            continue
        try:
            yield conversation(record, location)
        except RecordError as error:
            yield RecordProblem(location, external_id(record.get("id")), str(error))
