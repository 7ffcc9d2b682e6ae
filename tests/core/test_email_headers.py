"""A line break in text people typed never breaks an email, nor the run that sends it."""

from __future__ import annotations

import datetime
import uuid
from datetime import timedelta
from pathlib import Path
from unittest import mock

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.utils import timezone

from careloop.actions.tasks import send_action_reminders
from careloop.conversations.channels import chat, chat_visitors
from careloop.conversations.channels.email_outbound import send_email_reply
from careloop.conversations.models import Attachment, Channel
from careloop.conversations.services import conversations, replies
from careloop.core import email_headers
from careloop.core.email_headers import single_line
from careloop.core.permissions import Role
from careloop.feedback.models import RecoveryTask
from careloop.feedback.services.escalation import escalate_overdue_recovery
from careloop.pulse.services import ideas
from careloop.pulse.tasks import escalate_overdue_ideas
from tests.actions.factories import ActionItemFactory
from tests.conversations.factories import CustomerFactory
from tests.feedback.factories import answered, solved_conversation
from tests.people.factories import TeamFactory, UserFactory

BROKEN = "Refunds\r\nBcc: everyone@example.com"


def test_single_line_collapses_every_kind_of_line_break_to_one_space() -> None:
    assert single_line(" Refunds\r\n\nBcc: x\u2028y\x85z ") == "Refunds Bcc: x y z"


def test_careloop_sends_plain_emails_only_through_the_single_line_helper() -> None:
    source = Path(email_headers.__file__).parents[1]
    direct = [
        str(path.relative_to(source))
        for path in source.rglob("*.py")
        if "import send_mail" in path.read_text()
        and "from careloop.core.email_headers import send_mail" not in path.read_text()
    ]
    assert direct == []


@pytest.mark.django_db
def test_a_line_break_in_an_action_item_title_still_sends_every_reminder() -> None:
    due = timezone.localdate() - datetime.timedelta(days=1)
    broken = ActionItemFactory(title=BROKEN, due=due)
    fine = ActionItemFactory(title="Publish the policy", due=due)

    assert send_action_reminders.call() == 2

    subjects = {email.to[0]: email.subject for email in mail.outbox}
    assert subjects[broken.owner.email] == "Overdue: Refunds Bcc: everyone@example.com"
    assert subjects[fine.owner.email] == "Overdue: Publish the policy"


@pytest.mark.django_db
def test_one_reminder_that_fails_is_skipped_and_the_others_still_go() -> None:
    due = timezone.localdate() - datetime.timedelta(days=1)
    failing = ActionItemFactory(title="Fails", due=due)
    fine = ActionItemFactory(title="Goes", due=due)
    real_send = mail.send_mail

    def send_or_fail(**kwargs: object) -> int:
        if kwargs["subject"] == "Overdue: Fails":
            raise ConnectionError("mail server hung up")
        return real_send(**kwargs)  # type: ignore[arg-type]

    with mock.patch.object(email_headers.mail, "send_mail", side_effect=send_or_fail):
        assert send_action_reminders.call() == 1

    assert [email.to for email in mail.outbox] == [[fine.owner.email]]
    failing.refresh_from_db()
    assert failing.last_reminded_on is None  # released: the next run tries again


@pytest.mark.django_db
def test_a_line_break_in_an_idea_title_still_escalates_it() -> None:
    team = TeamFactory()
    lead = UserFactory(role=Role.TEAM_LEAD, team=team)
    ideas.submit_idea(
        title=BROKEN,
        body="No one answered.",
        author=UserFactory(),
        team=team,
        today=datetime.date.today() - datetime.timedelta(days=30),
    )

    assert escalate_overdue_ideas.call() == 1

    [email] = mail.outbox
    assert email.to == [lead.email]
    assert email.subject == "An idea is waiting for its answer: Refunds Bcc: everyone@example.com"


@pytest.mark.django_db
def test_a_line_break_in_a_chat_visitors_name_still_escalates_their_recovery() -> None:
    visitor = chat_visitors.new_visitor()
    incoming = chat_visitors.ChatMessageInput(
        uuid.uuid4(), "Where is my parcel?", name="Eve\nBcc: x@y.z"
    )
    customer = chat.post_customer_message(visitor, incoming).message.conversation.customer
    customer.email = "eve@example.com"  # the survey that finds the detractor needs one
    customer.save(update_fields=["email"])
    agent = UserFactory(role=Role.AGENT)
    answered(solved_conversation(agent=agent, customer=customer), csat=1)
    task = RecoveryTask.objects.get()
    mail.outbox.clear()

    assert escalate_overdue_recovery(task.due_at + timedelta(minutes=1)) == 1

    [email] = mail.outbox
    assert "\n" not in email.subject
    assert email.subject.startswith("Overdue recovery: Eve Bcc: x@y.z")


@pytest.mark.django_db
def test_a_line_break_in_an_attachments_name_still_sends_the_reply() -> None:
    customer = CustomerFactory(email="ada@example.test")
    conversation = conversations.receive_customer_message(
        customer, channel=Channel.EMAIL, body_text="Hi", subject="Order 42"
    ).conversation
    reply = replies.reply(conversation, UserFactory(role=Role.AGENT), "Label attached.")
    Attachment.objects.create(
        message=reply,
        file=ContentFile(b"label", name="label.txt"),
        filename="label\r\nX-Evil: 1.txt",
        content_type="text/plain",
        size=5,
    )
    mail.outbox.clear()

    assert send_email_reply(reply) is True

    [email] = mail.outbox
    [(filename, _, _)] = email.attachments
    assert filename == "label X-Evil: 1.txt"
