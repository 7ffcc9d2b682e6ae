"""The customer's words that success stories quote, for export and erasure."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from careloop.core.audit import forget_audit_text
from careloop.core.privacy import CustomerDataSource, CustomerIdentities
from careloop.recognition.models import SuccessStory

ERASED_TEXT = "[erased]"
ERASED_TITLE = "A customer's thanks (erased at the customer's request)"


def _stories(identities: CustomerIdentities) -> QuerySet[SuccessStory]:
    return SuccessStory.objects.filter(
        Q(conversation__in=identities.conversation_ids)
        | Q(evidence_message__in=identities.message_ids)
    )


def export_customer(identities: CustomerIdentities) -> list[dict[str, Any]]:
    return [
        {"words": story.customer_words, "source": story.source_label, "status": story.status}
        for story in _stories(identities).order_by("created_at")
    ]


def erase_customer(identities: CustomerIdentities) -> int:
    """The words go, and the title and note told from them; the agent's recognition stays."""
    stories = _stories(identities)
    story_ids = list(stories.values_list("pk", flat=True))
    changed = stories.update(customer_words=ERASED_TEXT, title=ERASED_TITLE, note="")
    return changed + forget_audit_text(SuccessStory, story_ids)


CUSTOMER_DATA = CustomerDataSource("recognition", export_customer, erase_customer)
