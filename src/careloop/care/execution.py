"""Getting gestures executed by a shop or billing system: a signed webhook, results back by API.

Every gesture carries one idempotency key, sent with every delivery attempt, so the receiver
can execute it exactly once however often we retry. Results reported twice change nothing.

The receiver answers 2xx to take a gesture; it may put the result in that answer
(`{"result": "executed" | "failed", "reference": "...", "detail": "..."}`) or report it later
with `POST /api/v1/gestures/executions/`. Any other answer, or none, is retried with backoff.
"""

from __future__ import annotations

import datetime
import json
import time
import urllib.error
import urllib.request
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from careloop.care import selectors
from careloop.care.models import ExecutionStatus, Gesture
from careloop.core import webhook_signing
from careloop.core.audit import record_audit
from careloop.core.permissions import Action, may
from careloop.people.models import User

IDEMPOTENCY_HEADER = "Idempotency-Key"
EVENT = "gesture.execute"
TIMEOUT_SECONDS = 10
WEBHOOK_SCHEMES = ("https://", "http://")
# Waits before each retry; after the last the gesture is marked failed for a person to look at.
RETRY_DELAYS = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
    datetime.timedelta(hours=2),
    datetime.timedelta(hours=6),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# While one worker delivers, others leave the gesture alone for this long.
CLAIM_LEASE = datetime.timedelta(seconds=TIMEOUT_SECONDS * 3)


def payload_of(gesture: Gesture) -> dict[str, Any]:
    """What the shop needs to carry the gesture out, and nothing about the agent's person."""
    return {
        "id": gesture.pk,
        "idempotency_key": str(gesture.idempotency_key),
        "kind": gesture.kind,
        "amount": str(gesture.amount),
        "currency": gesture.currency,
        "booking": gesture.booking,
        "items_out": gesture.items_out,
        "items_in": gesture.items_in,
        "reason": gesture.reason,
        "customer": {
            "id": gesture.customer_id,
            "name": gesture.customer.full_name,
            "email": gesture.customer.email or "",
        },
        "conversation_id": gesture.conversation_id,
        "team": gesture.team.name if gesture.team else "",
        "granted_at": gesture.created_at.isoformat(),
    }


def _claim(gesture_pk: int, now: datetime.datetime) -> bool:
    """Take the gesture for one delivery attempt; False when it is not due or someone has it."""
    due = Gesture.objects.filter(pk=gesture_pk, execution_status=ExecutionStatus.PENDING).filter(
        _due_by(now)
    )
    return bool(due.update(next_delivery_at=now + CLAIM_LEASE))


def _due_by(now: datetime.datetime) -> Q:
    return Q(next_delivery_at__isnull=True) | Q(next_delivery_at__lte=now)


