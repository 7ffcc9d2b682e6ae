"""Bringing another helpdesk's history into careloop: `import_file` and the batch writer.

Records are written in batches, each in one transaction together with its external
references and the run's checkpoint. So a batch is either wholly in or wholly out: a run
killed mid-way resumes at its checkpoint, and a record referenced already is never written
twice (the references' unique constraint backs this up). Agents are matched by email; an
agent careloop does not know becomes an inactive account, so history keeps its authors and
nobody gains a sign-in (an admin activates or invites them later).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from django.db import transaction
from django.tasks import task_backends
from django.tasks.backends.immediate import ImmediateBackend
from django.utils import timezone
from django.utils.text import slugify

from careloop.conversations import sla
from careloop.conversations.business_time import BusinessCalendar
from careloop.conversations.models import (
    FINISHED,
    ContactPoint,
    Conversation,
    ConversationEvent,
    Customer,
    Message,
    Status,
    Tag,
)
from careloop.conversations.sanitise import clean_text, sanitise_html
from careloop.conversations.services.conversations import SEARCH_TEXT_LIMIT
from careloop.conversations.services.figures import business_calendar
from careloop.conversations.tasks import refresh_care_priorities
from careloop.importers import chatwoot, freshdesk, generic_csv, helpscout, zendesk
from careloop.importers.inserts import insert_all
from careloop.importers.models import ExternalReference, ImportProblem, ImportRun
from careloop.importers.records import (
    ImportedConversation,
    ImportedCustomer,
    ImportedMessage,
    RecordProblem,
)
from careloop.people.models import User
from careloop.people.services import add_former_agents

SOURCES: dict[str, ModuleType] = {
    "zendesk": zendesk,
    "helpscout": helpscout,
    "freshdesk": freshdesk,
    "chatwoot": chatwoot,
    "csv": generic_csv,
}
BATCH_SIZE = 500
# Customer messages per scoring task: one task per message would be 100 000 tasks.
SCORING_BATCH = 500
Record = ImportedConversation | RecordProblem
Kind = ExternalReference.Kind


class ImportFailed(Exception):
    """The import cannot start (no such source, a missing file); nothing was written."""


@dataclass(frozen=True)
class Progress:
    done: int
    total: int | None
    run: ImportRun
    elapsed_seconds: float


def export_files(source: str, path: Path) -> list[Path]:
    if source not in SOURCES:
        raise ImportFailed(f"Unknown source {source!r}: choose one of {', '.join(SOURCES)}.")
    files: list[Path] = SOURCES[source].export_files(path)
    if not files[0].is_file():
        raise ImportFailed(f"{files[0]} is not a file.")
    return files


def checksum_of(files: Iterable[Path]) -> str:
    digest = hashlib.sha256()
    for file in files:
        if file.is_file():
            with file.open("rb") as content:
                for chunk in iter(lambda: content.read(1 << 20), b""):
                    digest.update(chunk)
    return digest.hexdigest()


def records_in(source: str, path: Path) -> Iterator[Record]:
    reader: Callable[[Path], Iterator[Record]] = SOURCES[source].read
    return reader(path)


def start_or_resume(source: str, path: Path) -> ImportRun:
    """The interrupted run of this very file (same checksum) to finish, or a new run."""
    checksum = checksum_of(export_files(source, path))
    interrupted = ImportRun.objects.filter(
        source=source, checksum=checksum, state=ImportRun.State.RUNNING
    ).first()
    if interrupted is not None:
        return interrupted
    return ImportRun.objects.create(source=source, path=str(path.resolve()), checksum=checksum)


def import_file(
    source: str,
    path: Path,
    *,
    batch_size: int = BATCH_SIZE,
    on_progress: Callable[[Progress], None] | None = None,
    count_first: bool = False,
    before_commit: Callable[[ImportRun], None] | None = None,
) -> ImportRun:
    """Import one export, resuming an interrupted run of the same file; returns the run.

    `before_commit` runs inside each batch's transaction (tests use it to stop a run midway,
    as a kill would).
    """
    run = start_or_resume(source, path)
    started = timezone.now()
    total = sum(1 for _ in records_in(source, path)) if count_first else None
    writer = BatchWriter(source, run, business_calendar(), before_commit)
    batch: list[Record] = []
    position = 0
    for record in records_in(source, path):
        position += 1
        if position <= run.checkpoint:
            continue
        batch.append(record)
        if len(batch) >= batch_size:
            writer.write(batch, position)
            batch = []
            if on_progress is not None:
                elapsed = (timezone.now() - started).total_seconds()
                on_progress(Progress(position, total, run, elapsed))
    if batch:
        writer.write(batch, position)
    run.state, run.finished_at = ImportRun.State.FINISHED, timezone.now()
    run.save(update_fields=["state", "finished_at"])
    if writer.waiting and tasks_run_in_background():
        # Without workers, the in-process scheduler's minutely refresh ranks them.
        refresh_care_priorities.enqueue()
    if on_progress is not None:
        elapsed = (timezone.now() - started).total_seconds()
        on_progress(Progress(position, total, run, elapsed))
    return run


def tasks_run_in_background() -> bool:
    """Whether tasks go to workers. Inline, scoring 100 000 messages would hold the import
    for hours; the periodic jobs (scoring, care priorities) catch up instead."""
    from careloop.importers.tasks import score_imported_messages

    return not isinstance(task_backends[score_imported_messages.backend], ImmediateBackend)


def _reference_key(conversation_id: str, message_id: str) -> str:
    # Message ids are kept per conversation: a CSV may number each conversation's from 1.
    return f"{conversation_id}/{message_id}"


def _merged(conversations: list[ImportedConversation]) -> list[ImportedConversation]:
    """One record per conversation: a CSV may list a conversation's rows in two places."""
    by_id: dict[str, ImportedConversation] = {}
    for conversation in conversations:
        first = by_id.setdefault(conversation.external_id, conversation)
        if first is not conversation:
            first.messages.extend(conversation.messages)
    return list(by_id.values())


