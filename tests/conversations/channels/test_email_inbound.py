from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

import pytest

from careloop.conversations.channels import email_inbound
from careloop.conversations.channels.email_inbound import ingest_email, process_inbound_email
from careloop.conversations.models import (
    Attachment,
    Channel,
    ContactPoint,
    Conversation,
    InboundRecord,
    Message,
)
from careloop.conversations.services import merging
from careloop.core.permissions import Role
from tests.conversations.channels.builders import customer_email
from tests.conversations.factories import CustomerFactory
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db

OnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture
def receive(django_capture_on_commit_callbacks: OnCommit) -> Callable[[bytes], InboundRecord]:
    """Ingest an email as an entry point would, running what waits for the commit."""

    def ingest(raw: bytes) -> InboundRecord:
        with django_capture_on_commit_callbacks(execute=True):
            stored = ingest_email(raw)
        stored.record.refresh_from_db()
        return stored.record

    return ingest


def test_an_email_becomes_a_customer_message_in_a_new_conversation(
    receive: Callable[[bytes], InboundRecord],
) -> None:
    record = receive(customer_email(message_id="<first@example.test>"))
    assert record.state == InboundRecord.State.PROCESSED
    assert record.dedupe_key == "<first@example.test>"
    message = record.message
    assert message is not None
    assert (message.author_kind, message.channel) == (Message.Author.CUSTOMER, Channel.EMAIL)
    assert message.body_text == "Hello, order 42 is late."
    assert message.email_message_id == "<first@example.test>"
    conversation = message.conversation
    assert conversation.subject == "My order has not arrived"
    assert conversation.customer.email == "ada@example.test"
    assert conversation.customer.full_name == "Ada Lovelace"
    assert ContactPoint.objects.filter(
        kind=ContactPoint.Kind.EMAIL, value="ada@example.test"
    ).exists()


def test_the_same_email_twice_is_stored_once_and_makes_one_message(
    receive: Callable[[bytes], InboundRecord],
) -> None:
    raw = customer_email(message_id="<twice@example.test>")
    first = receive(raw)
    second = receive(raw)
    assert first.pk == second.pk
    assert InboundRecord.objects.count() == 1
    assert Message.objects.count() == 1


def test_a_resent_copy_with_other_transport_headers_is_still_a_duplicate(
    receive: Callable[[bytes], InboundRecord],
) -> None:
    raw = customer_email(message_id="<resent@example.test>")
    receive(raw)
    receive(b"Received: from relay2.example.test\r\n" + raw)
    assert (InboundRecord.objects.count(), Message.objects.count()) == (1, 1)


def test_a_stored_but_unprocessed_email_is_processed_when_it_arrives_again(
    receive: Callable[[bytes], InboundRecord],
) -> None:
    raw = customer_email(message_id="<crashed@example.test>")
    email_inbound.store_raw_email(raw)  # as if the process died right after storing
    record = receive(raw)
    assert record.state == InboundRecord.State.PROCESSED
    assert Message.objects.count() == 1


def test_processing_a_record_twice_does_nothing_the_second_time(
    receive: Callable[[bytes], InboundRecord],
) -> None:
    record = receive(customer_email())
    assert process_inbound_email(record.pk) is None
    assert Message.objects.count() == 1


def test_a_reply_to_our_outbound_email_threads_by_in_reply_to(
    receive: Callable[[bytes], InboundRecord],
) -> None:
    first = receive(customer_email(subject="Broken kettle"))
    assert first.message is not None
    conversation = first.message.conversation
    Message.objects.create(
        conversation=conversation,
        author_kind=Message.Author.AGENT,
        channel=Channel.EMAIL,
        body_text="Sorry to hear that.",
        email_message_id="<reply-1@careloop.test>",
    )
    reply = receive(
        customer_email(subject="Something else entirely", in_reply_to="<reply-1@careloop.test>")
    )
    assert reply.message is not None
    assert reply.message.conversation_id == conversation.pk
    assert Conversation.objects.count() == 1


def test_a_reference_to_an_earlier_customer_email_threads_too(
    receive: Callable[[bytes], InboundRecord],
) -> None:
    first = receive(customer_email(message_id="<root@example.test>"))
    follow_up = receive(customer_email(subject="Also", references="<x@y> <root@example.test>"))
    assert first.message is not None and follow_up.message is not None
    assert follow_up.message.conversation_id == first.message.conversation_id


def test_a_reply_without_headers_threads_by_the_token_in_the_subject(
    receive: Callable[[bytes], InboundRecord],
) -> None:
    first = receive(customer_email(subject="Broken kettle"))
    assert first.message is not None
    token = first.message.conversation.reply_token
    reply = receive(customer_email(subject=f"RE: Re: Broken kettle [#{token}]"))
    assert reply.message is not None
    assert reply.message.conversation_id == first.message.conversation_id


def test_a_reply_to_the_plus_address_threads_by_its_token(
    receive: Callable[[bytes], InboundRecord],
) -> None:
    first = receive(customer_email(subject="Broken kettle"))
    assert first.message is not None
    token = first.message.conversation.reply_token
    reply = receive(customer_email(subject="kettle", to=f"support+{token}@careloop.test"))
    assert reply.message is not None
    assert reply.message.conversation_id == first.message.conversation_id


def test_an_unknown_token_and_new_subject_start_a_new_conversation(
    receive: Callable[[bytes], InboundRecord],
) -> None:
    receive(customer_email(subject="First"))
    receive(customer_email(subject="Second [#0000000000000000]", in_reply_to="<nobody@x>"))
    assert Conversation.objects.count() == 2


