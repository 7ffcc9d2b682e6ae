from __future__ import annotations

import threading
from typing import Any

import pytest
from django.conf import settings
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from careloop.api.models import ApiIdempotentResponse
from careloop.conversations.models import Conversation, InboundRecord, Message
from careloop.conversations.services import conversations
from careloop.core.permissions import Role
from tests.fixtures.api import ClientMaker, KeyMaker

OPENING = {"customer": {"email": "ana@example.test"}, "subject": "Late", "body": "Where is it?"}


def open_with_key(client: APIClient, key: str | None, data: Any = OPENING) -> Any:
    headers = {} if key is None else {"Idempotency-Key": key}
    return client.post(reverse("api:conversations"), data, format="json", headers=headers)


@pytest.fixture
def agent_api(api_as: ClientMaker) -> APIClient:
    return api_as(Role.AGENT)


@pytest.mark.django_db
def test_a_retry_gets_the_original_answer_and_creates_nothing(agent_api: APIClient) -> None:
    first = open_with_key(agent_api, "order-1")
    retry = open_with_key(agent_api, "order-1")
    assert first.status_code == retry.status_code == 201
    assert retry.json() == first.json()
    assert retry["Idempotent-Replayed"] == "true"
    assert Conversation.objects.count() == 1
    assert Message.objects.count() == 1
    assert InboundRecord.objects.count() == 1


@pytest.mark.django_db
def test_the_same_key_with_a_different_body_is_refused_with_422(agent_api: APIClient) -> None:
    open_with_key(agent_api, "order-1")
    response = open_with_key(agent_api, "order-1", {**OPENING, "body": "Something else"})
    assert response.status_code == 422
    assert "different request" in response.json()["detail"]
    assert Message.objects.get().body_text == "Where is it?"


@pytest.mark.django_db
def test_the_same_key_on_another_endpoint_is_refused_with_422(agent_api: APIClient) -> None:
    conversation_id = open_with_key(agent_api, "k").json()["id"]
    url = reverse("api:conversation-messages", args=[conversation_id])
    response = agent_api.post(url, OPENING, format="json", headers={"Idempotency-Key": "k"})
    assert response.status_code == 422


@pytest.mark.django_db
def test_keys_belong_to_their_api_key_so_two_integrations_never_collide(
    api_as: ClientMaker,
) -> None:
    assert open_with_key(api_as(Role.AGENT), "1").status_code == 201
    assert open_with_key(api_as(Role.AGENT), "1").status_code == 201
    assert Conversation.objects.count() == 2


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("key", "problem"),
    [(None, "required"), ("", "printable"), ("x" * 256, "printable"), ("tab\there", "printable")],
)
def test_a_post_without_a_usable_idempotency_key_is_a_clear_400(
    agent_api: APIClient, key: str | None, problem: str
) -> None:
    response = open_with_key(agent_api, key)
    assert response.status_code == 400
    assert problem in response.json()["Idempotency-Key"][0]
    assert not InboundRecord.objects.exists()


@pytest.mark.django_db
def test_the_longest_allowed_key_is_accepted(agent_api: APIClient) -> None:
    assert open_with_key(agent_api, "~" * 255).status_code == 201


@pytest.mark.django_db
def test_invalid_fields_get_field_errors_and_the_raw_request_is_kept_flagged(
    agent_api: APIClient,
) -> None:
    bad = {"customer": {"email": "not-an-email"}, "priority": "whenever"}
    response = open_with_key(agent_api, "bad-1", bad)
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"customer", "body", "priority"}
    assert "email" in errors["customer"]
    record = InboundRecord.objects.get()
    assert record.state == InboundRecord.State.FLAGGED
    assert "not-an-email" in bytes(record.raw).decode()
    assert "priority" in record.problem
    assert not Conversation.objects.exists()
    # The key is spent: the identical retry gets the identical answer.
    assert open_with_key(agent_api, "bad-1", bad).json() == errors


@pytest.mark.django_db
def test_bad_json_is_a_400_and_the_bytes_are_kept(agent_api: APIClient) -> None:
    raw = b'{"customer": {"email": "ana@example.test"}, "body": "trailing comma",}'
    response = agent_api.post(
        reverse("api:conversations"),
        raw,
        content_type="application/json",
        headers={"Idempotency-Key": "json-1"},
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]
    record = InboundRecord.objects.get()
    assert bytes(record.raw) == raw
    assert record.state == InboundRecord.State.FLAGGED


@pytest.mark.django_db
def test_an_unexpected_failure_keeps_the_request_and_a_retry_processes_it(
    agent_api: APIClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = conversations.open_conversation

    def broken(*args: Any, **kwargs: Any) -> Message:
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(conversations, "open_conversation", broken)
    agent_api.raise_request_exception = False
    assert open_with_key(agent_api, "crash-1").status_code == 500
    record = InboundRecord.objects.get()
    assert record.state == InboundRecord.State.FLAGGED
    assert "database hiccup" in record.problem
    assert not Conversation.objects.exists()

    monkeypatch.setattr(conversations, "open_conversation", real)
    retry = open_with_key(agent_api, "crash-1")
    assert retry.status_code == 201
    record.refresh_from_db()
    assert record.state == InboundRecord.State.PROCESSED
    assert Conversation.objects.count() == 1


@pytest.mark.skipif(
    settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="Needs PostgreSQL: SQLite serialises every write, so there is no race to lose.",
)
@pytest.mark.django_db(transaction=True)
def test_parallel_duplicates_create_exactly_one_conversation(
    make_key: KeyMaker, office_hours: None
) -> None:
    _, secret = make_key(Role.AGENT)
    parallel = 6
    start = threading.Barrier(parallel)
    answers: list[tuple[int, Any]] = []

    def send() -> None:
        try:
            client = APIClient()
            client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
            start.wait(timeout=10)
            response = open_with_key(client, "same-key")
            answers.append((response.status_code, response.json()))
        finally:
            connection.close()  # each thread has its own connection; leave none open

    threads = [threading.Thread(target=send) for _ in range(parallel)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert len(answers) == parallel
    assert {status for status, _ in answers} == {201}
    assert all(body == answers[0][1] for _, body in answers)
    assert Conversation.objects.count() == 1
    assert Message.objects.count() == 1
    assert ApiIdempotentResponse.objects.get().status_code == 201
