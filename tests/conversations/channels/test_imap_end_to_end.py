"""The email channel against real peers: smtplib → aiosmtpd → Dovecot → poll_imap → careloop,
and careloop's replies back out through SMTP."""

from __future__ import annotations

import smtplib
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from email import message_from_bytes, policy
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings

from careloop.conversations.channels.imap_poller import Mailbox, poll_mailbox
from careloop.conversations.models import Conversation, InboundRecord, Message
from careloop.conversations.services import replies
from careloop.core.permissions import Role
from tests.conversations.channels.builders import SUPPORT_ADDRESS, SUPPORT_DOMAIN, customer_email
from tests.conversations.channels.conftest import DovecotServer
from tests.fixtures.mail import SmtpServer
from tests.people.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.imap]

OnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]


@pytest.fixture
def folder(dovecot: DovecotServer) -> str:
    return dovecot.new_folder()


@pytest.fixture
def mail_system(
    smtp_server: SmtpServer, dovecot: DovecotServer, folder: str, settings: Any, tmp_path: Any
) -> Iterator[SmtpServer]:
    """SMTP delivers mail for the support address into the IMAP folder careloop polls, and
    careloop sends its replies through the same SMTP server."""
    smtp_server.relay.mailbox, smtp_server.relay.folder = dovecot, folder
    smtp_server.relay.domain = SUPPORT_DOMAIN
    settings.CARELOOP_IMAP_HOST = dovecot.host
    settings.CARELOOP_IMAP_PORT = dovecot.port
    settings.CARELOOP_IMAP_USER = dovecot.user
    settings.CARELOOP_IMAP_PASSWORD = dovecot.password
    settings.CARELOOP_IMAP_FOLDER = folder
    settings.CARELOOP_IMAP_SSL = False
    settings.CARELOOP_IMAP_DONE_FOLDER = ""
    settings.CARELOOP_EMAIL_DOMAIN = "mail.careloop.test"
    settings.CARELOOP_SUPPORT_ADDRESS = SUPPORT_ADDRESS
    settings.DEFAULT_FROM_EMAIL = f"Care Team <{SUPPORT_ADDRESS}>"
    settings.MEDIA_ROOT = tmp_path
    with override_settings(MAILERS=smtp_server.mailer_settings):
        yield smtp_server


def send_by_smtp(server: SmtpServer, raw: bytes, sender: str = "ada@example.test") -> None:
    with smtplib.SMTP(server.host, server.port, timeout=10) as client:
        client.sendmail(sender, [SUPPORT_ADDRESS], raw)


def test_customer_email_reaches_a_conversation_and_the_whole_thread_holds_together(
    mail_system: SmtpServer, django_capture_on_commit_callbacks: OnCommit
) -> None:
    def poll() -> None:
        with django_capture_on_commit_callbacks(execute=True):
            call_command("poll_imap")

    send_by_smtp(mail_system, customer_email(subject="Kettle broke", body="It sparks."))
    poll()
    [conversation] = Conversation.objects.all()
    assert conversation.subject == "Kettle broke"
    assert conversation.messages.get().body_text == "It sparks."

    # The agent's answer leaves through SMTP, threaded under the customer's email.
    agent = UserFactory(role=Role.AGENT)
    with django_capture_on_commit_callbacks(execute=True):
        reply = replies.reply(conversation, agent, "Please unplug it; a new one is on its way.")
    reply.refresh_from_db()
    [outbound] = [
        mail for mail in mail_system.relay.received if "ada@example.test" in mail.recipients
    ]
    sent = message_from_bytes(outbound.content, policy=policy.default)
    customer_message_id = conversation.messages.get(
        author_kind=Message.Author.CUSTOMER
    ).email_message_id
    assert sent["Message-ID"] == reply.email_message_id
    assert sent["In-Reply-To"] == customer_message_id
    assert sent["References"] == customer_message_id
    assert sent["Subject"] == f"Re: Kettle broke [#{conversation.reply_token}]"
    assert sent["Reply-To"] == f"support+{conversation.reply_token}@careloop.test"

    # The customer's mail client answers that email: it threads by In-Reply-To...
    send_by_smtp(
        mail_system,
        customer_email(
            subject="Thanks (new subject line)",
            body="Unplugged, thank you.",
            in_reply_to=str(sent["Message-ID"]),
            references=f"{customer_message_id} {sent['Message-ID']}",
        ),
    )
    # ...and a client that drops every threading header still threads by the subject token.
    send_by_smtp(
        mail_system,
        customer_email(subject=str(sent["Subject"]), body="When does it arrive?"),
    )
    poll()
    assert Conversation.objects.count() == 1
    assert list(
        conversation.messages.filter(author_kind=Message.Author.CUSTOMER).values_list(
            "body_text", flat=True
        )
    ) == ["It sparks.", "Unplugged, thank you.", "When does it arrive?"]


