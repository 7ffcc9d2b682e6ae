from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

import pytest
from django.test import override_settings

from careloop.conversations.channels.email_outbound import reply_subject
from careloop.conversations.models import Channel, Conversation, Message
from careloop.conversations.services import conversations, replies
from careloop.conversations.tasks import deliver_reply
from careloop.core.permissions import Role
from careloop.people.models import User
from tests.conversations.factories import CustomerFactory
from tests.fixtures.mail import SmtpServer, free_port
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db

OnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture(autouse=True)
def email_settings(settings: Any) -> None:
    settings.DEFAULT_FROM_EMAIL = "Care Team <care@careloop.test>"
    settings.CARELOOP_EMAIL_DOMAIN = "mail.careloop.test"
    settings.CARELOOP_SUPPORT_ADDRESS = "support@careloop.test"


@pytest.fixture
def agent() -> User:
    return UserFactory(role=Role.AGENT)


def email_conversation(message_ids: list[str]) -> Conversation:
    customer = CustomerFactory(email="ada@example.test")
    conversation = None
    for message_id in message_ids:
        message = conversations.receive_customer_message(
            customer,
            channel=Channel.EMAIL,
            body_text="Where is my order?",
            subject="Order 42",
            conversation=conversation,
            email_message_id=message_id,
        )
        conversation = message.conversation
    assert conversation is not None
    return conversation


def parsed(content: bytes) -> EmailMessage:
    email = message_from_bytes(content, policy=policy.default)
    assert isinstance(email, EmailMessage)
    return email


def test_an_agent_reply_is_sent_by_smtp_with_threading_headers(
    smtp_server: SmtpServer, agent: User, django_capture_on_commit_callbacks: OnCommit
) -> None:
    conversation = email_conversation(["<first@example.test>", "<second@example.test>"])
    with (
        override_settings(MAILERS=smtp_server.mailer_settings),
        django_capture_on_commit_callbacks(execute=True),
    ):
        reply = replies.reply(conversation, agent, "It ships today.")

    [sent] = smtp_server.relay.received
    assert sent.recipients == ["ada@example.test"]
    email = parsed(sent.content)
    reply.refresh_from_db()
    assert reply.email_message_id.endswith("@mail.careloop.test>")
    assert email["Message-ID"] == reply.email_message_id
    assert email["In-Reply-To"] == "<second@example.test>"
    assert email["References"] == "<first@example.test> <second@example.test>"
    assert email["Subject"] == f"Re: Order 42 [#{conversation.reply_token}]"
    assert email["Reply-To"] == f"support+{conversation.reply_token}@careloop.test"
    assert email["From"] == "Care Team <care@careloop.test>"
    assert email.get_content().strip() == "It ships today."


def test_a_second_reply_references_the_first_one(
    smtp_server: SmtpServer, agent: User, django_capture_on_commit_callbacks: OnCommit
) -> None:
    conversation = email_conversation(["<first@example.test>"])
    with (
        override_settings(MAILERS=smtp_server.mailer_settings),
        django_capture_on_commit_callbacks(execute=True),
    ):
        first = replies.reply(conversation, agent, "First answer.")
        replies.reply(conversation, agent, "And another thing.")
    first.refresh_from_db()
    second_email = parsed(smtp_server.relay.received[1].content)
    assert second_email["References"] == f"<first@example.test> {first.email_message_id}"
    assert second_email["In-Reply-To"] == "<first@example.test>"


def test_delivering_the_same_reply_twice_sends_it_once(
    smtp_server: SmtpServer, agent: User
) -> None:
    conversation = email_conversation(["<first@example.test>"])
    reply = replies.reply(conversation, agent, "Once only.")  # on-commit delivery not run
    with override_settings(MAILERS=smtp_server.mailer_settings):
        deliver_reply.enqueue(reply.pk)
        deliver_reply.enqueue(reply.pk)
    assert len(smtp_server.relay.received) == 1


def test_a_failed_send_is_not_marked_sent_and_a_retry_sends_it(
    smtp_server: SmtpServer, agent: User
) -> None:
    conversation = email_conversation(["<first@example.test>"])
    reply = replies.reply(conversation, agent, "Try, try again.")
    nobody_listening = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 5},
        }
    }
    with override_settings(MAILERS=nobody_listening):
        result = deliver_reply.enqueue(reply.pk)
    assert result.errors  # the task failed, so a task runner would retry it
    reply.refresh_from_db()
    assert reply.email_message_id == ""

    with override_settings(MAILERS=smtp_server.mailer_settings):
        deliver_reply.enqueue(reply.pk)
    assert len(smtp_server.relay.received) == 1
    reply.refresh_from_db()
    assert parsed(smtp_server.relay.received[0].content)["Message-ID"] == reply.email_message_id


def test_internal_notes_and_chat_replies_are_not_emailed(
    smtp_server: SmtpServer, agent: User
) -> None:
    conversation = email_conversation(["<first@example.test>"])
    note = replies.reply(conversation, agent, "Customer sounds upset.", internal=True)
    chat = Conversation.objects.create(customer=conversation.customer, channel=Channel.CHAT)
    chat_reply = replies.reply(chat, agent, "Hello from chat.")
    with override_settings(MAILERS=smtp_server.mailer_settings):
        assert deliver_reply.enqueue(note.pk).return_value is False
        assert deliver_reply.enqueue(chat_reply.pk).return_value is True
    assert smtp_server.relay.received == []
    assert Message.objects.exclude(email_message_id="").count() == 1  # the customer's


def test_reply_subjects_do_not_pile_up_prefixes_or_tokens() -> None:
    conversation = Conversation(subject="RE: Fwd: re: Order 42 [#abc123abc123abcd]")
    conversation.reply_token = "abc123abc123abcd"
    assert reply_subject(conversation) == "Re: Order 42 [#abc123abc123abcd]"


def test_a_long_thread_references_its_root_and_the_latest_messages(
    smtp_server: SmtpServer, agent: User
) -> None:
    ids = [f"<m{number}@example.test>" for number in range(30)]
    conversation = email_conversation(ids)
    reply = replies.reply(conversation, agent, "Catching up.")
    with override_settings(MAILERS=smtp_server.mailer_settings):
        deliver_reply.enqueue(reply.pk)
    references = str(parsed(smtp_server.relay.received[0].content)["References"]).split()
    assert references == [ids[0], *ids[-19:]]


def test_files_the_agent_attached_travel_with_the_email(
    smtp_server: SmtpServer, agent: User, django_capture_on_commit_callbacks: OnCommit
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    conversation = email_conversation(["<first@example.test>"])
    label = SimpleUploadedFile("return-label.pdf", b"%PDF-1.4 label", "application/pdf")
    with (
        override_settings(MAILERS=smtp_server.mailer_settings),
        django_capture_on_commit_callbacks(execute=True),
    ):
        replies.reply(conversation, agent, "Your label is attached.", attachments=[label])

    email = parsed(smtp_server.relay.received[0].content)
    [attached] = list(email.iter_attachments())
    assert attached.get_filename() == "return-label.pdf"
    assert attached.get_content_type() == "application/pdf"
    assert attached.get_content() == b"%PDF-1.4 label"