def deliver(gesture_pk: int) -> ExecutionStatus | None:
    """One delivery attempt, if the gesture is due one and a webhook is configured."""
    settings = selectors.care_settings()
    if not settings.webhook_url:
        return None  # no webhook: the shop pulls gestures through the API instead
    now = timezone.now()
    if not _claim(gesture_pk, now):
        return None
    gesture = selectors.gestures().get(pk=gesture_pk)
    body = json.dumps({"event": EVENT, "gesture": payload_of(gesture)}).encode()
    timestamp = int(time.time())
    if not settings.webhook_url.startswith(WEBHOOK_SCHEMES):
        return _attempt_failed(gesture, "The webhook URL must start with http:// or https://.")
    request = urllib.request.Request(  # noqa: S310 - scheme checked just above
        settings.webhook_url,
        data=body,
        method="POST",
        headers={
            "Content-Type": "application/json",
            "User-Agent": "careloop-webhook/1",
            IDEMPOTENCY_HEADER: str(gesture.idempotency_key),
            webhook_signing.SIGNATURE_HEADER: webhook_signing.signature_header(
                settings.webhook_secret, timestamp, body
            ),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:  # noqa: S310
            answer = response.read(65536)
    except (urllib.error.URLError, OSError, ValueError) as error:
        return _attempt_failed(gesture, _describe(error))
    return _delivered(gesture, answer)


def _describe(error: Exception) -> str:
    if isinstance(error, urllib.error.HTTPError):
        return f"HTTP {error.code} from the receiver"
    return f"{type(error).__name__}: {error}"[:500]


def _attempt_failed(gesture: Gesture, problem: str) -> ExecutionStatus:
    attempts = gesture.delivery_attempts + 1
    gave_up = attempts >= MAX_ATTEMPTS
    Gesture.objects.filter(pk=gesture.pk, execution_status=ExecutionStatus.PENDING).update(
        delivery_attempts=attempts,
        last_delivery_error=problem[:500],
        execution_status=ExecutionStatus.FAILED if gave_up else ExecutionStatus.PENDING,
        next_delivery_at=None if gave_up else timezone.now() + RETRY_DELAYS[attempts - 1],
    )
    if gave_up:
        record_audit(
            None, "gesture.execution_failed", gesture, summary=f"Gave up delivering: {problem}"
        )
    return ExecutionStatus.FAILED if gave_up else ExecutionStatus.PENDING


def _delivered(gesture: Gesture, answer: bytes) -> ExecutionStatus:
    """The receiver took it; it may answer with the result at once or report it later."""
    try:
        result = json.loads(answer or b"{}")
    except ValueError:
        result = {}
    Gesture.objects.filter(pk=gesture.pk, execution_status=ExecutionStatus.PENDING).update(
        delivery_attempts=gesture.delivery_attempts + 1,
        execution_status=ExecutionStatus.SENT,
        next_delivery_at=None,
        last_delivery_error="",
    )
    if isinstance(result, dict) and result.get("result") in ("executed", "failed"):
        gesture.refresh_from_db()
        return record_result(
            gesture,
            succeeded=result["result"] == "executed",
            reference=str(result.get("reference", "")),
            detail=str(result.get("detail", "")),
        ).execution_status  # type: ignore[return-value]
    return ExecutionStatus.SENT


def record_result(gesture: Gesture, *, succeeded: bool, reference: str, detail: str) -> Gesture:
    """The shop's word on a gesture. Repeating the same result changes nothing; an executed
    gesture stays executed (money that moved cannot un-move by a late failure report)."""
    with transaction.atomic():
        locked = Gesture.objects.select_for_update().get(pk=gesture.pk)
        if locked.execution_status in (ExecutionStatus.NOT_YET, ExecutionStatus.BY_HAND):
            raise ValidationError("This gesture is not waiting to be executed.")
        if locked.execution_status == ExecutionStatus.EXECUTED:
            if not succeeded:
                raise ValidationError("This gesture was already reported executed.")
            return locked
        if locked.execution_status == ExecutionStatus.FAILED and not succeeded:
            return locked
        locked.execution_status = ExecutionStatus.EXECUTED if succeeded else ExecutionStatus.FAILED
        locked.external_reference = reference.strip()[:200]
        locked.execution_detail = detail.strip()[:500]
        locked.executed_at = timezone.now() if succeeded else None
        locked.next_delivery_at = None
        locked.save(
            update_fields=[
                "execution_status",
                "external_reference",
                "execution_detail",
                "executed_at",
                "next_delivery_at",
            ]
        )
        record_audit(
            None,
            "gesture.executed" if succeeded else "gesture.execution_failed",
            locked,
            summary=f"Reported by the shop: {reference or 'no reference'} {detail}".strip(),
        )
    return locked


def retry(gesture: Gesture, *, by: User) -> Gesture:
    """Send a failed gesture again, from a lead's reconciliation view."""
    if not may(by, Action.SEE_GESTURES, gesture):
        raise PermissionDenied("You may not retry this gesture.")
    updated = Gesture.objects.filter(pk=gesture.pk, execution_status=ExecutionStatus.FAILED).update(
        execution_status=ExecutionStatus.PENDING,
        delivery_attempts=0,
        next_delivery_at=None,
        last_delivery_error="",
    )
    if not updated:
        raise ValidationError("Only a failed gesture can be retried.")
    record_audit(by, "gesture.execution_retried", gesture, summary="Sent again for execution")
    from careloop.care import tasks

    transaction.on_commit(lambda: tasks.deliver_gesture.enqueue(gesture.pk))
    gesture.refresh_from_db()
    return gesture


def resolve_by_hand(gesture: Gesture, *, by: User, reference: str) -> Gesture:
    """A lead records that a failed gesture was carried out another way (e.g. by hand)."""
    if not may(by, Action.SEE_GESTURES, gesture):
        raise PermissionDenied("You may not resolve this gesture.")
    reference = reference.strip()
    if not reference:
        raise ValidationError("Give the reference of the refund or credit made by hand.")
    with transaction.atomic():
        locked = Gesture.objects.select_for_update().get(pk=gesture.pk)
        if locked.execution_status != ExecutionStatus.FAILED:
            raise ValidationError("Only a failed gesture is resolved by hand.")
        locked.execution_status = ExecutionStatus.EXECUTED
        locked.external_reference = reference[:200]
        locked.execution_detail = f"Resolved by hand by {by}"[:500]
        locked.executed_at = timezone.now()
        locked.save(
            update_fields=[
                "execution_status",
                "external_reference",
                "execution_detail",
                "executed_at",
            ]
        )
        record_audit(by, "gesture.resolved_by_hand", locked, summary=f"Reference {reference}")
    return locked


def due_for_delivery(now: datetime.datetime | None = None) -> list[int]:
    return list(
        Gesture.objects.filter(execution_status=ExecutionStatus.PENDING)
        .filter(_due_by(now or timezone.now()))
        .values_list("pk", flat=True)[:500]
    )