def test_replaying_the_same_email_creates_nothing_new(
    mail_system: SmtpServer,
    dovecot: DovecotServer,
    folder: str,
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    raw = customer_email(message_id="<replayed@example.test>")
    send_by_smtp(mail_system, raw)
    send_by_smtp(mail_system, raw)  # the same email delivered twice
    with django_capture_on_commit_callbacks(execute=True):
        first = poll_mailbox(Mailbox.from_settings())
    dovecot.append(folder, raw)  # and replayed into the mailbox later
    with django_capture_on_commit_callbacks(execute=True):
        second = poll_mailbox(Mailbox.from_settings())
    assert (first.fetched, first.stored, first.duplicates) == (2, 1, 1)
    assert (second.fetched, second.stored, second.duplicates) == (1, 0, 1)
    assert (InboundRecord.objects.count(), Message.objects.count()) == (1, 1)


def test_polled_email_is_marked_seen_and_not_fetched_again(
    mail_system: SmtpServer, dovecot: DovecotServer, folder: str
) -> None:
    send_by_smtp(mail_system, customer_email())
    assert "\\Seen" not in dovecot.flags(folder)[0]
    poll_mailbox(Mailbox.from_settings())
    assert "\\Seen" in dovecot.flags(folder)[0]
    assert poll_mailbox(Mailbox.from_settings()).fetched == 0


def test_polled_email_moves_to_the_done_folder_when_one_is_set(
    mail_system: SmtpServer, dovecot: DovecotServer, folder: str, settings: Any
) -> None:
    done = dovecot.new_folder()
    settings.CARELOOP_IMAP_DONE_FOLDER = done
    send_by_smtp(mail_system, customer_email())
    poll_mailbox(Mailbox.from_settings())
    assert dovecot.flags(folder) == []
    [flags] = dovecot.flags(done)
    assert "\\Seen" in flags
    assert InboundRecord.objects.count() == 1


def test_an_email_over_the_size_limit_stays_flagged_in_the_mailbox(
    mail_system: SmtpServer,
    dovecot: DovecotServer,
    folder: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from careloop.conversations.channels import imap_poller

    monkeypatch.setattr(imap_poller, "MAX_RAW_EMAIL_BYTES", 100)
    send_by_smtp(mail_system, customer_email(body="x" * 500))
    summary = poll_mailbox(Mailbox.from_settings())
    assert (summary.fetched, summary.too_large) == (0, 1)
    assert "\\Flagged" in dovecot.flags(folder)[0]
    assert InboundRecord.objects.count() == 0


def test_a_wrong_password_fails_the_poll_with_a_clear_error(
    mail_system: SmtpServer, settings: Any
) -> None:
    settings.CARELOOP_IMAP_PASSWORD = "wrong"
    with pytest.raises(CommandError, match=r"Polling 127\.0\.0\.1 failed"):
        call_command("poll_imap")
