"""The inbox's views as list filters, and assigning, tagging, status and notes through the API."""

from __future__ import annotations

import json
from itertools import count
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from careloop.api.scopes import Scope
from careloop.conversations.models import (
    Channel,
    Conversation,
    ConversationEvent,
    Message,
    Status,
)
from careloop.conversations.services.assignment import assign
from careloop.conversations.services.conversations import change_status, receive_customer_message
from careloop.conversations.services.merging import merge_conversations
from careloop.conversations.services.tags import set_tags
from careloop.core.permissions import Role
from careloop.people.models import Team, User
from tests.conversations.factories import CustomerFactory
from tests.fixtures.api import ClientMaker
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

_keys = count()


def post(client: APIClient, url: str, data: dict[str, Any]) -> Any:
    return client.post(
        url,
        json.dumps(data),
        content_type="application/json",
        headers={"Idempotency-Key": f"a{next(_keys)}"},
    )


def opened() -> Conversation:
    message = receive_customer_message(CustomerFactory(), channel=Channel.EMAIL, body_text="Hi")
    return Conversation.objects.get(pk=message.conversation_id)


@pytest.fixture
def team() -> Team:
    return TeamFactory()


@pytest.fixture
def agent(team: Team) -> User:
    return UserFactory(role=Role.AGENT, team=team)


@pytest.fixture
def agent_api(api_as: ClientMaker, agent: User) -> APIClient:
    return api_as(owner=agent)


def listed(client: APIClient, **filters: str) -> list[int]:
    response = client.get(reverse("api:conversations"), filters)
    assert response.status_code == 200, response.json()
    return sorted(row["id"] for row in response.json()["results"])


def test_the_inbox_views_filter_the_list_for_the_keys_owner(
    agent_api: APIClient, agent: User, team: Team
) -> None:
    mine, teammates, others, unassigned, held, solved = (opened() for _ in range(6))
    assign(mine, agent, agent)
    assign(teammates, UserFactory(role=Role.AGENT, team=team), None)
    assign(others, UserFactory(role=Role.AGENT, team=TeamFactory()), None)
    assign(held, agent, agent)
    change_status(held, Status.ON_HOLD, agent)
    assign(solved, agent, agent)
    change_status(solved, Status.SOLVED, agent)

    assert listed(agent_api, view="mine") == [mine.pk, held.pk]
    assert listed(agent_api, view="team") == [mine.pk, teammates.pk, held.pk]
    assert listed(agent_api, view="unassigned") == [unassigned.pk]
    assert listed(agent_api, view="on_hold") == [held.pk]
    assert listed(agent_api, view="waiting") == [mine.pk, teammates.pk, others.pk, unassigned.pk]
    assert solved.pk not in listed(agent_api, view="all")
    assert solved.pk in listed(agent_api)
    assert listed(agent_api, status="solved") == [solved.pk]
    assert listed(agent_api, view="mine", status="on_hold") == [held.pk]
    assert listed(agent_api, assignee_email=agent.email.upper()) == [mine.pk, held.pk, solved.pk]


def test_the_tag_filter_and_merged_conversations_leave_the_inbox_views(
    agent_api: APIClient, agent: User
) -> None:
    tagged, other, absorbed = opened(), opened(), opened()
    set_tags(tagged, ["Refund"], agent)
    merge_conversations(absorbed, other, agent)
    assert listed(agent_api, tag="refund") == [tagged.pk]
    assert absorbed.pk not in listed(agent_api, view="all")
    assert agent_api.get(reverse("api:conversations"), {"view": "everything"}).status_code == 400


def test_assigning_to_a_colleague_moves_it_to_their_team_and_null_unassigns(
    agent_api: APIClient, agent: User
) -> None:
    conversation = opened()
    colleague = UserFactory(role=Role.AGENT, team=TeamFactory())
    url = reverse("api:conversation-assign", args=[conversation.pk])
    response = post(agent_api, url, {"assignee_email": colleague.email})
    assert response.status_code == 200, response.json()
    assert response.json()["assignee_email"] == colleague.email
    conversation.refresh_from_db()
    assert (conversation.assignee, conversation.team) == (colleague, colleague.team)
    event = conversation.events.filter(kind=ConversationEvent.Kind.ASSIGNED).last()
    assert event is not None and event.actor == agent
    assert post(agent_api, url, {"assignee_email": None}).json()["assignee_email"] is None
    conversation.refresh_from_db()
    assert conversation.assignee is None