class BatchWriter:
    """Writes batches of one run; remembers agents and tags between batches."""

    def __init__(
        self,
        source: str,
        run: ImportRun,
        calendar: BusinessCalendar,
        before_commit: Callable[[ImportRun], None] | None = None,
    ) -> None:
        self.source, self.run, self.calendar = source, run, calendar
        self.before_commit = before_commit
        self.agents: dict[str, tuple[int, int | None]] = {}
        self.tags: dict[str, int] = {}
        self.targets: dict[tuple[str, str], sla.DueTargets] = {}
        self.now = timezone.now()
        # Name and address of this batch's customers, for the conversations' search text.
        self._customer_parts: dict[int, tuple[str, str]] = {}
        # Conversations written that wait on us: they need care priorities once committed.
        self.waiting = 0

    def write(self, batch: list[Record], checkpoint: int) -> None:
        scored: list[int] = []
        with transaction.atomic():
            problems = [record for record in batch if isinstance(record, RecordProblem)]
            conversations = _merged(
                [record for record in batch if isinstance(record, ImportedConversation)]
            )
            problems += self._write_conversations(conversations, scored)
            ImportProblem.objects.bulk_create(
                ImportProblem(
                    run=self.run,
                    location=problem.location[:300],
                    external_id=problem.external_id[:200],
                    reason=problem.reason,
                )
                for problem in problems
            )
            self.run.failed += len(problems)
            self.run.checkpoint = checkpoint
            self.run.save()
            if self.before_commit is not None:
                self.before_commit(self.run)
            if scored and tasks_run_in_background():
                transaction.on_commit(lambda: _enqueue_scoring(scored))

    # --- conversations ---------------------------------------------------------------------

    def _write_conversations(
        self, records: list[ImportedConversation], scored: list[int]
    ) -> list[RecordProblem]:
        known = self._references(Kind.CONVERSATION, [record.external_id for record in records])
        new = [record for record in records if record.external_id not in known]
        self.run.already_present += len(records) - len(new)
        customers = self._customers([record.customer for record in new])
        self._agents([record.assignee_email for record in records], records)
        rows: list[Conversation] = []
        for record in new:
            rows.append(self._conversation_row(record, customers[_customer_key(record.customer)]))
        insert_all(rows)
        conversation_ids = dict(known)
        for record, row in zip(new, rows, strict=True):
            conversation_ids[record.external_id] = row.pk
        self._remember(
            Kind.CONVERSATION, ((r.external_id, row.pk) for r, row in zip(new, rows, strict=True))
        )
        self.run.conversations_created += len(rows)
        insert_all(
            [
                ConversationEvent(
                    conversation=row,
                    kind=ConversationEvent.Kind.CREATED,
                    at=row.created_at,
                    detail={
                        "channel": row.channel,
                        "imported_from": self.source,
                        "external_id": record.external_id,
                    },
                )
                for record, row in zip(new, rows, strict=True)
            ]
        )
        self._tag(new, rows)
        self.waiting += sum(row.is_waiting_on_us for row in rows)
        return self._write_messages(records, conversation_ids, {r.pk: r for r in rows}, scored)

    def _conversation_row(self, record: ImportedConversation, customer_id: int) -> Conversation:
        messages = sorted(record.messages, key=lambda message: message.created_at)
        assignee = self.agents.get(record.assignee_email) if record.assignee_email else None
        created_at = min([record.created_at, *(m.created_at for m in messages[:1])])
        row = Conversation(
            customer_id=customer_id,
            subject=clean_text(record.subject)[:300],
            channel=record.channel,
            status=record.status,
            priority=record.priority,
            assignee_id=assignee[0] if assignee else None,
            team_id=assignee[1] if assignee else None,
            created_at=created_at,
        )
        waiting: datetime | None = None
        public_replies = 0
        customer = self._customer_parts.get(customer_id, ("", ""))
        text = [row.subject, *customer]
        for message in messages:
            if message.internal:
                continue
            text.append(message.body_text)
            if message.author_kind == "customer":
                row.last_customer_message_at = message.created_at
                waiting = waiting or message.created_at
            else:
                public_replies += 1
                if row.first_response_at is None and waiting is not None:
                    row.first_response_at = message.created_at
                    row.first_response_seconds = _seconds(created_at, message.created_at)
                    row.first_response_business_seconds = self.calendar.seconds_between(
                        created_at, message.created_at
                    )
                waiting = None
        row.public_reply_count = public_replies
        row.search_text = clean_text(" ".join(part for part in text if part))[:SEARCH_TEXT_LIMIT]
        if record.status in FINISHED:
            solved_at = record.solved_at or (messages[-1].created_at if messages else created_at)
            row.solved_at = row.first_solved_at = solved_at
            row.resolution_seconds = _seconds(created_at, solved_at)
            row.resolution_business_seconds = self.calendar.seconds_between(created_at, solved_at)
        else:
            # Unfinished conversations get due times as any other would. A breach that happened
            # in the old helpdesk is marked, but no breach event is made up for it; care
            # priority follows from the periodic refresh (see import_file).
            row.waiting_since = waiting if record.status == Status.OPEN else None
            key = (row.priority, row.channel)
            if key not in self.targets:
                self.targets[key] = sla.due_targets(*key)
            sla.refresh_due_times(row, self.calendar, self.targets[key])
            row.sla_breached = sla.is_breached(row, self.now)
        return row

    def _tag(self, records: list[ImportedConversation], rows: list[Conversation]) -> None:
        wanted = {slugify(name)[:60] for record in records for name in record.tags if slugify(name)}
        missing = wanted - self.tags.keys()
        if missing:
            Tag.objects.bulk_create([Tag(name=name) for name in missing], ignore_conflicts=True)
            self.tags.update(Tag.objects.filter(name__in=missing).values_list("name", "pk"))
        through = Conversation.tags.through
        links = {
            (row.pk, self.tags[slugify(name)[:60]])
            for record, row in zip(records, rows, strict=True)
            for name in record.tags
            if slugify(name)
        }
        through.objects.bulk_create(
            [through(conversation_id=pk, tag_id=tag_id) for pk, tag_id in links],
            ignore_conflicts=True,
        )

    # --- messages --------------------------------------------------------------------------

    def _write_messages(
        self,
        records: list[ImportedConversation],
        conversation_ids: dict[str, int],
        created: dict[int, Conversation],
        scored: list[int],
    ) -> list[RecordProblem]:
        keys = [
            _reference_key(record.external_id, message.external_id)
            for record in records
            for message in record.messages
        ]
        known = self._references(Kind.MESSAGE, keys)
        self._agents([m.author_email for r in records for m in r.messages], records)
        problems: list[RecordProblem] = []
        rows: list[tuple[str, Message]] = []
        existing = {
            row.pk: row
            for row in Conversation.objects.filter(
                pk__in=[pk for pk in conversation_ids.values() if pk not in created]
            ).only("pk", "channel", "team_id", "created_at", "search_text")
        }
        for record in records:
            conversation = created.get(conversation_ids[record.external_id]) or existing.get(
                conversation_ids[record.external_id]
            )
            if conversation is None:
                continue
            waiting = None
            for message in sorted(record.messages, key=lambda m: m.created_at):
                key = _reference_key(record.external_id, message.external_id)
                public = not message.internal
                if public and message.author_kind == "customer":
                    waiting = waiting or message.created_at
                if key in known:
                    if public and message.author_kind != "customer":
                        waiting = None
                    continue
                known[key] = 0
                if not message.body_text.strip() and not message.body_html.strip():
                    problems.append(
                        RecordProblem(record.location, message.external_id, "the message is empty")
                    )
                    continue
                row = self._message_row(conversation, message)
                if public and message.author_kind != "customer":
                    if waiting is not None:
                        row.response_seconds = _seconds(waiting, message.created_at)
                        row.response_business_seconds = self.calendar.seconds_between(
                            waiting, message.created_at
                        )
                    waiting = None
                rows.append((key, row))
        insert_all([row for _, row in rows])
        self._remember(Kind.MESSAGE, ((key, row.pk) for key, row in rows))
        self._extend_search_text(existing, [row for _, row in rows])
        self.run.messages_created += len(rows)
        scored.extend(
            row.pk
            for _, row in rows
            if row.author_kind == Message.Author.CUSTOMER and not row.is_internal_note
        )
        return problems

    def _extend_search_text(self, existing: dict[int, Conversation], rows: list[Message]) -> None:
        """A conversation imported before that gained messages (an incremental export) finds
        their words too; new conversations got theirs when written."""
        for conversation_id, conversation in existing.items():
            words = [
                row.body_text
                for row in rows
                if row.conversation_id == conversation_id and not row.is_internal_note
            ]
            if words:
                text = " ".join([conversation.search_text, *words]).strip()
                Conversation.objects.filter(pk=conversation_id).update(
                    search_text=text[:SEARCH_TEXT_LIMIT], updated_at=timezone.now()
                )

    def _message_row(self, conversation: Conversation, message: ImportedMessage) -> Message:
        author = self.agents.get(message.author_email) if message.author_email else None
        from_customer = message.author_kind == "customer"
        return Message(
            conversation_id=conversation.pk,
            author_kind=Message.Author.CUSTOMER if from_customer else Message.Author.AGENT,
            author_id=author[0] if author and not from_customer else None,
            channel=conversation.channel,
            is_internal_note=message.internal,
            note_team_id=conversation.team_id if message.internal else None,
            body_text=clean_text(message.body_text),
            body_html=sanitise_html(message.body_html) if message.body_html else "",
            created_at=message.created_at,
        )

    # --- people ----------------------------------------------------------------------------

    def _customers(self, people: list[ImportedCustomer]) -> dict[tuple[str, str], int]:
        """The careloop customer of each imported one: by earlier import, by email, or new."""
        self._customer_parts = {}
        keys = {_customer_key(person): person for person in people}
        by_reference = self._references(
            Kind.CUSTOMER, [person.external_id for person in keys.values() if person.external_id]
        )
        emails = {person.email for person in keys.values() if person.email}
        by_email = dict(
            ContactPoint.objects.filter(kind=ContactPoint.Kind.EMAIL, value__in=emails).values_list(
                "value", "customer_id"
            )
        )
        # A customer made by hand may have an address but no contact point for it.
        by_email.update(
            (str(email), pk)
            for email, pk in Customer.objects.filter(
                email__in=emails - by_email.keys()
            ).values_list("email", "pk")
        )
        merged = set(
            Customer.objects.filter(
                pk__in=by_email.values(), merged_into__isnull=False
            ).values_list("pk", flat=True)
        )
        by_email = {email: _followed(pk) if pk in merged else pk for email, pk in by_email.items()}
        found: dict[tuple[str, str], int] = {}
        new: dict[tuple[str, str], Customer] = {}
        # Two records of one new person in a batch (same address or id) make one customer.
        new_by_identity: dict[str, Customer] = {}
        for key, person in keys.items():
            pk = by_reference.get(person.external_id) or by_email.get(person.email)
            if pk:
                found[key] = pk
                continue
            identities = [
                f"email:{person.email}" if person.email else "",
                f"id:{person.external_id}" if person.external_id else "",
            ]
            same = next((new_by_identity[i] for i in identities if i in new_by_identity), None)
            customer = same or Customer(
                full_name=clean_text(person.name).strip()[:200]
                or (person.email.split("@")[0] if person.email else person.external_id),
                email=person.email or None,
            )
            new[key] = customer
            new_by_identity.update((identity, customer) for identity in identities if identity)
        created = list({id(customer): customer for customer in new.values()}.values())
        insert_all(created)
        insert_all(
            [
                ContactPoint(customer=customer, kind=ContactPoint.Kind.EMAIL, value=customer.email)
                for customer in created
                if customer.email
            ]
        )
        self.run.customers_created += len(created)
        found.update((key, customer.pk) for key, customer in new.items())
        self._remember(
            Kind.CUSTOMER,
            (
                (person.external_id, found[key])
                for key, person in keys.items()
                if person.external_id and person.external_id not in by_reference
            ),
        )
        for customer_id, name, email in Customer.objects.filter(
            pk__in=set(found.values())
        ).values_list("pk", "full_name", "email"):
            self._customer_parts[customer_id] = (name, email or "")
        return found

    def _agents(self, emails: Iterable[str], records: list[ImportedConversation]) -> None:
        """Known agents by email; unknown addresses become inactive agent accounts."""
        wanted = {email for email in emails if email} - self.agents.keys()
        if not wanted:
            return
        for pk, email, team_id in User.objects.filter(email__in=wanted).values_list(
            "pk", "email", "team_id"
        ):
            self.agents[email] = (pk, team_id)
        names = {r.assignee_email: r.assignee_name for r in records if r.assignee_name}
        names.update(
            (m.author_email, m.author_name) for r in records for m in r.messages if m.author_name
        )
        accounts = add_former_agents(
            {email: clean_text(names.get(email, "")) for email in wanted - self.agents.keys()}
        )
        self.run.agents_created += len(accounts)
        self.agents.update((account.email, (account.pk, None)) for account in accounts)

    # --- references ------------------------------------------------------------------------

    def _references(self, kind: str, external_ids: list[str]) -> dict[str, int]:
        if not external_ids:
            return {}
        return dict(
            ExternalReference.objects.filter(
                source=self.source, kind=kind, external_id__in=set(external_ids)
            ).values_list("external_id", "object_id")
        )

    def _remember(self, kind: str, pairs: Iterable[tuple[str, int]]) -> None:
        insert_all(
            [
                ExternalReference(
                    source=self.source, kind=kind, external_id=external_id, object_id=pk
                )
                for external_id, pk in dict(pairs).items()
            ]
        )


