"""Kudos and shared success stories through the API, as the recognition feed shows them."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone

from careloop.api.scopes import Scope
from careloop.core.permissions import Role
from careloop.people.models import User, Value
from careloop.people.selectors import current_organisation
from careloop.recognition.models import Kudos, StoryStatus
from careloop.recognition.services import give_kudos
from tests.fixtures.api import ClientMaker
from tests.people.factories import UserFactory
from tests.recognition.factories import SuccessStoryFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def value(office_hours: None) -> Value:
    # After `office_hours`, which sets the organisation's values to none.
    return Value.objects.create(organisation=current_organisation(), name="Own it")


@pytest.fixture
def giver() -> User:
    return UserFactory(full_name="Gina Giver")


def give(client: Any, body: dict[str, Any], key: str) -> Any:
    return client.post(reverse("api:kudos"), body, format="json", headers={"Idempotency-Key": key})


def test_kudos_are_listed_newest_first_with_who_and_which_value(
    giver: User, value: Value, api_as: ClientMaker
) -> None:
    receiver = UserFactory(full_name="Rui Receiver")
    give_kudos(giver=giver, receiver=receiver, value=value, message="Stayed late for a customer.")
    give_kudos(giver=receiver, receiver=giver, value=value, message="Covered my shift.")

    response = api_as(Role.AGENT).get(reverse("api:kudos"))

    assert response.status_code == 200
    rows = response.json()["results"]
    assert [row["message"] for row in rows] == ["Covered my shift.", "Stayed late for a customer."]
    assert (rows[1]["giver"], rows[1]["receiver"], rows[1]["value"]) == (
        "Gina Giver",
        "Rui Receiver",
        "Own it",
    )


def test_kudos_given_through_the_api_come_from_the_keys_owner(
    giver: User, value: Value, api_as: ClientMaker
) -> None:
    receiver = UserFactory(email="rui@example.test")
    client = api_as(owner=giver)

    given = give(
        client,
        {"receiver_email": "RUI@example.test", "value": "own IT", "message": "Thank you!"},
        "k1",
    )
    to_self = give(
        client, {"receiver_email": giver.email, "value": "Own it", "message": "Me!"}, "k2"
    )
    to_stranger = give(
        client, {"receiver_email": "nobody@example.test", "value": "Own it", "message": "Hi"}, "k3"
    )
    unknown_value = give(
        client, {"receiver_email": receiver.email, "value": "Be loud", "message": "Hi"}, "k4"
    )

    assert given.status_code == 201, given.content
    kudos = Kudos.objects.get()
    assert (kudos.giver, kudos.receiver, kudos.value) == (giver, receiver, value)
    assert to_self.status_code == 400
    assert to_stranger.status_code == 404
    assert unknown_value.status_code == 404 and "Own it" in unknown_value.content.decode()
    assert Kudos.objects.count() == 1


def test_giving_kudos_needs_the_recognition_write_scope(
    giver: User, value: Value, api_as: ClientMaker
) -> None:
    receiver = UserFactory()
    client = api_as(owner=giver, scopes=[Scope.RECOGNITION_READ])

    response = give(
        client, {"receiver_email": receiver.email, "value": "Own it", "message": "Hi"}, "k"
    )

    assert response.status_code == 403
    assert client.get(reverse("api:kudos")).status_code == 200
    assert not Kudos.objects.exists()


def test_only_stories_shared_with_the_agents_consent_are_listed_even_to_the_agent(
    api_as: ClientMaker,
) -> None:
    agent = UserFactory(full_name="Ada Agent")
    SuccessStoryFactory(
        agent=agent, title="Shared", status=StoryStatus.SHARED, shared_at=timezone.now()
    )
    SuccessStoryFactory(agent=agent, title="Awaiting", status=StoryStatus.AWAITING_CONSENT)
    SuccessStoryFactory(agent=agent, title="Kept private", status=StoryStatus.DECLINED)
    SuccessStoryFactory(agent=agent, title="Draft", status=StoryStatus.DRAFT)

    for client in (api_as(owner=agent), api_as(Role.CX_LEADER), api_as(Role.AGENT)):
        response = client.get(reverse("api:stories"))
        assert response.status_code == 200
        assert [row["title"] for row in response.json()["results"]] == ["Shared"]
    (story,) = api_as(Role.AGENT).get(reverse("api:stories")).json()["results"]
    assert story["agent"] == "Ada Agent"
    assert story["customer_words"] == "Thank you so much, you were brilliant!"


def test_recognition_needs_its_read_scope(api_as: ClientMaker) -> None:
    client = api_as(Role.AGENT, scopes=[Scope.IDEAS_READ])

    assert client.get(reverse("api:kudos")).status_code == 403
    assert client.get(reverse("api:stories")).status_code == 403
