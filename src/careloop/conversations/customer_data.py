"""What the conversations domain holds about a customer, for export, erasure and retention."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from careloop.conversations.models import (
    Attachment,
    ContactPoint,
    Conversation,
    Customer,
    InboundRecord,
    Message,
    Status,
)
from careloop.core.audit import forget_audit_text
from careloop.core.privacy import CustomerDataSource, CustomerIdentities, RetentionSource

ERASED_TEXT = "[erased]"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


CONTACT_FIELDS = {
    ContactPoint.Kind.EMAIL: "emails",
    ContactPoint.Kind.CHAT: "chat_ids",
    ContactPoint.Kind.EXTERNAL: "external_ids",
    ContactPoint.Kind.PHONE: "phones",
}


def identify_customer(known: CustomerIdentities) -> CustomerIdentities:
    """The customer and those merged into them: names, contact points, conversations."""
    customers = Customer.objects.filter(
        Q(pk__in=known.customer_ids) | Q(merged_into__in=known.customer_ids)
    )
    points = ContactPoint.objects.filter(customer__in=customers)
    conversations = Conversation.objects.filter(customer__in=customers)
    found = known.adding(
        customer_ids=customers.values_list("pk", flat=True),
        names=customers.exclude(erased_at__isnull=False).values_list("full_name", flat=True),
        emails=customers.exclude(email=None).values_list("email", flat=True),
        conversation_ids=conversations.values_list("pk", flat=True),
        message_ids=Message.objects.filter(conversation__in=conversations).values_list(
            "pk", flat=True
        ),
    )
    for kind, field_name in CONTACT_FIELDS.items():
        found = found.adding(
            **{field_name: points.filter(kind=kind).values_list("value", flat=True)}
        )
    return found


def export_customer(identities: CustomerIdentities) -> dict[str, Any]:
    customer = Customer.objects.get(pk=identities.customer_id)
    conversations = Conversation.objects.filter(customer=customer).prefetch_related(
        "tags", "messages__attachments"
    )
    return {
        "profile": {
            "id": customer.pk,
            "full_name": customer.full_name,
            "email": customer.email,
            "company": customer.company,
            "language": customer.language,
            "preferred_channel": customer.preferred_channel,
            "notes": customer.notes,
            "created_at": _iso(customer.created_at),
        },
        "contact_points": [
            {"kind": point.kind, "value": point.value} for point in customer.contact_points.all()
        ],
        "conversations": [
            {
                "id": conversation.pk,
                "subject": conversation.subject,
                "channel": conversation.channel,
                "status": conversation.status,
                "created_at": _iso(conversation.created_at),
                "tags": [tag.name for tag in conversation.tags.all()],
                "messages": [
                    {
                        "from": message.author_kind,
                        "at": _iso(message.created_at),
                        "channel": message.channel,
                        "text": message.body_text,
                        "attachments": [
                            {"filename": file.filename, "size": file.size}
                            for file in message.attachments.all()
                        ],
                    }
                    # Internal notes are the team's working notes, not the customer's data.
                    for message in conversation.messages.all()
                    if not message.is_internal_note
                ],
            }
            for conversation in conversations
        ],
    }


def _erase_messages(messages: QuerySet[Message]) -> int:
    for attachment in Attachment.objects.filter(message__in=messages):
        attachment.file.delete(save=False)
    Attachment.objects.filter(message__in=messages).delete()
    InboundRecord.objects.filter(message__in=messages).update(raw=b"", problem="")
    # Emotion readings, reply scores and response times stay: they carry no identity.
    return messages.update(body_text=ERASED_TEXT, body_html="", email_message_id="")


def _erase_unfiled_records(identities: CustomerIdentities) -> int:
    """Raw input never filed as a message (flagged, rejected) that names the customer.

    Such records are few (filed ones are found through their message), so they are read.
    """
    # Names are left out: too common to tell one customer's raw email from another's.
    needles = [value.lower() for value in identities.strings() - identities.names]
    unfiled = InboundRecord.objects.filter(message__isnull=True).exclude(raw=b"", problem="")
    naming = [
        pk
        for pk, raw, problem in unfiled.values_list("pk", "raw", "problem").iterator()
        if any(
            needle.encode() in bytes(raw).lower() or needle in problem.lower() for needle in needles
        )
    ]
    return InboundRecord.objects.filter(pk__in=naming).update(raw=b"", problem="")


def erase_customer(identities: CustomerIdentities) -> int:
    customers = Customer.objects.filter(pk__in=identities.customer_ids)
    conversations = Conversation.objects.filter(pk__in=identities.conversation_ids)
    changed = _erase_messages(Message.objects.filter(pk__in=identities.message_ids))
    changed += _erase_unfiled_records(identities)
    conversations.update(subject="", search_text="")
    changed += ContactPoint.objects.filter(customer__in=customers).delete()[0]
    for customer in customers:
        customer.full_name = f"Erased customer {customer.pk}"
        customer.email = None
        customer.company = ""
        customer.notes = ""
        customer.erased_at = customer.erased_at or timezone.now()
        customer.save()
        changed += 1
    changed += forget_audit_text(Customer, identities.customer_ids)
    changed += forget_audit_text(Conversation, identities.conversation_ids)
    return changed


def purge_raw_inbound(cutoff: datetime) -> int:
    """Raw emails, chat messages and API bodies, once processed or flagged, are kept only for
    a while: a flagged record nobody looked at in time goes as well."""
    done = (InboundRecord.State.PROCESSED, InboundRecord.State.FLAGGED)
    return (
        InboundRecord.objects.filter(state__in=done, received_at__lt=cutoff)
        .exclude(raw=b"")
        .update(raw=b"")
    )


def purge_old_conversation_content(cutoff: datetime) -> int:
    """Texts of conversations finished long ago; their numbers stay for the trends."""
    finished = Conversation.objects.filter(
        status__in=(Status.SOLVED, Status.CLOSED), updated_at__lt=cutoff
    )
    return _erase_messages(
        Message.objects.filter(conversation__in=finished).filter(~Q(body_text=ERASED_TEXT))
    )


CUSTOMER_DATA = CustomerDataSource(
    "conversations", export_customer, erase_customer, identify=identify_customer
)
RETENTION = (
    RetentionSource("raw_inbound", "Raw received emails and API requests", 90, purge_raw_inbound),
    RetentionSource(
        "finished_conversation_text",
        "Message texts of solved and closed conversations",
        3 * 365,
        purge_old_conversation_content,
    ),
)
