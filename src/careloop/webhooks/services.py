"""Outgoing webhooks: endpoints admins manage, and deliveries that retry, log and give up.

An event fans out to one delivery per endpoint that wants it (core.events calls `fan_out` in a
task). Each delivery is POSTed, signed, with the same body on every attempt; a failure waits
1, 4, 16, 64, 256 and 1024 minutes before the next try (about a day in all), and the periodic
`retry_due_deliveries` picks up what is due. An endpoint that keeps failing for hours is
disabled and the admins get an email.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from careloop.core import webhook_signing as signing
from careloop.core.audit import record_audit
from careloop.core.email_headers import send_mail
from careloop.core.events import API_VERSION, BY_NAME, Event
from careloop.core.links import absolute_url_for
from careloop.core.permissions import Action, recipients
from careloop.core.privacy import CustomerDataSource, CustomerIdentities
from careloop.people.models import User
from careloop.webhooks.models import (
    DeliveryStatus,
    WebhookAttempt,
    WebhookDelivery,
    WebhookEndpoint,
)
from careloop.webhooks.outbound import PostResult, check_url, post_json

logger = logging.getLogger(__name__)

RETRY_DELAYS = tuple(timedelta(minutes=4**n) for n in range(6))  # 1 min … 17 h
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# An endpoint is disabled after this many failed attempts in a row spread over at least this
# long: one event's whole retry run, or a dead receiver's half day.
DISABLE_AFTER_FAILURES = MAX_ATTEMPTS
DISABLE_AFTER = timedelta(hours=12)
# While one worker POSTs, others leave the delivery alone this long.
CLAIM_LEASE = timedelta(minutes=2)
KEEP_DELIVERIES = timedelta(days=30)


# --- Endpoints ----------------------------------------------------------------------------------


def _chosen(event_types: Iterable[str]) -> list[str]:
    chosen = sorted(set(event_types))
    unknown = [name for name in chosen if name not in BY_NAME]
    if unknown:
        raise ValueError(f"Unknown event types: {', '.join(unknown)}")
    if not chosen:
        raise ValueError("Choose at least one event.")
    return chosen


def create_endpoint(
    *, url: str, event_types: Iterable[str], description: str = "", created_by: User | None
) -> tuple[WebhookEndpoint, str]:
    """A new endpoint and its signing secret (returned now; the page never shows it again)."""
    check_url(url, resolve=False)
    secret = signing.new_secret()
    endpoint = WebhookEndpoint.objects.create(
        url=url,
        description=description.strip()[:200],
        secret=secret,
        event_types=_chosen(event_types),
        created_by=created_by,
    )
    record_audit(created_by, "webhook.created", endpoint, summary=f"{url}: {endpoint.event_types}")
    return endpoint, secret


def update_endpoint(
    endpoint: WebhookEndpoint, *, event_types: Iterable[str], actor: User | None
) -> WebhookEndpoint:
    endpoint.event_types = _chosen(event_types)
    endpoint.save(update_fields=["event_types"])
    record_audit(actor, "webhook.changed", endpoint, summary=f"{endpoint.event_types}")
    return endpoint


def roll_secret(endpoint: WebhookEndpoint, *, actor: User | None) -> str:
    """A new secret, used from the next attempt on; the old one stops at once."""
    endpoint.secret = signing.new_secret()
    endpoint.save(update_fields=["secret"])
    record_audit(actor, "webhook.secret_rolled", endpoint, summary=endpoint.url)
    return endpoint.secret


def set_enabled(endpoint: WebhookEndpoint, enabled: bool, *, actor: User | None) -> None:
    """Enabling again starts the failure count afresh; pending deliveries go out again."""
    endpoint.enabled = enabled
    endpoint.disabled_at = None if enabled else timezone.now()
    endpoint.disabled_reason = "" if enabled else f"Disabled by {actor}"
    endpoint.consecutive_failures = 0
    endpoint.failing_since = None
    endpoint.save()
    record_audit(actor, "webhook.enabled" if enabled else "webhook.disabled", endpoint)


def delete_endpoint(endpoint: WebhookEndpoint, *, actor: User | None) -> None:
    record_audit(actor, "webhook.deleted", None, summary=endpoint.url)
    endpoint.delete()


# --- Fan-out and delivery -----------------------------------------------------------------------


def envelope_of(event: Event) -> dict[str, Any]:
    """The JSON body receivers get: `{"id","type","api_version","created","data"}`."""
    return {
        "id": event.id,
        "type": event.type,
        "api_version": API_VERSION,
        "created": int(event.created.timestamp()),
        "data": event.data,
    }


def _subjects(event: Event) -> tuple[int | None, int | None]:
    """The conversation and customer an event is about (kept to erase a customer's data)."""
    data = event.data
    conversation_id = data.get("conversation_id")
    if event.type.startswith("conversation."):
        conversation_id = data.get("id")
    return conversation_id, data.get("customer_id")


def fan_out(event: Event) -> list[int]:
    """One delivery per enabled endpoint that wants the event (once, however often called);
    each then goes out as its own task. Returns the new deliveries' ids."""
    from careloop.webhooks.tasks import deliver_webhook

    conversation_id, customer_id = _subjects(event)
    created = []
    for endpoint in WebhookEndpoint.objects.filter(enabled=True):
        if not endpoint.wants(event.type):
            continue
        try:
            with transaction.atomic():
                delivery = WebhookDelivery.objects.create(
                    endpoint=endpoint,
                    event_id=event.id,
                    event_type=event.type,
                    payload=envelope_of(event),
                    conversation_id=conversation_id,
                    customer_id=customer_id,
                    next_attempt_at=timezone.now(),
                )
        except IntegrityError:
            continue  # this event already reached this endpoint
        created.append(delivery.pk)
    for delivery_id in created:
        transaction.on_commit(partial(deliver_webhook.enqueue, delivery_id))
    return created


def _claim(delivery_id: int, now: datetime) -> bool:
    due = WebhookDelivery.objects.filter(
        pk=delivery_id,
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=now,
        endpoint__enabled=True,
    )
    return bool(due.update(next_attempt_at=now + CLAIM_LEASE))


def body_of(delivery: WebhookDelivery) -> bytes:
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True).encode()


