"""The goodwill gestures a customer received, for export and erasure."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from careloop.care.models import Gesture
from careloop.core.audit import forget_audit_text
from careloop.core.privacy import CustomerDataSource, CustomerIdentities

ERASED_TEXT = "[erased]"


def _gestures(identities: CustomerIdentities) -> QuerySet[Gesture]:
    return Gesture.objects.filter(
        Q(customer__in=identities.customer_ids) | Q(conversation__in=identities.conversation_ids)
    )


def export_customer(identities: CustomerIdentities) -> list[dict[str, Any]]:
    return [
        {
            "kind": gesture.kind,
            "amount": str(gesture.amount),
            "currency": gesture.currency,
            "reason": gesture.reason,
            "items_out": gesture.items_out,
            "items_in": gesture.items_in,
            "status": gesture.status,
            "created_at": gesture.created_at.isoformat(),
        }
        for gesture in _gestures(identities).order_by("created_at")
    ]


def erase_customer(identities: CustomerIdentities) -> int:
    """Reasons are free text about the customer; amounts and kinds stay for the outcomes."""
    gestures = _gestures(identities)
    gesture_ids = list(gestures.values_list("pk", flat=True))
    changed = gestures.update(reason=ERASED_TEXT, decision_reason="", execution_detail="")
    return changed + forget_audit_text(Gesture, gesture_ids)


CUSTOMER_DATA = CustomerDataSource("goodwill", export_customer, erase_customer)
