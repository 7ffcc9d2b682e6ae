"""What the conversations domain holds about a customer, for export, erasure and retention."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from careloop.conversations.models import (
    Attachment,
    Conversation,
    Customer,
    InboundRecord,
    Message,
    Status,
)
from careloop.core.privacy import CustomerDataSource, RetentionSource

ERASED_TEXT = "[erased]"


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


def export_customer(customer: Customer) -> dict[str, Any]:
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
    InboundRecord.objects.filter(message__in=messages).update(raw=b"")
    # Emotion readings, reply scores and response times stay: they carry no identity.
    return messages.update(body_text=ERASED_TEXT, body_html="")


def erase_customer(customer: Customer) -> int:
    conversations = Conversation.objects.filter(customer=customer)
    changed = _erase_messages(Message.objects.filter(conversation__in=conversations))
    conversations.update(subject="", search_text="")
    changed += customer.contact_points.all().delete()[0]
    customer.full_name = f"Erased customer {customer.pk}"
    customer.email = None
    customer.company = ""
    customer.notes = ""
    customer.erased_at = timezone.now()
    customer.save()
    return changed + 1


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


CUSTOMER_DATA = CustomerDataSource("conversations", export_customer, erase_customer)
RETENTION = (
    RetentionSource("raw_inbound", "Raw received emails and API requests", 90, purge_raw_inbound),
    RetentionSource(
        "finished_conversation_text",
        "Message texts of solved and closed conversations",
        3 * 365,
        purge_old_conversation_content,
    ),
)
