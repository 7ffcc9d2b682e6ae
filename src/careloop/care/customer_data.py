"""The goodwill gestures a customer received, for export and erasure."""

from __future__ import annotations

from typing import Any

from careloop.care.models import Gesture
from careloop.conversations.models import Customer
from careloop.core.privacy import CustomerDataSource

ERASED_TEXT = "[erased]"


def export_customer(customer: Customer) -> list[dict[str, Any]]:
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
        for gesture in Gesture.objects.filter(customer=customer).order_by("created_at")
    ]


def erase_customer(customer: Customer) -> int:
    """Reasons are free text about the customer; amounts and kinds stay for the outcomes."""
    return Gesture.objects.filter(customer=customer).update(reason=ERASED_TEXT)


CUSTOMER_DATA = CustomerDataSource("goodwill", export_customer, erase_customer)
