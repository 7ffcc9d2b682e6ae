from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from careloop.api.models import ApiKey
from careloop.api.selectors import messages_visible_to
from careloop.conversations.models import (
    Channel,
    ContactPoint,
    Conversation,
    InboundRecord,
    Message,
    Status,
)
from careloop.conversations.services.conversations import receive_customer_message
from careloop.conversations.services.replies import reply
from careloop.core.permissions import Role
from tests.conversations.factories import CustomerFactory
from tests.fixtures.api import ClientMaker
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db

_keys = iter(range(1_000_000))


def post(client: APIClient, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, format="json", headers={"Idempotency-Key": f"k{next(_keys)}"})


@pytest.fixture
def agent_api(api_as: ClientMaker) -> APIClient:
    return api_as(Role.AGENT)


def open_conversation(client: APIClient, **fields: Any) -> Any:
    data = {"customer": {"email": "Ana@Example.test", "name": "Ana"}, "body": "My order is late"}
    return post(client, reverse("api:conversations"), {**data, **fields})


def test_posting_a_first_message_opens_a_conversation_for_the_customer(
    agent_api: APIClient,
) -> None:
    response = open_conversation(
        agent_api, subject="Late order", priority="high", tags=["Shipping", "late order"]
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    conversation = Conversation.objects.get(pk=body["id"])
    assert (conversation.subject, conversation.channel) == ("Late order", Channel.API)
    assert (conversation.status, conversation.priority) == (Status.OPEN, "high")
    assert conversation.customer.email == "ana@example.test"
    assert body["tags"] == ["late-order", "shipping"]
    assert [(m["author"], m["body"]) for m in body["messages"]] == [
        ("customer", "My order is late")
    ]
    record = InboundRecord.objects.get()
    assert record.state == InboundRecord.State.PROCESSED
    assert record.message == conversation.messages.get()


def test_a_customer_known_by_external_id_is_found_again(agent_api: APIClient) -> None:
    first = open_conversation(agent_api, customer={"external_id": "shop-42", "name": "Bo"})
    second = open_conversation(agent_api, customer={"external_id": "shop-42"})
    assert first.json()["customer"]["id"] == second.json()["customer"]["id"]
    assert ContactPoint.objects.get().value == "shop-42"


def test_a_customer_needs_an_email_or_an_external_id(agent_api: APIClient) -> None:
    neither = open_conversation(agent_api, customer={"name": "Nobody"})
    assert neither.status_code == 400
    assert "customer" in neither.json()
    assert not Conversation.objects.exists()


def test_with_both_the_external_id_finds_the_customer_and_the_email_joins_them(
    agent_api: APIClient,
) -> None:
    first = open_conversation(agent_api, customer={"external_id": "shop-7"})
    both = open_conversation(
        agent_api, customer={"external_id": "shop-7", "email": "Bo@Example.test"}
    )
    assert both.json()["customer"]["id"] == first.json()["customer"]["id"]
    by_email = open_conversation(agent_api, customer={"email": "bo@example.test"})
    assert by_email.json()["customer"]["id"] == first.json()["customer"]["id"]


def test_numbers_are_not_taken_for_text(agent_api: APIClient) -> None:
    answer = open_conversation(agent_api, customer={"email": "a@example.test"}, body=42)
    assert answer.status_code == 400
    assert "body" in answer.json()


def test_conversations_are_listed_newest_first_filtered_and_paginated(
    agent_api: APIClient,
) -> None:
    ana = CustomerFactory(email="ana@example.test")
    older = receive_customer_message(ana, channel=Channel.EMAIL, body_text="1").conversation
    newer = receive_customer_message(ana, channel=Channel.EMAIL, body_text="2").conversation
    other = receive_customer_message(CustomerFactory(), channel=Channel.CHAT, body_text="3")
    other.conversation.status = Status.SOLVED
    other.conversation.save()
    url = reverse("api:conversations")

    everything = agent_api.get(url).json()
    assert len(everything["results"]) == 3
    assert [c["id"] for c in everything["results"]][:2] == [
        other.conversation_id,
        newer.pk,
    ]
    by_email = agent_api.get(url, {"customer_email": "ANA@example.test"}).json()
    assert [c["id"] for c in by_email["results"]] == [newer.pk, older.pk]
    solved = agent_api.get(url, {"status": "solved"}).json()
    assert [c["id"] for c in solved["results"]] == [other.conversation_id]
    first_page = agent_api.get(url, {"page_size": 2}).json()
    assert len(first_page["results"]) == 2
    assert first_page["previous"] is None
    second_page = agent_api.get(first_page["next"]).json()
    assert [c["id"] for c in second_page["results"]] == [older.pk]
    assert second_page["next"] is None


def test_an_unknown_status_filter_is_a_clear_400(agent_api: APIClient) -> None:
    response = agent_api.get(reverse("api:conversations"), {"status": "lost"})
    assert response.status_code == 400
    assert "status" in response.json()


def test_a_conversation_shows_its_messages_and_notes_to_an_inbox_role(
    agent_api: APIClient,
) -> None:
    message = receive_customer_message(CustomerFactory(), channel=Channel.EMAIL, body_text="Hi")
    agent = UserFactory(role=Role.AGENT)
    reply(message.conversation, agent, "Checking with the warehouse", internal=True)
    body = agent_api.get(reverse("api:conversation", args=[message.conversation_id])).json()
    assert [(m["author"], m["internal"]) for m in body["messages"]] == [
        ("customer", False),
        ("agent", True),
    ]
    assert body["messages"][1]["author_name"] == agent.full_name


def test_internal_notes_are_hidden_from_someone_who_may_not_read_them() -> None:
    message = receive_customer_message(CustomerFactory(), channel=Channel.EMAIL, body_text="Hi")
    reply(message.conversation, UserFactory(role=Role.AGENT), "A note", internal=True)
    reply(message.conversation, UserFactory(role=Role.AGENT), "A reply")
    outsider = UserFactory(role=Role.PEOPLE_PARTNER)
    insider = UserFactory(role=Role.TEAM_LEAD)
    visible = messages_visible_to(outsider, message.conversation)
    assert [m.body_text for m in visible] == ["Hi", "A reply"]
    assert len(messages_visible_to(insider, message.conversation)) == 3


def test_an_unknown_conversation_is_404(agent_api: APIClient) -> None:
    assert agent_api.get(reverse("api:conversation", args=[999_999])).status_code == 404


def test_a_customer_message_continues_the_conversation(agent_api: APIClient) -> None:
    conversation_id = open_conversation(agent_api).json()["id"]
    url = reverse("api:conversation-messages", args=[conversation_id])
    response = post(agent_api, url, {"body": "Any news?"})
    assert response.status_code == 201, response.json()
    assert response.json()["conversation"] == conversation_id
    assert (
        Message.objects.filter(
            conversation_id=conversation_id, author_kind=Message.Author.CUSTOMER
        ).count()
        == 2
    )


def test_an_agent_reply_goes_through_the_reply_service(api_as: ClientMaker) -> None:
    agent = UserFactory(role=Role.AGENT, email="sam@example.test")
    sams_api = api_as(owner=agent)
    conversation_id = open_conversation(sams_api).json()["id"]
    url = reverse("api:conversation-messages", args=[conversation_id])
    response = post(
        sams_api, url, {"author": "agent", "body": "On its way", "agent_email": "Sam@example.test"}
    )
    assert response.status_code == 201, response.json()
    assert (response.json()["author"], response.json()["internal"]) == ("agent", False)
    conversation = Conversation.objects.get(pk=conversation_id)
    # The service's effects: first response recorded, nobody waiting, the agent assigned.
    assert conversation.first_response_at is not None
    assert conversation.waiting_since is None
    assert conversation.assignee == agent


def test_an_agent_reply_is_from_the_key_owner_and_may_be_an_internal_note(
    agent_api: APIClient,
) -> None:
    conversation_id = open_conversation(agent_api).json()["id"]
    url = reverse("api:conversation-messages", args=[conversation_id])
    response = post(agent_api, url, {"author": "agent", "body": "VIP", "internal": True})
    assert response.status_code == 201, response.json()
    message = Message.objects.get(pk=response.json()["id"])
    assert message.is_internal_note
    assert message.author == ApiKey.objects.get().owner
    assert Conversation.objects.get(pk=conversation_id).first_response_at is None


def test_a_reply_in_someone_elses_name_is_refused(agent_api: APIClient) -> None:
    conversation_id = open_conversation(agent_api).json()["id"]
    UserFactory(role=Role.PEOPLE_PARTNER, email="pat@example.test")
    url = reverse("api:conversation-messages", args=[conversation_id])
    response = post(
        agent_api, url, {"author": "agent", "body": "Hello", "agent_email": "pat@example.test"}
    )
    assert response.status_code == 403
    assert "agent_email" in response.json()
    assert not Message.objects.filter(author_kind=Message.Author.AGENT).exists()


def test_a_customer_message_cannot_be_an_internal_note(agent_api: APIClient) -> None:
    conversation_id = open_conversation(agent_api).json()["id"]
    url = reverse("api:conversation-messages", args=[conversation_id])
    response = post(agent_api, url, {"body": "Psst", "internal": True})
    assert response.status_code == 400
    assert "internal" in response.json()


def test_a_message_for_an_unknown_conversation_is_404_and_kept_flagged(
    agent_api: APIClient,
) -> None:
    response = post(agent_api, reverse("api:conversation-messages", args=[999_999]), {"body": "?"})
    assert response.status_code == 404
    record = InboundRecord.objects.get()
    assert record.state == InboundRecord.State.FLAGGED
    assert b'"body":"?"' in bytes(record.raw)


def test_a_customer_profile_lists_its_conversations(api_as: ClientMaker) -> None:
    customer = CustomerFactory(email="ana@example.test", company="Acme")
    first = receive_customer_message(customer, channel=Channel.EMAIL, body_text="1")
    first.conversation.status = Status.CLOSED
    first.conversation.save()
    second = receive_customer_message(customer, channel=Channel.EMAIL, body_text="2")
    body = api_as(Role.TEAM_LEAD).get(reverse("api:customer", args=[customer.pk])).json()
    assert (body["email"], body["company"]) == ("ana@example.test", "Acme")
    assert body["conversation_ids"] == [first.conversation_id, second.conversation_id]


def test_an_unknown_customer_is_404(api_as: ClientMaker) -> None:
    assert api_as(Role.AGENT).get(reverse("api:customer", args=[999_999])).status_code == 404
