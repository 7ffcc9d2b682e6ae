"""A reply token is no proof of identity (trust issue, finding 16).

An email that threads into a conversation by its subject token or References header, but
comes from an address that is not the customer's, is kept and shown to the team as an
unverified sender's words, never as the customer's reply.
"""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from careloop.conversations.channels.email_inbound import ingest_email
from careloop.conversations.models import (
    ContactPoint,
    Conversation,
    ConversationEvent,
    Customer,
    InboundRecord,
    Message,
    Status,
)
from careloop.conversations.services.conversations import change_status
from careloop.conversations.services.replies import reply
from careloop.core.permissions import Role
from tests.conversations.channels.builders import customer_email
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db
OnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
STRANGER = "Mallory <mallory@elsewhere.test>"


@pytest.fixture
def receive(django_capture_on_commit_callbacks: OnCommit) -> Callable[[bytes], InboundRecord]:
    def ingest(raw: bytes) -> InboundRecord:
        with django_capture_on_commit_callbacks(execute=True):
            stored = ingest_email(raw)
        stored.record.refresh_from_db()
        return stored.record

    return ingest


def solved_email_conversation(receive: Callable[[bytes], InboundRecord]) -> Conversation:
    first = receive(customer_email(subject="Broken kettle", message_id="<root@example.test>"))
    assert first.message is not None
    conversation = first.message.conversation
    agent = UserFactory(role=Role.AGENT)
    reply(conversation, agent, "A new kettle is on its way.", then_status=Status.SOLVED)
    conversation.refresh_from_db()
    return conversation


def assert_held(record: InboundRecord, conversation: Conversation) -> Message:
    held = record.message
    assert held is not None
    assert held.conversation_id == conversation.pk
    assert held.unverified_sender == "mallory@elsewhere.test"
    assert held.author_kind == Message.Author.SYSTEM
    assert held.body_text == "Hello, order 42 is late."  # kept: nothing is lost
    assert record.state == InboundRecord.State.PROCESSED
    assert ConversationEvent.objects.filter(
        conversation=conversation, kind=ConversationEvent.Kind.UNVERIFIED
    ).exists()
    # The stranger did not become a customer, nor a contact point of this one.
    assert not Customer.objects.filter(email="mallory@elsewhere.test").exists()
    assert not ContactPoint.objects.filter(value="mallory@elsewhere.test").exists()
    return held


def test_a_stranger_with_the_subject_token_is_held_and_does_not_reopen_the_conversation(
    receive: Callable[[bytes], InboundRecord],
) -> None:
    conversation = solved_email_conversation(receive)
    before = (conversation.last_customer_message_at, conversation.reopen_count)
    record = receive(
        customer_email(sender=STRANGER, subject=f"Re: Broken kettle [#{conversation.reply_token}]")
    )
    held = assert_held(record, conversation)
    conversation.refresh_from_db()
    assert conversation.status == Status.SOLVED
    assert conversation.waiting_since is None
    assert (conversation.last_customer_message_at, conversation.reopen_count) == before
    assert not conversation.messages.filter(
        author_kind=Message.Author.CUSTOMER, pk=held.pk
    ).exists()
    assert held.scored_at is None and held.emotions is None

    agent = Client()
    agent.force_login(UserFactory(role=Role.AGENT))
    page = agent.get(reverse("conversations:conversation", args=[conversation.pk]))
    assert page.status_code == 200
    assert "Unverified sender: mallory@elsewhere.test" in page.content.decode()
    assert "— <mark>not shown as the customer's words" in page.content.decode()


def test_a_stranger_with_a_references_header_is_held_and_starts_no_wait(
    receive: Callable[[bytes], InboundRecord],
) -> None:
    conversation = solved_email_conversation(receive)
    change_status(conversation, Status.PENDING, actor=None)
    record = receive(
        customer_email(sender=STRANGER, subject="Hi", references="<root@example.test>")
    )
    assert_held(record, conversation)
    conversation.refresh_from_db()
    assert conversation.status == Status.PENDING
    assert conversation.waiting_since is None


def test_the_customer_from_any_of_their_addresses_still_reopens_the_conversation(
    receive: Callable[[bytes], InboundRecord],
) -> None:
    conversation = solved_email_conversation(receive)
    ContactPoint.objects.create(
        customer=conversation.customer, kind=ContactPoint.Kind.EMAIL, value="ada@work.test"
    )
    for sender in ("ADA@example.test", "Ada <ada@work.test>"):
        record = receive(
            customer_email(sender=sender, subject=f"Re: kettle [#{conversation.reply_token}]")
        )
        assert record.message is not None
        assert record.message.author_kind == Message.Author.CUSTOMER
        assert record.message.unverified_sender == ""
        assert record.message.conversation_id == conversation.pk
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN
    assert conversation.reopen_count == 1
