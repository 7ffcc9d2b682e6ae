"""Stored API answers expire and go with erasure: a retry never replays erased data."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from careloop.api.models import ApiIdempotentResponse
from careloop.conversations.models import Conversation, Customer, InboundRecord
from careloop.core.permissions import Role
from careloop.core.privacy import erase_customer, purge_expired_data
from tests.fixtures.api import ClientMaker

pytestmark = pytest.mark.django_db

OPENING = {
    "customer": {"email": "noor@example.test", "name": "Noor Haddad"},
    "subject": "Refund for order 77",
    "body": "Noor here, my card 4111 was charged twice",
}


def open_with_key(client: APIClient, key: str) -> Any:
    return client.post(
        reverse("api:conversations"), OPENING, format="json", headers={"Idempotency-Key": key}
    )


@pytest.fixture
def agent_api(api_as: ClientMaker) -> APIClient:
    return api_as(Role.AGENT)


def test_a_retry_after_erasure_does_not_replay_the_erased_customer(agent_api: APIClient) -> None:
    """Finding 6: the stored answer held the customer's name, email and words."""
    assert open_with_key(agent_api, "order-77").status_code == 201
    erase_customer(Customer.objects.get(email="noor@example.test"), None)

    retry = open_with_key(agent_api, "order-77")

    assert "Noor" not in retry.content.decode() and "4111" not in retry.content.decode()
    assert retry.get("Idempotent-Replayed") is None
    assert retry.status_code == 422
    assert "new Idempotency-Key" in retry.json()["detail"]
    assert not ApiIdempotentResponse.objects.exists()


def test_a_stored_answer_is_replayed_for_a_day_and_never_after(agent_api: APIClient) -> None:
    first = open_with_key(agent_api, "order-77")
    assert open_with_key(agent_api, "order-77").json() == first.json()

    InboundRecord.objects.update(received_at=timezone.now() - timedelta(hours=25))
    late = open_with_key(agent_api, "order-77")

    assert late.status_code == 422 and late.get("Idempotent-Replayed") is None
    assert "Noor" not in late.content.decode()
    assert Conversation.objects.count() == 1, "an expired key processes nothing"


def test_the_nightly_purge_removes_expired_answers_and_keeps_fresh_ones(
    agent_api: APIClient,
) -> None:
    open_with_key(agent_api, "old")
    open_with_key(agent_api, "new")
    InboundRecord.objects.filter(dedupe_key__endswith=":old").update(
        received_at=timezone.now() - timedelta(hours=25)
    )

    counts = purge_expired_data()

    assert counts["api_idempotent_responses"] == 1
    assert list(ApiIdempotentResponse.objects.values_list("idempotency_key", flat=True)) == ["new"]
    assert open_with_key(agent_api, "old").status_code == 422
    assert purge_expired_data()["api_idempotent_responses"] == 0


def test_the_expiry_is_a_setting(agent_api: APIClient, settings: Any) -> None:
    settings.CARELOOP_API_IDEMPOTENCY_KEEP = timedelta(hours=1)
    first = open_with_key(agent_api, "order-77")
    InboundRecord.objects.update(received_at=timezone.now() - timedelta(minutes=59))
    assert open_with_key(agent_api, "order-77").json() == first.json()
    InboundRecord.objects.update(received_at=timezone.now() - timedelta(minutes=61))
    assert open_with_key(agent_api, "order-77").status_code == 422
