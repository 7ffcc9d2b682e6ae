from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from django.http import HttpResponseBase
from django.test import Client
from django.urls import reverse

from careloop.conversations.channels import chat, chat_transcript, chat_visitors
from careloop.conversations.models import Conversation, InboundRecord, Message
from careloop.conversations.services import replies
from careloop.core.permissions import Role
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db

HEADER = "HTTP_X_CARELOOP_CHAT"


def start_session(client: Client, token: str = "") -> dict[str, Any]:
    response = client.post(
        reverse("conversations:chat-session"), "{}", "application/json", **{HEADER: token}
    )
    assert response.status_code == 200
    return dict(response.json())


def send(client: Client, token: str, text: str, client_id: str = "") -> HttpResponseBase:
    body = {"client_message_id": client_id or str(uuid.uuid4()), "text": text}
    return client.post(
        reverse("conversations:chat-messages"),
        json.dumps(body),
        "application/json",
        **{HEADER: token},
    )


def test_a_new_visitor_gets_a_signed_token_and_an_empty_transcript(client: Client) -> None:
    session = start_session(client)

    assert chat_visitors.visitor_from_token(session["token"])
    assert session["messages"] == []
    assert session["ended"] is False


def test_a_forged_token_starts_a_fresh_visitor_rather_than_reading_anyones_chat(
    client: Client,
) -> None:
    victim = start_session(client)["token"]
    send(client, victim, "private")

    session = start_session(client, token=victim + "x")

    assert session["token"] != victim
    assert session["messages"] == []


def test_a_message_is_kept_filed_and_a_retry_is_answered_without_a_duplicate(
    client: Client,
) -> None:
    token = start_session(client)["token"]
    client_id = str(uuid.uuid4())

    created = send(client, token, "My order is late", client_id)
    retried = send(client, token, "My order is late", client_id)

    assert created.status_code == 201
    assert retried.status_code == 200
    assert retried.json()["duplicate"] is True
    assert created.json()["message"]["id"] == retried.json()["message"]["id"]
    assert created.json()["message"]["client_id"] == client_id
    assert InboundRecord.objects.get().dedupe_key == f"chat:{client_id}"
    conversation = Conversation.objects.get()
    assert conversation.channel == "chat"
    assert list(conversation.messages.values_list("body_text", flat=True)) == ["My order is late"]


def test_posting_works_without_a_csrf_cookie_because_the_token_header_authenticates() -> None:
    strict = Client(enforce_csrf_checks=True)
    token = start_session(strict)["token"]

    assert send(strict, token, "hello").status_code == 201


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("not json", ""),
        (json.dumps({"client_message_id": str(uuid.uuid4()), "text": ""}), "text"),
        (json.dumps({"client_message_id": "123", "text": "hi"}), "client_message_id"),
        (json.dumps(["a", "list"]), ""),
    ],
    # Named, not shown: a random id in a test's name differs between xdist workers.
    ids=["not-json", "empty-text", "bad-client-message-id", "a-list"],
)
def test_bad_input_gets_a_clear_json_error_and_stores_nothing(
    client: Client, body: str, field: str
) -> None:
    token = start_session(client)["token"]

    response = client.post(
        reverse("conversations:chat-messages"), body, "application/json", **{HEADER: token}
    )

    assert response.status_code == 400
    assert response.json()["error"]
    assert response.json().get("field", "") == field
    assert not InboundRecord.objects.exists()


def test_a_request_too_large_is_refused(client: Client) -> None:
    token = start_session(client)["token"]

    response = send(client, token, "x" * 20_000)

    assert response.status_code == 400
    assert "too large" in response.json()["error"]


def test_calls_without_a_valid_token_are_refused(client: Client) -> None:
    assert send(client, "", "hello").status_code == 401
    assert send(client, "made-up:token", "hello").status_code == 401
    response = client.get(reverse("conversations:chat-messages"))
    assert response.status_code == 401
    assert response.json()["error"]
    assert client.get(reverse("conversations:chat-events")).status_code == 401


def test_wrong_method_gets_a_json_error(client: Client) -> None:
    response = client.get(reverse("conversations:chat-end"))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert response.json()["error"]


def test_sending_too_fast_gets_429_with_a_clear_message(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chat, "RATE_LIMIT_MESSAGES", 1)
    token = start_session(client)["token"]
    send(client, token, "one")

    response = send(client, token, "two")

    assert response.status_code == 429
    assert response["Retry-After"] == str(chat.RATE_LIMIT_WINDOW_SECONDS)
    assert "wait a minute" in response.json()["error"]


