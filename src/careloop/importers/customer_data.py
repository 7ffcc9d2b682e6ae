"""What imports know about a customer: their ids in the helpdesk they came from."""

from __future__ import annotations

from typing import Any

from careloop.core.privacy import CustomerDataSource, CustomerIdentities
from careloop.importers.models import ExternalReference


def _references(identities: CustomerIdentities) -> Any:
    return ExternalReference.objects.filter(
        kind=ExternalReference.Kind.CUSTOMER, object_id__in=identities.customer_ids
    )


def export(identities: CustomerIdentities) -> list[dict[str, str]]:
    return [
        {"source": source, "external_id": external_id}
        for source, external_id in _references(identities).values_list("source", "external_id")
    ]


def erase(identities: CustomerIdentities) -> int:
    """Forget the customer's id in the old helpdesk. The conversations' references stay, so
    running the import again does not bring the erased conversations back."""
    deleted, _ = _references(identities).delete()
    return deleted


IMPORTED_CUSTOMERS = CustomerDataSource("imported_customers", export, erase)
