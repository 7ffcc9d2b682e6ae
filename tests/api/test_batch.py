"""The batch endpoint: up to 100 customer messages, each with its own key and result."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from careloop.api.models import ApiIdempotentResponse
from careloop.conversations.models import (
    Conversation,
    ConversationEvent,
    Customer,
    InboundRecord,
    Message,
    Status,
)
from careloop.core.permissions import Role
from tests.fixtures.api import ClientMaker

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent_api(api_as: ClientMaker) -> APIClient:
    return api_as(Role.AGENT)


def send(client: APIClient, items: list[dict[str, Any]], key: str = "batch-1") -> Any:
    return client.post(
        reverse("api:conversations-batch"),
        {"messages": items},
        format="json",
        headers={"Idempotency-Key": key},
    )


def opening(number: int, **fields: Any) -> dict[str, Any]:
    return {
        "idempotency_key": f"item-{number}",
        "customer": {"email": f"customer{number % 3}@example.test"},
        "body": f"Order {number} is late",
        **fields,
    }


def test_a_batch_opens_a_conversation_per_item_and_answers_each(
    agent_api: APIClient, django_capture_on_commit_callbacks: Any
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        response = send(agent_api, [opening(n) for n in range(5)])
    assert response.status_code == 200, response.json()
    results = response.json()["results"]
    assert [r["status"] for r in results] == [201] * 5
    assert [r["idempotency_key"] for r in results] == [f"item-{n}" for n in range(5)]
    assert Conversation.objects.count() == 5
    assert Customer.objects.count() == 3
    for number, result in enumerate(results):
        message = Message.objects.get(pk=result["message"])
        assert message.conversation_id == result["conversation"]
        assert message.body_text == f"Order {number} is late"
        assert message.scored_at is not None  # read inline, right after commit
        assert InboundRecord.objects.get(message=message).state == InboundRecord.State.PROCESSED
    # The third conversation of customer0 in the batch counts the two before it.
    later = Conversation.objects.get(pk=results[3]["conversation"])
    assert later.first_response_due is not None and later.care_priority > 0
    assert any("other conversation" in reason for reason in later.care_priority_reasons)


def test_items_keep_their_keys_across_batches_and_single_requests(agent_api: APIClient) -> None:
    first = send(agent_api, [opening(1), opening(2)], key="batch-a").json()["results"]
    again = send(agent_api, [opening(2), opening(3)], key="batch-b").json()["results"]
    assert (again[0]["status"], again[0]["replayed"]) == (200, True)
    assert again[0]["message"] == first[1]["message"]
    assert (again[1]["status"], again[1]["replayed"]) == (201, False)
    assert Message.objects.count() == 3

    changed = send(agent_api, [opening(3, body="Something else")], key="batch-c")
    assert changed.json()["results"][0]["status"] == 422
    assert Message.objects.count() == 3


def test_a_retried_batch_gets_its_first_answer(agent_api: APIClient) -> None:
    first = send(agent_api, [opening(1)], key="same")
    retry = send(agent_api, [opening(1)], key="same")
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Message.objects.count() == 1


def test_a_message_joins_its_conversation_and_a_bad_item_fails_alone(
    agent_api: APIClient,
) -> None:
    opened = send(agent_api, [opening(1)], key="open").json()["results"][0]
    conversation = Conversation.objects.get(pk=opened["conversation"])
    Conversation.objects.filter(pk=conversation.pk).update(status=Status.SOLVED)
    items = [
        {"idempotency_key": "m-1", "conversation": conversation.pk, "body": "Still late"},
        {"idempotency_key": "m-2", "conversation": 999_999, "body": "Hello?"},
        {
            "idempotency_key": "m-3",
            "conversation": conversation.pk,
            "body": "x",
            "tags": ["a"],
        },
        {"idempotency_key": "m-4", "body": "Nobody named"},
    ]
    results = send(agent_api, items, key="more").json()["results"]
    assert [r["status"] for r in results] == [201, 422, 422, 422]
    assert "conversation" in results[1]["errors"] and "tags" in results[2]["errors"]
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN and conversation.reopen_count == 1
    assert conversation.messages.count() == 2
    flagged = InboundRecord.objects.get(dedupe_key__endswith=":m-2")
    assert flagged.state == InboundRecord.State.FLAGGED
    assert ApiIdempotentResponse.objects.get(record=flagged).status_code == 422


def test_a_key_twice_in_one_batch_is_stored_once(agent_api: APIClient) -> None:
    results = send(agent_api, [opening(1), opening(1), opening(1, body="Other")]).json()["results"]
    assert [(r["status"], r["replayed"]) for r in results] == [
        (201, False),
        (200, True),
        (422, False),
    ]
    assert Message.objects.count() == 1


def test_a_malformed_batch_is_refused_whole_and_kept(agent_api: APIClient) -> None:
    response = send(agent_api, [opening(1), {"idempotency_key": "x", "body": 5}])
    assert response.status_code == 400
    assert "messages" in response.json()
    assert not Message.objects.exists()
    assert InboundRecord.objects.get().state == InboundRecord.State.FLAGGED
    too_many = send(agent_api, [opening(n) for n in range(101)], key="big")
    assert too_many.status_code == 400


def test_priority_and_tags_are_set_once_with_their_events(agent_api: APIClient) -> None:
    result = send(agent_api, [opening(1, priority="urgent", tags=["Billing", "billing"])])
    conversation = Conversation.objects.get(pk=result.json()["results"][0]["conversation"])
    assert conversation.priority == "urgent"
    assert list(conversation.tags.values_list("name", flat=True)) == ["billing"]
    kinds = list(conversation.events.values_list("kind", flat=True))
    assert kinds == [
        ConversationEvent.Kind.CREATED,
        ConversationEvent.Kind.MESSAGE,
        ConversationEvent.Kind.PRIORITY,
        ConversationEvent.Kind.TAGGED,
    ]
    assert any("urgent" in reason.lower() for reason in conversation.care_priority_reasons)
