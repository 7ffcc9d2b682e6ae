"""Numbers and JSON from outside are read strictly: a clear answer, never an HTTP 500."""

from __future__ import annotations

import json
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from careloop.care.services import parse_amount
from careloop.conversations.models import InboundRecord, Message
from careloop.core.json_input import JsonInputError, parse_json_body
from careloop.core.permissions import Role
from careloop.core.whole_numbers import parse_whole_number
from tests.conversations.test_chat_views import HEADER, start_session
from tests.people.factories import TeamFactory

HUGE = "9" * 5000


@pytest.mark.parametrize(
    "text", ["²", "٣", " 7", "7 ", "+7", "1e3", "1.0", "", HUGE, "9" * 19, "0x10", "-0x1"]
)
def test_only_plain_ascii_digits_make_a_whole_number(text: str) -> None:
    assert parse_whole_number(text, default=-1, minimum=-100) == -1


def test_whole_numbers_within_bounds_are_read_and_others_fall_back_to_the_default() -> None:
    assert parse_whole_number("42") == 42
    assert parse_whole_number("-3", minimum=-5) == -3
    assert parse_whole_number("-3") is None
    assert parse_whole_number("101", maximum=100, default=7) == 7
    assert parse_whole_number(None, default=0) == 0


@pytest.mark.parametrize("amount", ["1e999", "²", "NaN", "-1", "9" * 5000])
def test_a_hostile_money_amount_is_a_validation_error(amount: str) -> None:
    with pytest.raises(ValidationError):
        parse_amount(amount)


def test_json_nested_too_deeply_is_refused_before_the_parser_recurses() -> None:
    with pytest.raises(JsonInputError, match="nested too deeply"):
        parse_json_body(b"[" * 10_000 + b"]" * 10_000, max_bytes=100_000)
    assert parse_json_body(b'{"text": "[[[[[[[[[[[[[[[[[[[[[[[[["}', max_bytes=100) == {
        "text": "[" * 25
    }


@pytest.mark.django_db
def test_a_deeply_nested_chat_message_gets_a_clear_400(client: Client) -> None:
    token = start_session(client)["token"]
    body = '{"text": ' + "[" * 8000 + "]" * 8000 + "}"

    response = client.post(
        reverse("conversations:chat-messages"), body, "application/json", **{HEADER: token}
    )

    assert response.status_code == 400
    assert "nested too deeply" in response.json()["error"]


@pytest.mark.django_db
@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "\\u0000"])
def test_a_chat_message_with_text_that_cannot_be_stored_is_refused_clearly(
    client: Client, escape: str
) -> None:
    token = start_session(client)["token"]
    body = f'{{"client_message_id": "{uuid.uuid4()}", "text": "Hello {escape} there"}}'

    response = client.post(
        reverse("conversations:chat-messages"), body, "application/json", **{HEADER: token}
    )

    assert response.status_code == 400
    assert "nothing was saved" in response.json()["error"]
    assert not InboundRecord.objects.exists()
    assert not Message.objects.exists()


@pytest.mark.django_db
def test_a_valid_chat_message_after_a_refused_one_is_kept(client: Client) -> None:
    token = start_session(client)["token"]
    body = {"client_message_id": str(uuid.uuid4()), "text": "Hello 😀 there"}

    response = client.post(
        reverse("conversations:chat-messages"),
        json.dumps(body),
        "application/json",
        **{HEADER: token},
    )

    assert response.status_code == 201
    assert InboundRecord.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("after", ["²", HUGE, "9" * 4000, "-1", "1e999"])
def test_chat_polling_reads_odd_after_ids_as_from_the_start(client: Client, after: str) -> None:
    token = start_session(client)["token"]

    response = client.get(
        reverse("conversations:chat-messages"), {"after": after}, **{HEADER: token}
    )

    assert response.status_code == 200
    assert response.json()["messages"] == []


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("url_name", "params"),
    [
        ("feedback:overview", {"team": "²"}),
        ("feedback:overview", {"team": HUGE}),
        ("conversations:inbox", {"q": "#²"}),
        ("conversations:inbox", {"q": "#" + "9" * 4000}),
    ],
)
def test_pages_answer_odd_numbers_in_their_query_without_an_error(
    url_name: str, params: dict[str, str], client_as: object
) -> None:
    TeamFactory()
    client = client_as(Role.ADMIN)  # type: ignore[operator]

    response = client.get(reverse(url_name), params)

    assert response.status_code == 200
