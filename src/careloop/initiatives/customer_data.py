"""The customer's imported annual value, for data-rights exports and erasure."""

from __future__ import annotations

from typing import Any

from careloop.core.privacy import CustomerDataSource, CustomerIdentities
from careloop.initiatives.models import CustomerValue, CustomerValueImport


def export_customer(identities: CustomerIdentities) -> Any:
    return [
        {"annual_value": str(value)}
        for value in CustomerValue.objects.filter(
            customer_id__in=identities.customer_ids
        ).values_list("annual_value", flat=True)
    ]


def erase_customer(identities: CustomerIdentities) -> int:
    """The value goes, and every line naming the customer leaves the kept import files."""
    changed = CustomerValue.objects.filter(customer_id__in=identities.customer_ids).delete()[0]
    needles = [value.lower() for value in identities.strings()]
    for received in CustomerValueImport.objects.only("pk", "raw").iterator():
        lines = received.raw.splitlines(keepends=True)
        kept = [line for line in lines if not any(needle in line.lower() for needle in needles)]
        if len(kept) != len(lines):
            CustomerValueImport.objects.filter(pk=received.pk).update(raw="".join(kept))
            changed += 1
    return changed


CUSTOMER_DATA = CustomerDataSource("initiatives", export_customer, erase_customer)
