"""Gestures and allowances through the API: each key sees what its owner's pages show, and a
gesture asked for through the API meets the same allowances and four eyes."""

from __future__ import annotations

import json
from decimal import Decimal
from itertools import count
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from careloop.api.scopes import Scope
from careloop.care import selectors as care_selectors
from careloop.care.models import Allowance, Gesture, GestureStatus
from careloop.conversations.models import Channel
from careloop.conversations.services.assignment import assign
from careloop.conversations.services.conversations import receive_customer_message
from careloop.core.permissions import Role
from careloop.people.models import Team, User
from tests.conversations.factories import CustomerFactory
from tests.core.test_row_access import _gesture
from tests.fixtures.api import ClientMaker
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

_keys = count()


def post(client: APIClient, url: str, data: dict[str, Any]) -> Any:
    return client.post(
        url,
        json.dumps(data),
        content_type="application/json",
        headers={"Idempotency-Key": f"g{next(_keys)}"},
    )


@pytest.fixture
def team() -> Team:
    return TeamFactory()


@pytest.fixture
def agent(team: Team) -> User:
    return UserFactory(role=Role.AGENT, team=team)


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.json()
    return sorted(row["id"] for row in response.json()["results"])


def test_an_agents_key_sees_only_their_own_gestures_and_a_leads_their_teams(
    api_as: ClientMaker, agent: User, team: Team
) -> None:
    own = _gesture(agent, team)
    teammates = _gesture(UserFactory(role=Role.AGENT, team=team), team)
    elsewhere = _gesture(UserFactory(role=Role.AGENT, team=TeamFactory()), None)
    url = reverse("api:gestures")
    agent_api = api_as(owner=agent)
    assert ids(agent_api.get(url)) == [own.pk]
    assert agent_api.get(reverse("api:gesture", args=[teammates.pk])).status_code == 404
    assert agent_api.get(reverse("api:gesture", args=[own.pk])).json()["amount"] == "10.00"
    lead_api = api_as(owner=UserFactory(role=Role.TEAM_LEAD, team=team))
    assert ids(lead_api.get(url)) == [own.pk, teammates.pk]
    assert ids(api_as(Role.CX_LEADER).get(url)) == [own.pk, teammates.pk, elsewhere.pk]
    assert api_as(Role.PEOPLE_PARTNER).get(url).status_code == 403


def test_the_gesture_list_filters_by_status(api_as: ClientMaker, agent: User) -> None:
    pending = _gesture(agent, agent.team)
    granted = _gesture(agent, agent.team)
    Gesture.objects.filter(pk=granted.pk).update(status=GestureStatus.GRANTED)
    agent_api = api_as(owner=agent)
    assert ids(agent_api.get(reverse("api:gestures"), {"status": "pending"})) == [pending.pk]


def conversation_of(agent: User) -> int:
    message = receive_customer_message(CustomerFactory(), channel=Channel.EMAIL, body_text="Hi")
    assign(message.conversation, agent, agent)
    return message.conversation_id


def test_a_gesture_within_the_allowance_is_granted_at_once(
    api_as: ClientMaker, agent: User
) -> None:
    response = post(
        api_as(owner=agent),
        reverse("api:gestures"),
        {
            "conversation": conversation_of(agent),
            "kind": "refund",
            "amount": "25.00",
            "reason": "Parcel lost",
        },
    )
    assert response.status_code == 201, response.json()
    gesture = Gesture.objects.get(pk=response.json()["id"])
    assert (gesture.status, gesture.agent, gesture.amount) == (
        GestureStatus.GRANTED,
        agent,
        Decimal("25.00"),
    )


def test_a_gesture_above_the_allowance_waits_for_a_lead_never_the_asker(
    api_as: ClientMaker, team: Team
) -> None:
    lead = UserFactory(role=Role.TEAM_LEAD, team=team)
    Allowance.objects.create(agent=lead, per_incident_limit=Decimal("5.00"))
    response = post(
        api_as(owner=lead),
        reverse("api:gestures"),
        {
            "conversation": conversation_of(lead),
            "kind": "credit",
            "amount": "50",
            "reason": "Broken twice",
        },
    )
    assert response.status_code == 201, response.json()
    assert response.json()["status"] == "pending"
    gesture = Gesture.objects.get(pk=response.json()["id"])
    assert gesture not in care_selectors.approval_queue(lead)
    other_lead = UserFactory(role=Role.TEAM_LEAD, team=team)
    assert gesture in care_selectors.approval_queue(other_lead)


@pytest.mark.parametrize(
    "body",
    [
        {"kind": "refund", "amount": "0", "reason": "x"},
        {"kind": "swap", "amount": "0", "reason": "x", "items_out": "Mug"},
        {"kind": "refund", "amount": "1.234", "reason": "x"},
        {"kind": "refund", "amount": 12, "reason": "x"},
    ],
    ids=["refund-without-amount", "swap-without-item-in", "three-decimals", "number"],
)
def test_a_gesture_the_care_rules_refuse_is_a_400_and_nothing_is_granted(
    api_as: ClientMaker, agent: User, body: dict[str, Any]
) -> None:
    response = post(
        api_as(owner=agent),
        reverse("api:gestures"),
        {"conversation": conversation_of(agent), **body},
    )
    assert response.status_code == 400, response.json()
    assert not Gesture.objects.exists()


def test_asking_for_a_gesture_needs_the_write_scope(api_as: ClientMaker, agent: User) -> None:
    client = api_as(owner=agent, scopes=[Scope.GOODWILL_READ])
    response = post(
        client,
        reverse("api:gestures"),
        {"conversation": conversation_of(agent), "kind": "other", "reason": "Flowers"},
    )
    assert response.status_code == 403
    assert "goodwill:write" in response.json()["detail"]
    assert not Gesture.objects.exists()


def test_allowances_are_listed_as_the_allowances_page_lists_them(
    api_as: ClientMaker, team: Team
) -> None:
    own_team = Allowance.objects.create(team=team, period_limit=Decimal("100.00"))
    teammate = Allowance.objects.create(
        agent=UserFactory(role=Role.AGENT, team=team), per_incident_limit=Decimal("20.00")
    )
    other_team = Allowance.objects.create(team=TeamFactory(), period_limit=Decimal("100.00"))
    lead_api = api_as(owner=UserFactory(role=Role.TEAM_LEAD, team=team))
    # Not their own team's allowance, which binds them too (four eyes); nor another team's.
    assert ids(lead_api.get(reverse("api:allowances"))) == [teammate.pk]
    everyone = ids(
        api_as(owner=UserFactory(role=Role.CX_LEADER, team=None)).get(reverse("api:allowances"))
    )
    assert everyone == sorted([own_team.pk, teammate.pk, other_team.pk])
    assert api_as(Role.AGENT).get(reverse("api:allowances")).status_code == 403
