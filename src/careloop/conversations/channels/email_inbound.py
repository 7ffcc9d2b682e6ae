"""Email in: keep the raw bytes first, then turn them into a customer message in the right thread.

`store_raw_email` is all an entry point (IMAP poller, HTTP endpoint) must finish before it
acknowledges an email: from then on nothing is lost, and the same email arriving twice is
recognised by its Message-ID. `process_inbound_email` may then fail on anything; the record
is flagged with the reason instead, and never half-processed.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from email.utils import getaddresses

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from careloop.conversations.channels.email_parsing import (
    ParsedEmail,
    clean_text,
    dedupe_key_for,
    parse_email,
)
from careloop.conversations.models import (
    Attachment,
    Channel,
    ContactPoint,
    Conversation,
    Customer,
    InboundRecord,
    Message,
    Status,
)
from careloop.conversations.services.conversations import (
    hold_unverified_message,
    receive_customer_message,
)
from careloop.conversations.services.customers import find_or_create_customer

logger = logging.getLogger(__name__)

MAX_RAW_EMAIL_BYTES = 25 * 1024 * 1024
SUBJECT_TOKEN = re.compile(r"\[#([0-9a-zA-Z]{8,32})\]")
PLUS_ADDRESS_TOKEN = re.compile(r"\+([0-9a-zA-Z]{8,32})@")


class UnprocessableEmail(Exception):
    """The email is kept, but no customer message can be made from it."""


@dataclass(frozen=True)
class StoredEmail:
    record: InboundRecord
    duplicate: bool


def store_raw_email(raw: bytes) -> StoredEmail:
    """Keep the email exactly as received, once per Message-ID (or per content without one)."""
    key = dedupe_key_for(raw)
    existing = _stored_with(key)
    if existing is not None:
        return StoredEmail(existing, duplicate=True)
    try:
        with transaction.atomic():
            record = InboundRecord.objects.create(channel=Channel.EMAIL, dedupe_key=key, raw=raw)
    except IntegrityError:
        # The same email arrived twice at once (poller and endpoint, two workers): one wins.
        return StoredEmail(InboundRecord.objects.get(dedupe_key=key), duplicate=True)
    return StoredEmail(record, duplicate=False)


def _stored_with(dedupe_key: str) -> InboundRecord | None:
    return InboundRecord.objects.filter(dedupe_key=dedupe_key).first()


def ingest_email(raw: bytes) -> StoredEmail:
    """Store an email, then have it processed (inline or by a worker) once it is safely kept.

    A duplicate that never got processed (a crash between the two steps) is processed again.
    """
    stored = store_raw_email(raw)
    if stored.record.state == InboundRecord.State.RECEIVED:
        record_id = stored.record.pk
        transaction.on_commit(lambda: _enqueue_processing(record_id))
    return stored


def _enqueue_processing(record_id: int) -> None:
    from careloop.conversations.tasks import process_inbound_email as process_task

    process_task.enqueue(record_id)


def process_inbound_email(record_id: int) -> Message | None:
    """Turn a stored email into a customer message; safe to run twice.

    Returns the message, or None when the record was already handled or had to be flagged.
    """
    parsed: ParsedEmail | None = None
    try:
        with transaction.atomic():
            record = (
                InboundRecord.objects.select_for_update()
                .filter(pk=record_id, channel=Channel.EMAIL, state=InboundRecord.State.RECEIVED)
                .first()
            )
            if record is None:
                return None
            parsed = parse_email(bytes(record.raw))
            message = _message_from(parsed, record)
            record.message = message
            record.state = (
                InboundRecord.State.FLAGGED if parsed.problems else InboundRecord.State.PROCESSED
            )
            record.problem = clean_text("\n".join(parsed.problems))
            record.save(update_fields=["message", "state", "problem"])
            return message
    except UnprocessableEmail as error:
        problems = [str(error), *(parsed.problems if parsed else [])]
        _flag(record_id, "\n".join(problems))
    except Exception as error:
        logger.exception("Inbound email %s could not be processed", record_id)
        _flag(record_id, f"Processing failed: {type(error).__name__}: {str(error)[:500]}")
    return None


def _flag(record_id: int, problem: str) -> None:
    InboundRecord.objects.filter(pk=record_id, state=InboundRecord.State.RECEIVED).update(
        state=InboundRecord.State.FLAGGED, problem=clean_text(problem)[:20000]
    )


def _own_addresses() -> set[str]:
    headers = [settings.DEFAULT_FROM_EMAIL, settings.CARELOOP_SUPPORT_ADDRESS]
    return {address.lower() for _, address in getaddresses(headers) if "@" in address}


def _message_from(parsed: ParsedEmail, record: InboundRecord) -> Message:
    if not parsed.sender_address:
        raise UnprocessableEmail(
            f"No usable sender address in From: {parsed.from_header[:300]!r}."
            if parsed.from_header
            else "The email has no From address."
        )
    # Guards against mail loops: careloop's own replies landing in the mailbox it polls.
    if parsed.sender_address in _own_addresses() or (
        parsed.message_id
        and Message.objects.filter(
            email_message_id=parsed.message_id, author_kind=Message.Author.AGENT
        ).exists()
    ):
        raise UnprocessableEmail("Sent by careloop itself, so not a customer message.")
    conversation = thread_for(parsed)
    if conversation is not None and conversation.merged_into_id is not None:
        conversation = Conversation.objects.get(pk=conversation.merged_into_id)
    if (
        conversation is not None
        and conversation.status != Status.CLOSED
        and not _is_address_of(conversation.customer, parsed.sender_address)
    ):
        # A reply token or a References header is no proof of who wrote: knowing one must
        # not let a stranger speak as the customer.
        message = hold_unverified_message(
            conversation,
            sender=parsed.sender_address,
            channel=Channel.EMAIL,
            body_text=parsed.body_text,
            body_html=parsed.body_html,
            email_message_id=parsed.message_id,
            at=record.received_at,
        )
    else:
        message = receive_customer_message(
            _customer_for(parsed.sender_address, parsed.sender_name),
            channel=Channel.EMAIL,
            body_text=parsed.body_text,
            body_html=parsed.body_html,
            subject=parsed.subject,
            conversation=conversation,
            email_message_id=parsed.message_id,
            at=record.received_at,
        )
    for attachment in parsed.attachments:
        stored = Attachment(
            message=message,
            filename=attachment.filename,
            content_type=attachment.content_type,
            size=len(attachment.content),
        )
        stored.file.save(attachment.filename, ContentFile(attachment.content), save=True)
    return message


def _is_address_of(customer: Customer, address: str) -> bool:
    """Whether the address is one of the customer's own (their email or an email contact point)."""
    address = address.strip().lower()
    return (customer.email or "").strip().lower() == address or customer.contact_points.filter(
        kind=ContactPoint.Kind.EMAIL, value__iexact=address
    ).exists()


