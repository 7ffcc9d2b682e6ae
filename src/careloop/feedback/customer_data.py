"""What the voice-of-the-customer domain holds about a customer, for export and erasure."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from careloop.core.audit import forget_audit_text
from careloop.core.privacy import CustomerDataSource, CustomerIdentities
from careloop.feedback.models import (
    Concern,
    ConcernMessage,
    EmailOptOut,
    RecoveryContact,
    RecoveryTask,
    SurveyResponse,
    ThemeAssignment,
    ThemeSource,
)

ERASED_TEXT = "[erased]"


def _named_concerns(identities: CustomerIdentities) -> list[Concern]:
    # Named concerns carry the email the customer typed, not a link to their record.
    by_email = Q()
    for email in identities.emails:
        by_email |= Q(email__iexact=email)
    return list(
        Concern.objects.filter(
            Q(reference__in=identities.concern_references) | (by_email & Q(is_anonymous=False))
        )
    )


def identify_concerns(known: CustomerIdentities) -> CustomerIdentities:
    """Named concerns raised with one of the customer's addresses."""
    if not known.emails:
        return known
    return known.adding(
        concern_references=[concern.reference for concern in _named_concerns(known)]
    )


def export_customer(identities: CustomerIdentities) -> dict[str, Any]:
    customers = identities.customer_ids
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
            for response in SurveyResponse.objects.filter(customer__in=customers)
        ],
        "unsubscribed": EmailOptOut.objects.filter(customer__in=customers).exists(),
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
            for concern in _named_concerns(identities)
        ],
    }


def erase_customer(identities: CustomerIdentities) -> int:
    """Comments, named concerns and contact notes go; scores stay, for the trends."""
    responses = SurveyResponse.objects.filter(customer__in=identities.customer_ids)
    response_ids = list(responses.values_list("pk", flat=True))
    changed = responses.update(comment="", answers=[])
    tasks = RecoveryTask.objects.filter(customer__in=identities.customer_ids)
    task_ids = list(tasks.values_list("pk", flat=True))
    changed += RecoveryContact.objects.filter(task__in=task_ids).update(note=ERASED_TEXT)
    changed += tasks.update(outcome_note="")
    concern_ids = [concern.pk for concern in _named_concerns(identities)]
    # Handlers' replies to a named concern address and quote the customer: they go too.
    changed += ConcernMessage.objects.filter(concern__in=concern_ids).update(body=ERASED_TEXT)
    changed += Concern.objects.filter(pk__in=concern_ids).update(
        name="", email="", body=ERASED_TEXT
    )
    # The customer's words stop being one of a theme's examples; the theme's size stays.
    changed += ThemeAssignment.objects.filter(
        Q(source=ThemeSource.COMMENT, source_id__in=response_ids)
        | Q(source=ThemeSource.CONCERN, source_id__in=concern_ids)
    ).update(text="")
    changed += forget_audit_text(RecoveryTask, task_ids)
    changed += forget_audit_text(Concern, concern_ids)
    return changed


CUSTOMER_DATA = CustomerDataSource(
    "feedback", export_customer, erase_customer, identify=identify_concerns
)
