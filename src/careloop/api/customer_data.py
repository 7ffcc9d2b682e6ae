"""Stored API answers that hold a customer's data go when the customer is erased."""

from __future__ import annotations

import json

from django.db.models import Q

from careloop.api.models import ApiIdempotentResponse
from careloop.core.privacy import CustomerDataSource, CustomerIdentities


def erase_customer(identities: CustomerIdentities) -> int:
    """Answers about the customer's messages, or naming them, are deleted (not replayed).

    Answers that filed no message (rejected requests) are read: they live a day at most (see
    `api.idempotency`) and are few.
    """
    needles = [value.lower() for value in identities.strings()]
    answers = ApiIdempotentResponse.objects.filter(record__message__isnull=True).values_list(
        "pk", "body", "record__raw"
    )
    naming = [
        pk
        for pk, body, raw in answers.iterator()
        if any(
            needle in json.dumps(body, ensure_ascii=False).lower()
            or needle.encode() in bytes(raw or b"").lower()
            for needle in needles
        )
    ]
    return ApiIdempotentResponse.objects.filter(
        Q(pk__in=naming) | Q(record__message__in=identities.message_ids)
    ).delete()[0]


# Stored answers are copies of what the other domains export; there is nothing to add.
CUSTOMER_DATA = CustomerDataSource("api", None, erase_customer)
