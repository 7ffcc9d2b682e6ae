"""Cursor pages: every row once, in a stable order, whatever arrives while a client walks."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from careloop.care.models import ExecutionStatus, Gesture
from careloop.conversations.models import Channel, Conversation
from careloop.conversations.services.conversations import receive_customer_message
from careloop.core.permissions import Role
from tests.conversations.factories import CustomerFactory
from tests.core.test_row_access import _gesture
from tests.fixtures.api import ClientMaker
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(api_as: ClientMaker) -> APIClient:
    return api_as(Role.AGENT)


def walk(client: APIClient, url: str, **params: Any) -> list[list[int]]:
    """The ids of every page, following `next` links from the first page."""
    pages = []
    body = client.get(url, params).json()
    while True:
        pages.append([row["id"] for row in body["results"]])
        if body["next"] is None:
            return pages
        body = client.get(body["next"]).json()


def test_walking_the_pages_gives_every_row_once_newest_first(api: APIClient) -> None:
    customers = [CustomerFactory() for _ in range(5)]
    pages = walk(api, reverse("api:customers"), page_size=2)
    assert pages == [
        [customers[4].pk, customers[3].pk],
        [customers[2].pk, customers[1].pk],
        [customers[0].pk],
    ]


def test_previous_goes_back_to_the_page_before_and_the_first_page_has_none(
    api: APIClient,
) -> None:
    customers = [CustomerFactory() for _ in range(5)]
    url = reverse("api:customers")
    first = api.get(url, {"page_size": 2}).json()
    assert first["previous"] is None
    second = api.get(first["next"]).json()
    third = api.get(second["next"]).json()
    back = api.get(third["previous"]).json()
    assert [row["id"] for row in back["results"]] == [customers[2].pk, customers[1].pk]
    assert back["next"] is not None
    before = api.get(back["previous"]).json()
    assert [row["id"] for row in before["results"]] == [customers[4].pk, customers[3].pk]
    assert before["previous"] is None


def test_rows_arriving_while_walking_neither_repeat_nor_push_rows_off_a_page(
    api: APIClient,
) -> None:
    customers = [CustomerFactory() for _ in range(4)]
    url = reverse("api:customers")
    first = api.get(url, {"page_size": 2}).json()
    CustomerFactory.create_batch(3)  # an offset would now show customers[3] and [2] again
    second = api.get(first["next"]).json()
    assert [row["id"] for row in second["results"]] == [customers[1].pk, customers[0].pk]


def test_rows_with_the_same_time_are_told_apart_by_id(api: APIClient) -> None:
    at = timezone.now() - timedelta(hours=1)
    opened = [
        receive_customer_message(
            CustomerFactory(), channel=Channel.API, body_text="Hi", at=at
        ).conversation_id
        for _ in range(5)
    ]
    assert Conversation.objects.filter(created_at=at).count() == 5
    pages = walk(api, reverse("api:conversations"), page_size=2)
    assert [pk for page in pages for pk in page] == sorted(opened, reverse=True)
    assert [len(page) for page in pages] == [2, 2, 1]


def test_the_page_size_is_bounded(api: APIClient) -> None:
    CustomerFactory.create_batch(3)
    url = reverse("api:customers")
    assert len(api.get(url, {"page_size": 1}).json()["results"]) == 1
    assert api.get(url, {"page_size": 201}).status_code == 400
    assert api.get(url, {"page_size": 0}).status_code == 400


def cursor(keys: list[Any], backwards: bool = False) -> str:
    raw = json.dumps({"k": keys, "b": backwards}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "keys",
    [["not a time", 1], [1], ["2026-01-01T00:00:00+00:00", "x"], [None, 1], [True, 1]],
    ids=["bad-time", "too-short", "bad-id", "null", "boolean"],
)
def test_a_cursor_the_api_never_gave_names_no_page(api: APIClient, keys: list[Any]) -> None:
    response = api.get(reverse("api:conversations"), {"cursor": cursor(keys)})
    assert response.status_code == 404
    assert "cursor" in response.json()["detail"]


def test_an_id_too_large_for_the_database_names_no_page(api: APIClient) -> None:
    response = api.get(reverse("api:customers"), {"cursor": cursor([2**70])})
    assert response.status_code == 404


def test_the_shop_walks_gestures_to_execute_oldest_first(api_as: ClientMaker) -> None:
    agent = UserFactory(role=Role.AGENT)
    gestures = [_gesture(agent, agent.team) for _ in range(3)]
    Gesture.objects.update(execution_status=ExecutionStatus.PENDING)
    pages = walk(api_as(Role.CX_LEADER), reverse("api:gestures-to-execute"), page_size=2)
    assert pages == [[gestures[0].pk, gestures[1].pk], [gestures[2].pk]]
