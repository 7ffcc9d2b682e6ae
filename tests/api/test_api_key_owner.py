"""A key acts as a person, its owner: their rights, their rows, their name (finding 13)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from careloop.api.models import ApiKey
from careloop.api.scopes import Scope
from careloop.conversations.models import Channel, Conversation, InboundRecord, Message
from careloop.conversations.services.conversations import receive_customer_message
from careloop.conversations.services.replies import reply
from careloop.core.audit import audit_events_for
from careloop.core.permissions import Role
from careloop.people.models import Team
from tests.conversations.factories import CustomerFactory
from tests.fixtures.api import ClientMaker, KeyMaker
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

_keys = iter(range(1_000_000))


def post(client: APIClient, url: str, data: dict[str, Any]) -> Any:
    return client.post(url, data, format="json", headers={"Idempotency-Key": f"o{next(_keys)}"})


def conversation_of(team: Team) -> Conversation:
    message = receive_customer_message(CustomerFactory(), channel=Channel.EMAIL, body_text="Hi")
    Conversation.objects.filter(pk=message.conversation_id).update(team=team)
    return Conversation.objects.get(pk=message.conversation_id)


def messages_url(conversation: Conversation) -> str:
    return reverse("api:conversation-messages", args=[conversation.pk])


def test_an_agents_key_cannot_post_a_reply_as_the_admin(api_as: ClientMaker) -> None:
    UserFactory(role=Role.ADMIN, email="admin@example.test")
    agent = UserFactory(role=Role.AGENT)
    conversation = conversation_of(agent.team)
    response = post(
        api_as(owner=agent),
        messages_url(conversation),
        {"author": "agent", "body": "Refund approved", "agent_email": "admin@example.test"},
    )
    assert response.status_code == 403
    assert "agent_email" in response.json()
    assert not Message.objects.filter(author_kind=Message.Author.AGENT).exists()


def test_a_reply_without_agent_email_is_from_the_keys_owner(api_as: ClientMaker) -> None:
    agent = UserFactory(role=Role.AGENT)
    conversation = conversation_of(agent.team)
    response = post(
        api_as(owner=agent), messages_url(conversation), {"author": "agent", "body": "On it"}
    )
    assert response.status_code == 201, response.json()
    assert Message.objects.get(pk=response.json()["id"]).author == agent


def test_an_agents_key_reads_its_teams_notes_but_not_another_teams(api_as: ClientMaker) -> None:
    agent = UserFactory(role=Role.AGENT)
    other_team = TeamFactory()
    own = conversation_of(agent.team)
    other = conversation_of(other_team)
    reply(own, UserFactory(role=Role.AGENT, team=agent.team), "Ours", internal=True)
    reply(other, UserFactory(role=Role.AGENT, team=other_team), "Theirs", internal=True)
    client = api_as(owner=agent)

    def bodies(conversation: Conversation) -> list[str]:
        response = client.get(reverse("api:conversation", args=[conversation.pk]))
        assert response.status_code == 200
        return [message["body"] for message in response.json()["messages"]]

    assert bodies(own) == ["Hi", "Ours"]
    assert bodies(other) == ["Hi"]


def test_reply_scores_are_shown_to_their_author_and_their_lead_only(api_as: ClientMaker) -> None:
    team = TeamFactory()
    author = UserFactory(role=Role.AGENT, team=team)
    conversation = conversation_of(team)
    scored = reply(conversation, author, "So sorry, here is what I will do")
    Message.objects.filter(pk=scored.pk).update(reply_score={"empathy": 3})
    readers = {
        "author": (author, {"empathy": 3}),
        "lead": (UserFactory(role=Role.TEAM_LEAD, team=team), {"empathy": 3}),
        "teammate": (UserFactory(role=Role.AGENT, team=team), None),
        "cx leader": (UserFactory(role=Role.CX_LEADER), None),
        "admin": (UserFactory(role=Role.ADMIN), None),
    }
    for name, (reader, expected) in readers.items():
        response = api_as(owner=reader).get(reverse("api:conversation", args=[conversation.pk]))
        scores = [m["reply_score"] for m in response.json()["messages"] if m["id"] == scored.pk]
        assert scores == [expected], name


def test_a_key_without_conversations_write_may_read_but_not_post(api_as: ClientMaker) -> None:
    client = api_as(Role.AGENT, scopes=[Scope.CONVERSATIONS_READ])
    assert client.get(reverse("api:conversations")).status_code == 200
    response = post(
        client,
        reverse("api:conversations"),
        {"customer": {"email": "ana@example.test"}, "body": "Hello"},
    )
    assert response.status_code == 403
    assert "conversations:write" in response.json()["detail"]
    assert not Conversation.objects.exists()
    assert not InboundRecord.objects.exists()


def test_a_head_request_needs_the_read_scope_too(api_as: ClientMaker) -> None:
    client = api_as(Role.AGENT, scopes=[Scope.CONVERSATIONS_WRITE])
    assert client.head(reverse("api:conversations")).status_code == 403


def test_a_key_without_customers_read_cannot_read_a_customer(api_as: ClientMaker) -> None:
    customer = CustomerFactory()
    client = api_as(Role.AGENT, scopes=[Scope.CONVERSATIONS_READ, Scope.CONVERSATIONS_WRITE])
    response = client.get(reverse("api:customer", args=[customer.pk]))
    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"


def test_each_write_is_audited_with_the_key_and_its_owner(make_key: KeyMaker) -> None:
    owner = UserFactory(role=Role.AGENT)
    key, secret = make_key(owner=owner)
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = post(
        client, reverse("api:conversations"), {"customer": {"email": "a@example.test"}, "body": "?"}
    )
    assert response.status_code == 201
    writes = [event for event in audit_events_for(key) if event.action == "api_key.write"]
    assert len(writes) == 1
    assert (writes[0].actor, writes[0].actor_label) == (owner, owner.email)
    assert key.prefix in writes[0].summary
    assert "POST /api/v1/conversations/" in writes[0].summary


def test_reading_a_conversation_is_audited_and_listing_is_not(make_key: KeyMaker) -> None:
    key, secret = make_key(Role.TEAM_LEAD)
    conversation = conversation_of(TeamFactory())
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {secret}")
    client.get(reverse("api:conversations"))
    client.get(reverse("api:conversation", args=[conversation.pk]))
    reads = [event for event in audit_events_for(key) if event.action == "api_key.read"]
    assert [f"/api/v1/conversations/{conversation.pk}/" in event.summary for event in reads] == [
        True
    ]
    assert reads[0].actor == ApiKey.objects.get(pk=key.pk).owner


def test_a_refused_write_is_audited_too(make_key: KeyMaker) -> None:
    key, secret = make_key(Role.AGENT, scopes=[Scope.CONVERSATIONS_READ])
    client = APIClient(HTTP_AUTHORIZATION=f"Bearer {secret}")
    post(client, reverse("api:conversations"), {"body": "?"})
    [event] = audit_events_for(key).filter(action="api_key.write")
    assert event.summary.endswith("→ 403")