@pytest.mark.parametrize("who", ["nobody", "people partner", "inactive"])
def test_assigning_to_someone_outside_the_inbox_is_refused(agent_api: APIClient, who: str) -> None:
    conversation = opened()
    email = {
        "nobody": "nobody@example.test",
        "people partner": UserFactory(role=Role.PEOPLE_PARTNER).email,
        "inactive": UserFactory(role=Role.AGENT, is_active=False).email,
    }[who]
    url = reverse("api:conversation-assign", args=[conversation.pk])
    assert post(agent_api, url, {"assignee_email": email}).status_code == 404
    conversation.refresh_from_db()
    assert conversation.assignee is None


def test_tags_are_added_and_removed_keeping_the_others(agent_api: APIClient, agent: User) -> None:
    conversation = opened()
    set_tags(conversation, ["refund", "late"], agent)
    url = reverse("api:conversation-tags", args=[conversation.pk])
    response = post(agent_api, url, {"add": ["Damaged Item"], "remove": ["Late"]})
    assert response.status_code == 200, response.json()
    assert response.json()["tags"] == ["damaged-item", "refund"]
    assert sorted(conversation.tags.values_list("name", flat=True)) == ["damaged-item", "refund"]


def test_putting_a_conversation_on_hold_pauses_its_clock(agent_api: APIClient) -> None:
    conversation = opened()
    url = reverse("api:conversation-status", args=[conversation.pk])
    response = post(agent_api, url, {"status": "on_hold"})
    assert response.status_code == 200, response.json()
    conversation.refresh_from_db()
    assert conversation.status == Status.ON_HOLD
    assert conversation.paused_since is not None
    assert post(agent_api, url, {"status": "lost"}).status_code == 400


def test_a_note_is_internal_written_by_the_keys_owner_for_their_team(
    agent_api: APIClient, agent: User, team: Team
) -> None:
    conversation = opened()
    assign(conversation, agent, agent)
    url = reverse("api:conversation-notes", args=[conversation.pk])
    response = post(agent_api, url, {"body": "Called the courier"})
    assert response.status_code == 201, response.json()
    note = Message.objects.get(pk=response.json()["id"])
    assert (note.is_internal_note, note.author, note.note_team) == (True, agent, team)
    assert response.json()["internal"] is True


def test_a_merged_conversation_takes_no_more_changes(agent_api: APIClient, agent: User) -> None:
    source, target = opened(), opened()
    merge_conversations(source, target, agent)
    url = reverse("api:conversation-status", args=[source.pk])
    response = post(agent_api, url, {"status": "solved"})
    assert response.status_code == 409
    assert str(target.pk) in response.json()["detail"]


def test_a_read_only_key_and_a_people_partners_key_change_nothing(api_as: ClientMaker) -> None:
    conversation = opened()
    url = reverse("api:conversation-status", args=[conversation.pk])
    read_only = api_as(Role.AGENT, scopes=[Scope.CONVERSATIONS_READ])
    refused = post(read_only, url, {"status": "solved"})
    assert refused.status_code == 403
    assert "conversations:write" in refused.json()["detail"]
    assert post(api_as(Role.PEOPLE_PARTNER), url, {"status": "solved"}).status_code == 403
    assert api_as(Role.PEOPLE_PARTNER).get(reverse("api:conversations")).status_code == 403
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN


def test_notes_of_another_team_stay_hidden_from_an_agents_key(api_as: ClientMaker) -> None:
    """The note written through the API is read under the same rule as the inbox's notes."""
    conversation = opened()
    writer = UserFactory(role=Role.AGENT, team=TeamFactory())
    assign(conversation, writer, writer)
    post(
        api_as(owner=writer),
        reverse("api:conversation-notes", args=[conversation.pk]),
        {"body": "Ours"},
    )
    outsider = api_as(owner=UserFactory(role=Role.AGENT, team=TeamFactory()))
    body = outsider.get(reverse("api:conversation", args=[conversation.pk])).json()
    assert [m["internal"] for m in body["messages"]] == [False]