def _post(delivery: WebhookDelivery) -> PostResult:
    body = body_of(delivery)
    timestamp = int(time.time())
    return post_json(
        delivery.endpoint.url,
        body,
        {
            signing.SIGNATURE_HEADER: signing.signature_header(
                delivery.endpoint.secret, timestamp, body
            ),
            "Careloop-Event": delivery.event_type,
            "Careloop-Delivery": str(delivery.pk),
        },
    )


def attempt_delivery(delivery_id: int, now: datetime | None = None) -> WebhookAttempt | None:
    """POST the delivery once if it is due (and nobody else is POSTing it); the attempt made."""
    now = now or timezone.now()
    if not _claim(delivery_id, now):
        return None
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery_id)
    return _record(delivery, _post(delivery), now, manual=False)


def _record(
    delivery: WebhookDelivery, result: PostResult, now: datetime, *, manual: bool
) -> WebhookAttempt:
    with transaction.atomic():
        delivery.attempts += 1
        attempt = WebhookAttempt.objects.create(
            delivery=delivery,
            number=delivery.attempts,
            at=now,
            response_status=result.status,
            response_excerpt=result.excerpt,
            error=result.error[:500],
            duration_ms=result.duration_ms,
            succeeded=result.succeeded,
            manual=manual,
        )
        delivery.last_response_status = result.status
        if result.succeeded:
            delivery.status = DeliveryStatus.SUCCEEDED
            delivery.delivered_at = now
            delivery.next_attempt_at = None
        elif manual:
            pass  # one more try by hand: a pending delivery keeps its retries, a failed one fails
        elif delivery.attempts >= MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.FAILED
            delivery.next_attempt_at = None
        else:
            delivery.next_attempt_at = now + RETRY_DELAYS[delivery.attempts - 1]
        delivery.save()
        _count(delivery.endpoint_id, result.succeeded, now)
    return attempt


