"""Confidential concerns: raised by customers in confidence (named) or anonymously, read only
by the people who handle them, every read audited, answered within a response SLA."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from careloop.conversations.business_time import BusinessCalendar
from careloop.conversations.services.figures import business_calendar
from careloop.core import calendar
from careloop.core.audit import record_audit
from careloop.core.permissions import Action, can
from careloop.feedback.events import publish_concern
from careloop.feedback.models import Concern, ConcernMessage
from careloop.people.models import User

RESPONSE_BUSINESS_DAYS = 2
MAX_BODY_CHARS = 10_000
# No 0/O or 1/I/L: references are read out and typed back.
_REFERENCE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def _hash(code: str) -> str:
    return hashlib.sha256(code.strip().encode()).hexdigest()


def _new_reference() -> str:
    while True:
        reference = "C-" + "".join(secrets.choice(_REFERENCE_ALPHABET) for _ in range(8))
        if not Concern.objects.filter(reference=reference).exists():
            return reference


def response_due(
    day: datetime.date, calendar: BusinessCalendar, days: int = RESPONSE_BUSINESS_DAYS
) -> datetime.datetime:
    """Closing time of the `days`-th business day after `day` (the day raised does not count)."""
    zone = calendar.time_zone
    if calendar.always_open:
        return datetime.datetime.combine(
            day + datetime.timedelta(days=days), datetime.time(23, 59), tzinfo=zone
        )
    counted = 0
    current = day
    for _ in range(3660):
        current += datetime.timedelta(days=1)
        if current in calendar.holidays or current.weekday() not in calendar.hours:
            continue
        counted += 1
        if counted == days:
            return datetime.datetime.combine(current, calendar.hours[current.weekday()][1], zone)
    raise ValueError("The business calendar has no opening hours within ten years.")


def raise_concern(
    *,
    category: str,
    body: str,
    anonymous: bool,
    name: str = "",
    email: str = "",
    today: datetime.date | None = None,
    notify: bool = True,
) -> tuple[Concern, str]:
    """Store a concern; return it with the follow-up code, which is shown once and never stored.

    An anonymous concern keeps no name, address or time of day: only the day it arrived.
    """
    if category not in Concern.Category.values:
        raise ValidationError("Choose what the concern is about.")
    body = body.strip()
    if not body:
        raise ValidationError("Tell us what happened.")
    if len(body) > MAX_BODY_CHARS:
        raise ValidationError(f"Please keep it under {MAX_BODY_CHARS} characters.")
    if anonymous:
        name = email = ""
    elif not name.strip():
        raise ValidationError("Give your name, or choose to stay anonymous.")
    today = today or calendar.today()
    code = secrets.token_urlsafe(18)
    concern = Concern.objects.create(
        reference=_new_reference(),
        follow_up_code_hash=_hash(code),
        category=category,
        body=body,
        is_anonymous=anonymous,
        name=name.strip()[:200],
        email=email.strip()[:254],
        raised_on=today,
        first_response_due=response_due(today, business_calendar()),
    )
    if notify:
        transaction.on_commit(lambda: _notify(concern.pk))
        publish_concern(concern)
    return concern, code


def _notify(concern_id: int) -> None:
    from careloop.feedback.tasks import notify_concern_handlers

    notify_concern_handlers.enqueue(concern_id)


def concern_for_customer(reference: str, code: str) -> Concern | None:
    """The concern a reference and its follow-up code open together; None otherwise."""
    concern = Concern.objects.filter(reference=reference.strip().upper()).first()
    if concern is None or not hmac.compare_digest(concern.follow_up_code_hash, _hash(code)):
        return None
    return concern


def _require_handler(user: User) -> None:
    if not can(user, Action.HANDLE_CONCERNS):
        raise PermissionDenied("Only the people who handle concerns may read them.")


def read_concern(concern: Concern, user: User) -> Concern:
    """Open a concern for a handler; the read is written to the audit trail."""
    _require_handler(user)
    record_audit(user, "concern.read", concern, summary=concern.reference)
    return concern


def _add_message(
    concern: Concern, body: str, *, from_customer: bool, author: User | None
) -> ConcernMessage:
    body = body.strip()
    if not body:
        raise ValidationError("A message needs some text.")
    return ConcernMessage.objects.create(
        concern=concern,
        body=body[:MAX_BODY_CHARS],
        from_customer=from_customer,
        author=author,
        written_on=calendar.today(),
        position=concern.messages.count() + 1,
    )


@transaction.atomic
def reply_to_concern(concern: Concern, user: User, body: str) -> ConcernMessage:
    _require_handler(user)
    message = _add_message(concern, body, from_customer=False, author=user)
    if concern.first_response_at is None:
        concern.first_response_at = timezone.now()
    if concern.status == Concern.Status.NEW:
        concern.status = Concern.Status.IN_PROGRESS
    concern.save(update_fields=["first_response_at", "status"])
    record_audit(user, "concern.replied", concern, summary=concern.reference)
    if concern.email:
        transaction.on_commit(lambda: _tell_customer(concern.pk))
    return message


def _tell_customer(concern_id: int) -> None:
    from careloop.feedback.tasks import tell_customer_about_reply

    tell_customer_about_reply.enqueue(concern_id)


def follow_up_from_customer(concern: Concern, body: str) -> ConcernMessage:
    if concern.status == Concern.Status.CLOSED:
        raise ValidationError("This concern is closed; raise a new one if something is left.")
    return _add_message(concern, body, from_customer=True, author=None)


def set_concern_status(concern: Concern, user: User, status: str) -> Concern:
    _require_handler(user)
    if status not in Concern.Status.values:
        raise ValidationError(f"Unknown status: {status!r}.")
    concern.status = status
    concern.save(update_fields=["status"])
    record_audit(user, "concern.status", concern, summary=f"{concern.reference}: {status}")
    return concern
