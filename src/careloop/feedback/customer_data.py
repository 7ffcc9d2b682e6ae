"""What the voice-of-the-customer domain holds about a customer, for export and erasure."""

from __future__ import annotations

from typing import Any

from careloop.conversations.models import Customer
from careloop.core.privacy import CustomerDataSource
from careloop.feedback.models import (
    Concern,
    ConcernMessage,
    EmailOptOut,
    RecoveryContact,
    RecoveryTask,
    SurveyResponse,
)

ERASED_TEXT = "[erased]"


def _named_concerns(customer: Customer) -> list[Concern]:
    # Named concerns carry the email the customer typed, not a link to their record.
    if not customer.email:
        return []
    return list(Concern.objects.filter(is_anonymous=False, email__iexact=customer.email))


def export_customer(customer: Customer) -> dict[str, Any]:
    return {
        "survey_responses": [
            {
                "kind": response.kind,
                "answered_at": response.answered_at.isoformat(),
                "csat": response.csat,
                "ces": response.ces,
                "nps": response.nps,
                "comment": response.comment,
                "answers": response.answers,
            }
            for response in SurveyResponse.objects.filter(customer=customer)
        ],
        "unsubscribed": EmailOptOut.objects.filter(customer=customer).exists(),
        "concerns": [
            {
                "reference": concern.reference,
                "category": concern.category,
                "raised_on": concern.raised_on.isoformat(),
                "messages": [
                    {"from_customer": message.from_customer, "text": message.body}
                    for message in concern.messages.all()
                ],
            }
            for concern in _named_concerns(customer)
        ],
    }


def erase_customer(customer: Customer) -> int:
    """Comments, named concerns and contact notes go; scores stay, for the trends."""
    changed = SurveyResponse.objects.filter(customer=customer).update(comment="", answers=[])
    tasks = RecoveryTask.objects.filter(customer=customer)
    changed += RecoveryContact.objects.filter(task__in=tasks).update(note=ERASED_TEXT)
    changed += tasks.update(outcome_note="")
    concerns = _named_concerns(customer)
    changed += ConcernMessage.objects.filter(concern__in=concerns, from_customer=True).update(
        body=ERASED_TEXT
    )
    changed += Concern.objects.filter(pk__in=[c.pk for c in concerns]).update(
        name="", email="", body=ERASED_TEXT
    )
    return changed


CUSTOMER_DATA = CustomerDataSource("feedback", export_customer, erase_customer)