def _customer_for(address: str, name: str) -> Customer:
    try:
        with transaction.atomic():
            return find_or_create_customer(
                kind=ContactPoint.Kind.EMAIL, value=address, full_name=name
            )
    except IntegrityError:
        # A customer already holds this address without its contact point (added by hand,
        # imported), or another email created it a moment ago: use that customer.
        customer = Customer.objects.filter(email=address).first()
        if customer is None:
            point = ContactPoint.objects.get(kind=ContactPoint.Kind.EMAIL, value=address)
            return point.customer
        ContactPoint.objects.get_or_create(
            kind=ContactPoint.Kind.EMAIL, value=address, defaults={"customer": customer}
        )
        return customer


def thread_for(parsed: ParsedEmail) -> Conversation | None:
    """The conversation an email continues: by its In-Reply-To/References headers, else by the
    reply token in the subject ("[#token]") or in a plus address (support+token@...)."""
    if parsed.references:
        earlier = (
            Message.objects.filter(email_message_id__in=parsed.references[-100:])
            .select_related("conversation")
            .order_by("-created_at", "-pk")
            .first()
        )
        if earlier is not None:
            return earlier.conversation
    tokens = SUBJECT_TOKEN.findall(parsed.subject)
    tokens += [
        token for recipient in parsed.recipients for token in PLUS_ADDRESS_TOKEN.findall(recipient)
    ]
    for token in tokens:
        conversation = Conversation.objects.filter(reply_token=token).first()
        if conversation is not None:
            return conversation
    return None
