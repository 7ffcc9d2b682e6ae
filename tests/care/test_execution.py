"""Execution by a shop: the signed webhook against a real local HTTP server, and the API."""

from __future__ import annotations

import datetime
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from careloop.care import execution, selectors, services
from careloop.care.models import ExecutionStatus, Gesture
from careloop.conversations.models import Conversation
from careloop.core.audit import audit_events_for
from careloop.core.permissions import Role
from careloop.people.models import User
from tests.fixtures.api import ClientMaker
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


@dataclass
class Shop:
    """A stand-in shop backend: records what it receives and answers as told."""

    url: str
    answers: list[tuple[int, bytes]] = field(default_factory=list)
    received: list[tuple[dict[str, str], bytes]] = field(default_factory=list)


@pytest.fixture
def shop() -> Iterator[Shop]:
    state = Shop(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            state.received.append((dict(self.headers), body))
            code, answer = state.answers.pop(0) if state.answers else (202, b"")
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks/careloop"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state
    server.shutdown()
    server.server_close()


@pytest.fixture
def webhook(shop: Shop) -> str:
    settings = selectors.care_settings()
    settings.webhook_url = shop.url
    settings.webhook_secret = "s3cret"
    settings.save()
    return settings.webhook_secret


def granted_credit(agent: User, conversation: Conversation) -> Gesture:
    return services.grant_gesture(
        agent=agent, conversation=conversation, kind="credit", amount=Decimal("40"), reason="Late"
    )


def test_a_granted_gesture_is_delivered_signed_with_its_idempotency_key(
    agent: User, conversation: Conversation, shop: Shop, webhook: str
) -> None:
    gesture = granted_credit(agent, conversation)
    assert execution.deliver(gesture.pk) == ExecutionStatus.SENT

    headers, body = shop.received[0]
    # Signed the way every careloop webhook is (one rule: core/webhook_signing.py).
    timestamp, signature = headers["Careloop-Signature"].split(",")
    expected = hmac.new(
        webhook.encode(), timestamp.removeprefix("t=").encode() + b"." + body, hashlib.sha256
    ).hexdigest()
    assert signature == f"v1={expected}"
    assert headers["Idempotency-Key"] == str(gesture.idempotency_key)
    payload = json.loads(body)
    assert payload["event"] == "gesture.execute"
    assert payload["gesture"]["amount"] == "40.00"
    assert payload["gesture"]["customer"]["id"] == conversation.customer_id
    assert "agent" not in payload["gesture"]
    # Already sent: running the task again sends nothing twice.
    assert execution.deliver(gesture.pk) is None
    assert len(shop.received) == 1


def test_a_shop_that_answers_with_the_result_marks_the_gesture_executed(
    agent: User, conversation: Conversation, shop: Shop, webhook: str
) -> None:
    shop.answers.append((200, b'{"result": "executed", "reference": "CR-1001"}'))
    gesture = granted_credit(agent, conversation)
    assert execution.deliver(gesture.pk) == ExecutionStatus.EXECUTED
    gesture.refresh_from_db()
    assert gesture.external_reference == "CR-1001"
    assert gesture.executed_at is not None


def test_failed_deliveries_are_retried_with_the_same_key_then_marked_failed_for_a_lead(
    agent: User, lead: User, conversation: Conversation, shop: Shop, webhook: str
) -> None:
    shop.answers.extend([(500, b"down")] * execution.MAX_ATTEMPTS)
    gesture = granted_credit(agent, conversation)
    assert execution.deliver(gesture.pk) == ExecutionStatus.PENDING
    gesture.refresh_from_db()
    assert gesture.last_delivery_error == "HTTP 500 from the receiver"
    assert gesture.next_delivery_at > timezone.now()
    assert execution.due_for_delivery() == []  # not due before its backoff has passed
    later = timezone.now() + datetime.timedelta(days=1)
    for _ in range(execution.MAX_ATTEMPTS - 1):
        Gesture.objects.filter(pk=gesture.pk).update(next_delivery_at=timezone.now())
        execution.deliver(gesture.pk)
    gesture.refresh_from_db()
    assert gesture.execution_status == ExecutionStatus.FAILED
    assert execution.due_for_delivery(later) == []
    keys = {headers["Idempotency-Key"] for headers, _ in shop.received}
    assert keys == {str(gesture.idempotency_key)}
    assert len(shop.received) == execution.MAX_ATTEMPTS

    execution.retry(gesture, by=lead)
    assert execution.deliver(gesture.pk) == ExecutionStatus.SENT
    assert "gesture.execution_retried" in [e.action for e in audit_events_for(gesture)]


def test_an_unreachable_shop_counts_as_a_failed_attempt(
    agent: User, conversation: Conversation
) -> None:
    settings = selectors.care_settings()
    settings.webhook_url = "http://127.0.0.1:9/nowhere"
    settings.webhook_secret = "x"
    settings.save()
    gesture = granted_credit(agent, conversation)
    assert execution.deliver(gesture.pk) == ExecutionStatus.PENDING
    gesture.refresh_from_db()
    assert gesture.delivery_attempts == 1
    assert gesture.last_delivery_error


def test_without_a_webhook_gestures_wait_for_the_shop_to_pull_them(
    agent: User, conversation: Conversation
) -> None:
    gesture = granted_credit(agent, conversation)
    assert execution.deliver(gesture.pk) is None
    assert list(selectors.to_execute()) == [gesture]


def test_notes_and_gifts_are_done_by_hand_and_never_sent_to_the_shop(
    agent: User, conversation: Conversation
) -> None:
    gesture = services.grant_gesture(
        agent=agent,
        conversation=conversation,
        kind="note_or_gift",
        amount=Decimal("0"),
        reason="Handwritten apology card",
    )
    assert gesture.execution_status == ExecutionStatus.BY_HAND
    assert list(selectors.to_execute()) == []


def test_the_shop_lists_gestures_to_execute_and_reports_results_idempotently(
    agent: User, conversation: Conversation, api_as: ClientMaker
) -> None:
    gesture = granted_credit(agent, conversation)
    shop_api = api_as(Role.ADMIN)
    listing = shop_api.get(reverse("api:gestures-to-execute")).json()
    assert [item["idempotency_key"] for item in listing["results"]] == [
        str(gesture.idempotency_key)
    ]
    result = {
        "idempotency_key": str(gesture.idempotency_key),
        "result": "executed",
        "reference": "CR-7",
    }
    first = shop_api.post(
        reverse("api:gesture-executions"), result, format="json", headers={"Idempotency-Key": "r1"}
    )
    assert first.status_code == 201
    assert first.json()["execution_status"] == "executed"
    again = shop_api.post(
        reverse("api:gesture-executions"), result, format="json", headers={"Idempotency-Key": "r2"}
    )
    assert again.status_code == 201
    assert Gesture.objects.get().external_reference == "CR-7"
    late_failure = shop_api.post(
        reverse("api:gesture-executions"),
        {**result, "result": "failed"},
        format="json",
        headers={"Idempotency-Key": "r3"},
    )
    assert late_failure.status_code == 400
    assert shop_api.get(reverse("api:gestures-to-execute")).json()["results"] == []
    assert [e.action for e in audit_events_for(gesture)].count("gesture.executed") == 1


def test_reporting_on_an_unknown_gesture_is_404_and_agents_keys_may_not_report(
    api_as: ClientMaker,
) -> None:
    unknown = {"idempotency_key": "6f1c1c1e-0000-4000-8000-000000000000", "result": "executed"}
    response = api_as(Role.CX_LEADER).post(
        reverse("api:gesture-executions"), unknown, format="json", headers={"Idempotency-Key": "u"}
    )
    assert response.status_code == 404
    denied = api_as(Role.AGENT).get(reverse("api:gestures-to-execute"))
    assert denied.status_code == 403


def test_a_gesture_waiting_for_approval_is_not_sent_to_the_shop(
    agent: User, conversation: Conversation
) -> None:
    services.grant_gesture(
        agent=agent, conversation=conversation, kind="refund", amount=Decimal("5000"), reason="x"
    )
    assert list(selectors.to_execute()) == []
    assert UserFactory(role=Role.CX_LEADER)  # the queue has someone to decide
