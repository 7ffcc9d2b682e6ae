"""Outgoing webhooks against a real receiver on loopback: signed, retried, logged, disabled."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.conf import LazySettings
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from careloop.core import events
from careloop.core import webhook_signing as signing
from careloop.core.permissions import Role
from careloop.people.models import User
from careloop.webhooks import services
from careloop.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from tests.fixtures.api import ClientMaker
from tests.fixtures.mail import SmtpServer
from tests.people.factories import UserFactory
from tests.webhooks.conftest import Receiver

pytestmark = pytest.mark.django_db
OnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
README = Path(__file__).resolve().parents[2] / "README.md"


def documented_verify() -> Callable[..., bool]:
    """The signature check exactly as the README's Integrations section prints it."""
    section = README.read_text().split("### Outgoing webhooks", 1)[1]
    [snippet] = re.findall(r"```python\n(.*?)```", section.split("\n### ", 1)[0], re.S)
    namespace: dict[str, Any] = {}
    exec(snippet, namespace)  # noqa: S102 - our own README
    return namespace["verify"]  # type: ignore[no-any-return]


def endpoint_for(receiver: Receiver, path: str, *types: str) -> tuple[WebhookEndpoint, str]:
    return services.create_endpoint(
        url=receiver.url(path),
        event_types=types or ["conversation.created"],
        created_by=UserFactory(role=Role.ADMIN),
    )


def publish_sample(on_commit: OnCommit, event: Any = events.CONCERN_RECEIVED) -> None:
    with on_commit(execute=True):
        events.publish(event, event.example, team_id=None)


def test_an_api_create_reaches_the_receiver_signed(
    receiver: Receiver, api_as: ClientMaker, django_capture_on_commit_callbacks: OnCommit
) -> None:
    endpoint, secret = endpoint_for(receiver, "/ok", "conversation.created")
    client: APIClient = api_as(Role.AGENT)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("api:conversations"),
            {"customer": {"email": "ana@example.test", "name": "Ana"}, "body": "Order late"},
            format="json",
            headers={"Idempotency-Key": "create-1"},
        )
    assert response.status_code == 201
    [received] = receiver.wait_for(1)
    header = received.headers[signing.SIGNATURE_HEADER]
    assert documented_verify()(secret, header, received.body)
    assert not documented_verify()("whsec_wrong", header, received.body)
    body = received.json()
    assert body["type"] == "conversation.created"
    assert body["api_version"] == events.API_VERSION
    assert body["data"]["id"] == response.json()["id"]
    assert body["data"]["channel"] == "api"
    assert received.headers["Careloop-Event"] == "conversation.created"
    delivery = WebhookDelivery.objects.get(endpoint=endpoint)
    assert (delivery.status, delivery.attempts, delivery.last_response_status) == (
        DeliveryStatus.SUCCEEDED,
        1,
        200,
    )
    assert delivery.event_id == body["id"]


def test_a_signature_older_than_the_tolerance_is_refused_and_a_changed_body_too() -> None:
    verify = documented_verify()
    body = b'{"id":"evt_1"}'
    stale = int(time.time()) - signing.TOLERANCE_SECONDS - 10
    assert not verify("whsec_x", signing.signature_header("whsec_x", stale, body), body)
    fresh = signing.signature_header("whsec_x", int(time.time()), body)
    assert verify("whsec_x", fresh, body)
    assert not verify("whsec_x", fresh, body + b" ")


def test_only_endpoints_that_chose_the_event_and_are_enabled_receive_it(
    receiver: Receiver, django_capture_on_commit_callbacks: OnCommit
) -> None:
    wanted, _ = endpoint_for(receiver, "/ok/wanted", "concern.received")
    endpoint_for(receiver, "/ok/other", "reply.sent")
    off, _ = endpoint_for(receiver, "/ok/off", "concern.received")
    services.set_enabled(off, False, actor=None)
    publish_sample(django_capture_on_commit_callbacks)
    assert [r.path for r in receiver.wait_for(1)] == ["/ok/wanted"]
    assert list(WebhookDelivery.objects.values_list("endpoint", flat=True)) == [wanted.pk]


