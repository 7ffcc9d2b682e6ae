"""Hostile or broken requests get a JSON 4xx, never a 500 or an HTML page (finding 15)."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse
from rest_framework.exceptions import ValidationError
from rest_framework.test import APIClient

from careloop.api.parsers import MAX_DEPTH
from careloop.api.strict_fields import StrictCharField
from careloop.conversations.models import Conversation, InboundRecord
from careloop.core.permissions import Role
from tests.fixtures.api import ClientMaker

pytestmark = pytest.mark.django_db

_keys = iter(range(1_000_000))


@pytest.fixture
def api(api_as: ClientMaker) -> APIClient:
    return api_as(Role.AGENT)


def post_raw(client: APIClient, url: str, raw: bytes) -> Any:
    return client.generic(
        "POST",
        url,
        raw,
        content_type="application/json",
        headers={"Idempotency-Key": f"h{next(_keys)}"},
    )


def assert_json_error(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("value", ["²", "١", "1" * 5000, "-1", "0x10", " 1", ""])
def test_a_page_size_that_is_not_ascii_digits_is_a_400(api: APIClient, value: str) -> None:
    body = assert_json_error(api.get(reverse("api:conversations"), {"page_size": value}), 400)
    assert "page_size" in body


@pytest.mark.parametrize("value", ["²", "١", "1" * 5000, " 1", "", "a=b", "a.b"])
def test_a_malformed_cursor_is_a_400(api: APIClient, value: str) -> None:
    body = assert_json_error(api.get(reverse("api:conversations"), {"cursor": value}), 400)
    assert "cursor" in body


@pytest.mark.parametrize("value", ["-1", "0x10", "AAAA", "eyJrIjpbXSwiYiI6ZmFsc2V9"])
def test_a_well_formed_cursor_the_api_never_gave_names_no_page(api: APIClient, value: str) -> None:
    assert_json_error(api.get(reverse("api:conversations"), {"cursor": value}), 404)


def test_a_gesture_cursor_with_a_superscript_is_a_400(api_as: ClientMaker) -> None:
    response = api_as(Role.ADMIN).get(reverse("api:gestures-to-execute"), {"cursor": "²"})
    assert "cursor" in assert_json_error(response, 400)


def test_an_api_path_holding_a_newline_is_a_json_404(api: APIClient) -> None:
    assert_json_error(api.get("/api/v1/customers/1%0A2/"), 404)


def test_a_row_id_too_long_for_the_database_is_a_json_404(api: APIClient) -> None:
    response = api.get(f"/api/v1/conversations/{'9' * 30}/")
    assert_json_error(response, 404)


def test_an_unknown_api_address_is_a_json_404(api: APIClient) -> None:
    assert_json_error(api.get("/api/v1/no-such-thing/"), 404)
    assert_json_error(api.post("/api/v1/no-such-thing/", {}, format="json"), 404)


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 100_000])
def test_json_nested_too_deeply_is_a_400_and_the_request_is_kept(
    api: APIClient, depth: int
) -> None:
    raw = b'{"customer": {"email": "a@example.test"}, "body": "x", "tags": ' + (
        b"[" * depth + b"]" * depth + b"}"
    )
    body = assert_json_error(post_raw(api, reverse("api:conversations"), raw), 400)
    assert "nested" in body["detail"]
    record = InboundRecord.objects.get()
    assert (bytes(record.raw), record.state) == (raw, InboundRecord.State.FLAGGED)
    assert not Conversation.objects.exists()


def test_json_nested_within_the_bound_is_read_as_usual(api: APIClient) -> None:
    raw = b'{"customer": {"email": "a@example.test"}, "body": "x", "tags": [["deep"]]}'
    body = assert_json_error(post_raw(api, reverse("api:conversations"), raw), 400)
    assert "tags" in body  # a field error: the body itself was parsed


def test_brackets_inside_strings_do_not_count_as_nesting(api: APIClient) -> None:
    text = "[{" * 100 + '\\"' + "]}" * 100
    raw = b'{"customer": {"email": "a@example.test"}, "body": "' + text.encode() + b'"}'
    response = post_raw(api, reverse("api:conversations"), raw)
    assert response.status_code == 201, response.json()


@pytest.mark.parametrize("escape", [b"\\ud800", b"\\udfff", b"\\ud800\\u0041"])
def test_a_lone_surrogate_is_a_400_and_the_raw_request_is_kept_first(
    api: APIClient, escape: bytes
) -> None:
    raw = b'{"customer": {"email": "a@example.test"}, "body": "Hi ' + escape + b'"}'
    body = assert_json_error(post_raw(api, reverse("api:conversations"), raw), 400)
    assert "surrogate" in body["detail"]
    record = InboundRecord.objects.get()
    assert bytes(record.raw) == raw
    assert record.state == InboundRecord.State.FLAGGED
    assert not Conversation.objects.exists()


def test_a_surrogate_pair_is_ordinary_text(api: APIClient) -> None:
    raw = b'{"customer": {"email": "a@example.test"}, "body": "Thanks \\ud83d\\ude00"}'
    response = post_raw(api, reverse("api:conversations"), raw)
    assert response.status_code == 201, response.json()
    assert Conversation.objects.get().messages.get().body_text == "Thanks \U0001f600"


def test_a_body_over_the_upload_limit_is_a_json_413(api: APIClient) -> None:
    raw = b'{"customer": {"email": "a@example.test"}, "body": "' + b"x" * 3_000_000 + b'"}'
    body = assert_json_error(post_raw(api, reverse("api:conversations"), raw), 413)
    assert "larger" in body["detail"]
    assert not Conversation.objects.exists()


def test_an_unexpected_error_is_a_json_500(api: APIClient, monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(**filters: Any) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr("careloop.api.selectors.conversations_for_api", crash)
    api.raise_request_exception = False
    body = assert_json_error(api.get(reverse("api:conversations")), 500)
    assert "a bug" not in body["detail"]


@pytest.mark.parametrize("authorization", ["Bearer not-a-key", ""])
def test_an_unacceptable_accept_header_is_a_json_406_whatever_the_key(authorization: str) -> None:
    client = APIClient(HTTP_AUTHORIZATION=authorization)
    response = client.get(reverse("api:conversations"), HTTP_ACCEPT="text/html")
    assert_json_error(response, 406)


def test_text_longer_than_its_maximum_is_refused_even_when_the_excess_is_spaces() -> None:
    field = StrictCharField(max_length=5)
    with pytest.raises(ValidationError):
        field.run_validation("hello   ")
    assert field.run_validation(" hi ") == "hi"