def test_quoted_history_is_left_out_of_the_message_but_kept_raw(
    receive: Callable[[bytes], InboundRecord],
) -> None:
    body = "Still broken.\n\nOn Mon, 23 Nov 2026, Care <care@careloop.test> wrote:\n> Try again"
    record = receive(customer_email(body=body))
    assert record.message is not None
    assert record.message.body_text == "Still broken."
    assert b"> Try again" in bytes(record.raw)


def test_attachments_are_saved_with_safe_names_and_their_types(
    receive: Callable[[bytes], InboundRecord], settings: Any, tmp_path: Any
) -> None:
    settings.MEDIA_ROOT = tmp_path
    record = receive(
        customer_email(attachments=[("../../receipt.pdf", "application/pdf", b"%PDF-1.4 receipt")])
    )
    [attachment] = Attachment.objects.all()
    assert attachment.message_id == record.message_id
    assert (attachment.filename, attachment.content_type) == ("receipt.pdf", "application/pdf")
    assert attachment.size == len(b"%PDF-1.4 receipt")
    assert "receipt" not in attachment.file.name  # stored under a random name
    with attachment.file.open("rb") as stored:
        assert stored.read() == b"%PDF-1.4 receipt"


def test_an_oversize_attachment_is_skipped_and_noted_on_the_record(
    receive: Callable[[bytes], InboundRecord],
    monkeypatch: pytest.MonkeyPatch,
    settings: Any,
    tmp_path: Any,
) -> None:
    from careloop.conversations.channels import email_parsing

    settings.MEDIA_ROOT = tmp_path
    monkeypatch.setattr(email_parsing, "MAX_ATTACHMENT_BYTES", 8)
    record = receive(
        customer_email(
            attachments=[
                ("small.txt", "text/plain", b"tiny"),
                ("video.mp4", "video/mp4", b"far too large"),
            ]
        )
    )
    assert record.message is not None
    assert list(Attachment.objects.values_list("filename", flat=True)) == ["small.txt"]
    assert record.state == InboundRecord.State.FLAGGED
    assert "'video.mp4' skipped" in record.problem


def test_an_email_without_a_usable_sender_is_kept_and_flagged(
    receive: Callable[[bytes], InboundRecord],
) -> None:
    raw = customer_email(sender="not an address")
    record = receive(raw)
    assert record.state == InboundRecord.State.FLAGGED
    assert "No usable sender address" in record.problem
    assert record.message is None
    assert bytes(record.raw) == raw
    assert Message.objects.count() == 0


def test_a_failure_while_processing_flags_the_record_and_keeps_nothing_half_done(
    receive: Callable[[bytes], InboundRecord], monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> Message:
        raise RuntimeError("database hiccup")

    monkeypatch.setattr(email_inbound, "receive_customer_message", broken)
    record = receive(customer_email())
    assert record.state == InboundRecord.State.FLAGGED
    assert "RuntimeError: database hiccup" in record.problem
    assert (Message.objects.count(), Conversation.objects.count()) == (0, 0)


def test_a_known_customer_without_a_contact_point_gets_the_message(
    receive: Callable[[bytes], InboundRecord],
) -> None:
    customer = CustomerFactory(email="ada@example.test")
    record = receive(customer_email(sender="ada@EXAMPLE.test"))
    assert record.message is not None
    assert record.message.conversation.customer_id == customer.pk


def test_a_reply_from_a_merged_away_conversation_lands_in_the_surviving_one(
    receive: Callable[[bytes], InboundRecord],
) -> None:
    first = receive(customer_email(subject="One"))
    second = receive(customer_email(subject="Two"))
    assert first.message is not None and second.message is not None
    agent = UserFactory(role=Role.AGENT)
    merging.merge_conversations(second.message.conversation, first.message.conversation, agent)
    token = Conversation.objects.get(pk=second.message.conversation_id).reply_token
    reply = receive(customer_email(subject=f"Re: Two [#{token}]"))
    assert reply.message is not None
    assert reply.message.conversation_id == first.message.conversation_id


def test_two_copies_racing_past_the_duplicate_check_still_make_one_record(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    raw = customer_email(message_id="<race@example.test>")
    first = email_inbound.store_raw_email(raw)
    # The second copy checked before the first was committed, so it saw nothing.
    monkeypatch.setattr(email_inbound, "_stored_with", lambda key: None)
    second = email_inbound.store_raw_email(raw)
    assert (first.duplicate, second.duplicate) == (False, True)
    assert second.record.pk == first.record.pk
    assert InboundRecord.objects.count() == 1


def test_careloops_own_reply_landing_in_the_mailbox_is_not_a_customer_message(
    receive: Callable[[bytes], InboundRecord], settings: Any
) -> None:
    settings.CARELOOP_SUPPORT_ADDRESS = "support@careloop.test"
    first = receive(customer_email())
    assert first.message is not None
    Message.objects.create(
        conversation=first.message.conversation,
        author_kind=Message.Author.AGENT,
        channel=Channel.EMAIL,
        body_text="Our answer.",
        email_message_id="<our-reply@careloop.test>",
    )
    echoed = receive(
        customer_email(sender="Someone <x@example.test>", message_id="<our-reply@careloop.test>")
    )
    from_us = receive(customer_email(sender="Care <Support@careloop.test>"))
    for record in (echoed, from_us):
        assert record.state == InboundRecord.State.FLAGGED
        assert "Sent by careloop itself" in record.problem
    assert Message.objects.filter(author_kind=Message.Author.CUSTOMER).count() == 1