def _count(endpoint_id: int, succeeded: bool, now: datetime) -> None:
    """Keep the endpoint's run of failures; a long enough one disables it."""
    if succeeded:
        WebhookEndpoint.objects.filter(pk=endpoint_id).update(
            consecutive_failures=0, failing_since=None
        )
        return
    # Locked: deliveries to one endpoint fail in parallel workers, and each must count.
    endpoint = WebhookEndpoint.objects.select_for_update().get(pk=endpoint_id)
    endpoint.consecutive_failures += 1
    endpoint.failing_since = endpoint.failing_since or now
    failing_for = now - endpoint.failing_since
    if (
        endpoint.enabled
        and endpoint.consecutive_failures >= DISABLE_AFTER_FAILURES
        and failing_for >= DISABLE_AFTER
    ):
        endpoint.enabled = False
        endpoint.disabled_at = now
        endpoint.disabled_reason = (
            f"{endpoint.consecutive_failures} failed attempts in a row over "
            f"{int(failing_for.total_seconds() // 3600)} hours"
        )
        record_audit(None, "webhook.auto_disabled", endpoint, summary=endpoint.disabled_reason)
        transaction.on_commit(lambda: tell_admins_of_disabling(endpoint.pk))
    endpoint.save(
        update_fields=[
            "consecutive_failures",
            "failing_since",
            "enabled",
            "disabled_at",
            "disabled_reason",
        ]
    )


def tell_admins_of_disabling(endpoint_id: int) -> int:
    """Email the people who manage integrations that an endpoint was disabled; how many."""
    endpoint = WebhookEndpoint.objects.filter(pk=endpoint_id).first()
    if endpoint is None:
        return 0
    people = [person.email for person in recipients(Action.MANAGE_INTEGRATIONS)]
    if not people:
        return 0
    link = absolute_url_for("webhooks:endpoint", endpoint.pk)
    try:
        send_mail(
            subject=f"Webhook disabled: {endpoint}",
            message=(
                f"careloop stopped sending events to {endpoint.url}.\n\n"
                f"Why: {endpoint.disabled_reason}.\n\n"
                "Events meanwhile are not queued for it. Once the receiver works again, enable "
                f"the endpoint and redeliver what it missed from its delivery log:\n{link}\n"
            ),
            recipient_list=people,
        )
    except Exception:
        logger.exception("Could not email the admins about webhook %s", endpoint.pk)
        return 0
    return len(people)


def retry_due_deliveries(now: datetime | None = None, limit: int = 500) -> int:
    """Attempt every pending delivery whose time has come (the periodic job); how many."""
    now = now or timezone.now()
    due = WebhookDelivery.objects.filter(
        status=DeliveryStatus.PENDING, next_attempt_at__lte=now, endpoint__enabled=True
    ).order_by("next_attempt_at", "pk")
    made = 0
    for delivery_id in list(due.values_list("pk", flat=True)[:limit]):
        if attempt_delivery(delivery_id, now) is not None:
            made += 1
    return made


def redeliver(delivery: WebhookDelivery, *, actor: User | None) -> WebhookAttempt:
    """Send the delivery again now, whatever its state (the same event id: receivers dedupe)."""
    delivery = WebhookDelivery.objects.select_related("endpoint").get(pk=delivery.pk)
    record_audit(actor, "webhook.redelivered", delivery.endpoint, summary=delivery.event_id)
    return _record(delivery, _post(delivery), timezone.now(), manual=True)


def send_test_event(endpoint: WebhookEndpoint, *, actor: User | None) -> WebhookAttempt:
    """A `ping` delivery, sent at once, so an admin sees the receiver answer."""
    event = Event(
        id=f"evt_{uuid.uuid4().hex}",
        type="ping",
        version=1,
        team_id=None,
        created=timezone.now(),
        data={"endpoint_id": endpoint.pk},
    )
    # Never retried: it stands failed until the receiver takes it.
    delivery = WebhookDelivery.objects.create(
        endpoint=endpoint,
        event_id=event.id,
        event_type=event.type,
        payload=envelope_of(event),
        status=DeliveryStatus.FAILED,
    )
    return redeliver(delivery, actor=actor)


# --- Privacy ------------------------------------------------------------------------------------


def purge_old_deliveries(now: datetime) -> int:
    _, deleted = WebhookDelivery.objects.filter(created_at__lt=now - KEEP_DELIVERIES).delete()
    return deleted.get(WebhookDelivery._meta.label, 0)


def _erase(identities: CustomerIdentities) -> int:
    _, deleted = WebhookDelivery.objects.filter(
        Q(conversation_id__in=identities.conversation_ids)
        | Q(customer_id__in=identities.customer_ids)
    ).delete()
    return deleted.get(WebhookDelivery._meta.label, 0)


# Deliveries copy what was sent about a customer (their messages, their conversations).
CUSTOMER_DATA = CustomerDataSource(name="webhook_deliveries", export=None, erase=_erase)