def _customer_key(person: ImportedCustomer) -> tuple[str, str]:
    return (person.external_id, person.email)


def _followed(customer_id: int) -> int:
    """The customer that absorbed this one through merges, if any."""
    seen: set[int] = set()
    while customer_id not in seen:
        seen.add(customer_id)
        merged_into = (
            Customer.objects.filter(pk=customer_id, merged_into__isnull=False)
            .values_list("merged_into_id", flat=True)
            .first()
        )
        if merged_into is None:
            break
        customer_id = merged_into
    return customer_id


def _seconds(start: datetime, end: datetime) -> int:
    return max(int((end - start).total_seconds()), 0)


def _enqueue_scoring(message_ids: list[int]) -> None:
    from careloop.importers.tasks import score_imported_messages

    for start in range(0, len(message_ids), SCORING_BATCH):
        score_imported_messages.enqueue(message_ids[start : start + SCORING_BATCH])


def problems_of(run: ImportRun) -> Iterator[ImportProblem]:
    return run.problems.order_by("pk").iterator()


def summary_of(run: ImportRun) -> dict[str, Any]:
    return {
        "conversations_created": run.conversations_created,
        "messages_created": run.messages_created,
        "customers_created": run.customers_created,
        "agents_created": run.agents_created,
        "already_present": run.already_present,
        "failed": run.failed,
    }