def test_a_failing_receiver_is_retried_with_backoff_then_disabled_and_the_admins_told(
    receiver: Receiver,
    settings: LazySettings,
    smtp_server: SmtpServer,
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    settings.MAILERS = smtp_server.mailer_settings
    UserFactory(role=Role.CX_LEADER)  # not told: integrations are the admins'
    endpoint, _ = endpoint_for(receiver, "/fail", "concern.received")
    admins = sorted(User.objects.filter(role=Role.ADMIN).values_list("email", flat=True))
    started = timezone.now()
    publish_sample(django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    assert delivery.attempts == 1 and delivery.status == DeliveryStatus.PENDING
    waits = []
    now = started
    with django_capture_on_commit_callbacks(execute=True):
        while delivery.status == DeliveryStatus.PENDING:
            assert delivery.next_attempt_at is not None
            waits.append(delivery.next_attempt_at - now)
            # Nothing is retried before its time…
            assert (
                services.retry_due_deliveries(delivery.next_attempt_at - timedelta(seconds=1)) == 0
            )
            now = delivery.next_attempt_at
            assert services.retry_due_deliveries(now) == 1
            delivery.refresh_from_db()
    assert [round(wait.total_seconds() / 60) for wait in waits] == [1, 4, 16, 64, 256, 1024]
    assert now - started > timedelta(hours=22)
    assert delivery.status == DeliveryStatus.FAILED
    assert len(receiver.wait_for(services.MAX_ATTEMPTS)) == services.MAX_ATTEMPTS
    log = list(delivery.log.all())
    assert [attempt.response_status for attempt in log] == [500] * services.MAX_ATTEMPTS
    assert all(attempt.response_excerpt == "receiver broke" for attempt in log)
    endpoint.refresh_from_db()
    assert not endpoint.enabled and endpoint.disabled_at is not None
    assert "7 failed attempts" in endpoint.disabled_reason
    [email] = smtp_server.relay.received
    assert sorted(email.recipients) == admins and admins
    assert b"Webhook disabled" in email.content and receiver.url("/fail").encode() in email.content
    # Disabled: new events do not reach it.
    publish_sample(django_capture_on_commit_callbacks)
    assert WebhookDelivery.objects.count() == 1


def test_a_receiver_that_does_not_answer_in_time_is_a_failed_attempt(
    receiver: Receiver, django_capture_on_commit_callbacks: OnCommit
) -> None:
    endpoint_for(receiver, "/slow", "concern.received")
    publish_sample(django_capture_on_commit_callbacks)
    receiver.wait_for(1)
    delivery = WebhookDelivery.objects.get()
    [attempt] = delivery.log.all()
    assert attempt.response_status is None and "No answer within" in attempt.error
    assert delivery.status == DeliveryStatus.PENDING and delivery.next_attempt_at is not None


def test_a_retry_that_succeeds_ends_the_run_of_failures(
    receiver: Receiver, django_capture_on_commit_callbacks: OnCommit
) -> None:
    receiver.flaky = [503]
    endpoint, _ = endpoint_for(receiver, "/flaky", "concern.received")
    publish_sample(django_capture_on_commit_callbacks)
    endpoint.refresh_from_db()
    assert endpoint.consecutive_failures == 1
    delivery = WebhookDelivery.objects.get()
    assert delivery.next_attempt_at is not None
    services.retry_due_deliveries(delivery.next_attempt_at)
    delivery.refresh_from_db()
    endpoint.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED
    assert [a.response_status for a in delivery.log.all()] == [503, 200]
    assert endpoint.consecutive_failures == 0 and endpoint.failing_since is None
    # The retry carried the same event, body and id, freshly signed.
    first, second = receiver.wait_for(2)
    assert first.body == second.body


def test_the_same_event_twice_is_delivered_once(
    receiver: Receiver, django_capture_on_commit_callbacks: OnCommit
) -> None:
    endpoint_for(receiver, "/ok", "concern.received")
    event = events.Event("evt_same", "concern.received", 1, None, timezone.now(), {"id": 1})
    with django_capture_on_commit_callbacks(execute=True):
        assert len(services.fan_out(event)) == 1
        assert services.fan_out(event) == []
    assert len(receiver.wait_for(1)) == 1 and WebhookDelivery.objects.count() == 1


def test_a_concern_event_carries_no_content_and_no_name(
    receiver: Receiver, django_capture_on_commit_callbacks: OnCommit
) -> None:
    from careloop.feedback.services.concerns import raise_concern

    endpoint_for(receiver, "/ok", "concern.received")
    with django_capture_on_commit_callbacks(execute=True):
        concern, _ = raise_concern(
            category="employee",
            body="Agent Bob was rude to me on the phone",
            anonymous=False,
            name="Carla Customer",
            email="carla@example.test",
        )
    [received] = receiver.wait_for(1)
    text = received.body.decode()
    assert received.json()["data"]["id"] == concern.pk
    assert set(received.json()["data"]) == set(events.ConcernData.__annotations__)
    for secret_part in ("rude", "Bob", "Carla", "carla@example.test", concern.reference):
        assert secret_part not in text


def test_nothing_is_sent_for_work_that_rolled_back(
    receiver: Receiver, django_capture_on_commit_callbacks: OnCommit
) -> None:
    from django.db import transaction

    endpoint_for(receiver, "/ok", "concern.received")
    with (
        django_capture_on_commit_callbacks(execute=True) as callbacks,
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        events.publish(events.CONCERN_RECEIVED, events.CONCERN_RECEIVED.example)
        raise RuntimeError("rolled back")
    assert callbacks == [] and not WebhookDelivery.objects.exists()


def test_loopback_and_private_addresses_are_refused_unless_allowed(
    settings: LazySettings,
) -> None:
    from careloop.webhooks.outbound import UnsafeUrl, check_url, post_json

    settings.CARELOOP_WEBHOOKS_ALLOW_PRIVATE = False
    for url in (
        "http://127.0.0.1:9/hook",
        "http://localhost/hook",
        "http://10.0.0.5/hook",
        "http://169.254.169.254/latest/meta-data",
        "http://[::1]/hook",
        "http://[::ffff:127.0.0.1]/hook",
        "ftp://example.com/hook",
        "file:///etc/passwd",
        "https://user:pw@example.com/hook",
    ):
        with pytest.raises(UnsafeUrl):
            check_url(url)
    result = post_json("http://127.0.0.1:9/hook", b"{}", {})
    assert result.status is None and "loopback" in result.error
    check_url("https://93.184.215.14/hook")  # a public address is fine


def test_payload_examples_match_their_declared_shapes() -> None:
    for event in events.EVENT_TYPES:
        assert set(event.example) == set(event.data.__annotations__), event.name
        json.dumps(event.example)


def test_deliveries_expire_after_thirty_days_and_go_with_a_customers_erasure(
    receiver: Receiver, django_capture_on_commit_callbacks: OnCommit
) -> None:
    from careloop.conversations.models import Channel, Customer
    from careloop.conversations.services.conversations import receive_customer_message
    from careloop.core.privacy import erase_customer, purge_expired_data
    from tests.conversations.factories import CustomerFactory

    endpoint_for(receiver, "/ok", "conversation.created", "concern.received")
    with django_capture_on_commit_callbacks(execute=True):
        message = receive_customer_message(
            CustomerFactory(), channel=Channel.EMAIL, body_text="Hello"
        )
    publish_sample(django_capture_on_commit_callbacks)
    about_customer = WebhookDelivery.objects.get(event_type="conversation.created")
    assert about_customer.conversation_id == message.conversation_id
    erase_customer(Customer.objects.get(pk=message.conversation.customer_id), actor=None)
    assert list(WebhookDelivery.objects.values_list("event_type", flat=True)) == [
        "concern.received"
    ]
    WebhookDelivery.objects.update(created_at=timezone.now() - timedelta(days=31))
    assert purge_expired_data()["webhook_deliveries"] == 1
    assert not WebhookDelivery.objects.exists()


def test_a_failed_redelivery_by_hand_leaves_the_retries_as_they_were(
    receiver: Receiver, django_capture_on_commit_callbacks: OnCommit
) -> None:
    endpoint_for(receiver, "/fail", "concern.received")
    publish_sample(django_capture_on_commit_callbacks)
    delivery = WebhookDelivery.objects.get()
    due = delivery.next_attempt_at
    attempt = services.redeliver(delivery, actor=None)
    delivery.refresh_from_db()
    assert attempt.manual and attempt.response_status == 500
    assert (delivery.status, delivery.next_attempt_at, delivery.attempts) == (
        DeliveryStatus.PENDING,
        due,
        2,
    )