def test_another_visitor_cannot_read_the_chat(client: Client) -> None:
    ann = start_session(client)["token"]
    bob = start_session(client)["token"]
    send(client, ann, "Ann's address is 1 Main Street")

    bob_reads = client.get(reverse("conversations:chat-messages"), **{HEADER: bob})
    ann_reads = client.get(reverse("conversations:chat-messages"), **{HEADER: ann})

    assert bob_reads.json()["messages"] == []
    assert [m["text"] for m in ann_reads.json()["messages"]] == ["Ann's address is 1 Main Street"]


def test_messages_after_an_id_lists_public_replies_but_never_notes(client: Client) -> None:
    token = start_session(client)["token"]
    first_id = send(client, token, "Is it in stock?").json()["message"]["id"]
    conversation = Conversation.objects.get()
    agent = UserFactory(role=Role.AGENT, full_name="Grace Hopper")
    replies.reply(conversation, agent, "INTERNAL: supplier is late", internal=True)
    replies.reply(conversation, agent, "Yes, two left.")

    response = client.get(
        reverse("conversations:chat-messages"), {"after": first_id}, **{HEADER: token}
    )

    assert [(m["author"], m["author_name"], m["text"]) for m in response.json()["messages"]] == [
        ("agent", "Grace", "Yes, two left.")
    ]


def test_the_event_stream_sends_replies_with_their_ids_and_never_notes(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chat_transcript, "STREAM_SECONDS", 0)
    token = start_session(client)["token"]
    send(client, token, "Hello")
    conversation = Conversation.objects.get()
    agent = UserFactory(role=Role.AGENT)
    replies.reply(conversation, agent, "SECRET NOTE", internal=True)
    reply = replies.reply(conversation, agent, "Hi, how can I help?")

    response = client.get(reverse("conversations:chat-events"), {"token": token})

    assert response["Content-Type"] == "text/event-stream"
    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert f"id: {reply.pk}\n" in body
    assert "Hi, how can I help?" in body
    assert "SECRET NOTE" not in body


def test_the_event_stream_resumes_after_last_event_id(
    client: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chat_transcript, "STREAM_SECONDS", 0)
    token = start_session(client)["token"]
    send(client, token, "Hello")
    conversation = Conversation.objects.get()
    agent = UserFactory(role=Role.AGENT)
    seen = replies.reply(conversation, agent, "Already seen")
    replies.reply(conversation, agent, "New one")

    response = client.get(
        reverse("conversations:chat-events"), {"token": token}, HTTP_LAST_EVENT_ID=str(seen.pk)
    )

    body = b"".join(response.streaming_content).decode()  # type: ignore[attr-defined]
    assert "New one" in body
    assert "Already seen" not in body


def test_ending_the_chat_keeps_the_transcript_and_the_customer_waiting(client: Client) -> None:
    token = start_session(client)["token"]
    send(client, token, "Please help")

    response = client.post(reverse("conversations:chat-end"), **{HEADER: token})

    assert response.json() == {"ended": True}
    conversation = Conversation.objects.get()
    assert conversation.status == "open"
    assert conversation.events.filter(kind=chat_transcript.CHAT_ENDED).exists()
    session = start_session(client, token)
    assert session["ended"] is True
    assert [m["text"] for m in session["messages"]] == ["Please help"]
    assert Message.objects.count() == 1


def test_the_frame_may_be_embedded_by_other_sites_but_other_pages_may_not(
    client: Client,
) -> None:
    frame = client.get(reverse("conversations:chat-frame"))
    elsewhere = client.get(reverse("ops:health"))

    assert frame.status_code == 200
    assert "X-Frame-Options" not in frame
    assert "frame-ancestors *" in frame["Content-Security-Policy"]
    assert "script-src 'self'" in frame["Content-Security-Policy"]
    assert elsewhere["X-Frame-Options"] == "DENY"
    assert "frame-ancestors 'none'" in elsewhere["Content-Security-Policy"]


def test_the_demo_shop_embeds_the_widget_with_one_script_tag(client: Client) -> None:
    response = client.get(reverse("conversations:chat-demo"))

    html = response.content.decode()
    assert response.status_code == 200
    tag = (
        '<script src="http://testserver/static/careloop/widget.js" '
        'data-careloop="http://testserver" defer></script>'
    )
    assert html.count(tag) == 1
