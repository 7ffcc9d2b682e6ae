from __future__ import annotations

import re
from collections.abc import Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from email import message_from_bytes, policy
from typing import Any

import pytest
from django.conf import settings
from django.core import mail
from django.test import Client, override_settings
from django.utils import timezone

from careloop.conversations.channels import chat, chat_transcript, chat_visitors
from careloop.conversations.models import Channel, ContactPoint, Status
from careloop.conversations.services.conversations import change_status, receive_customer_message
from careloop.core.permissions import Role
from careloop.feedback.emails import send_customer_email, unsubscribe_url
from careloop.feedback.models import EmailOptOut, SurveyInvitation, SurveyKind, SurveyLink
from careloop.feedback.services import surveys
from careloop.feedback.services.milestones import opt_out
from tests.conversations.factories import CustomerFactory
from tests.feedback.factories import sent_invitation, solved_conversation
from tests.fixtures.mail import SmtpServer
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db
OnCommit = Callable[..., AbstractContextManager[list[Callable[[], Any]]]]
LINK = re.compile(r"http://\S+/survey/(\S+)/")


def survey_emails() -> list[Any]:
    return [email for email in mail.outbox if "How did we do" in email.subject]


def test_solving_a_conversation_schedules_one_survey_a_day_later(
    django_capture_on_commit_callbacks: OnCommit,
) -> None:
    agent = UserFactory(role=Role.AGENT)
    message = receive_customer_message(
        CustomerFactory(), channel=Channel.EMAIL, body_text="Refund?", subject="Refund"
    )
    with django_capture_on_commit_callbacks(execute=True):
        change_status(message.conversation, Status.SOLVED, actor=agent)
    invitation = SurveyInvitation.objects.get()
    assert invitation.status == SurveyInvitation.Status.SCHEDULED
    delay = invitation.send_after - invitation.created_at
    assert delay == timedelta(hours=24)
    assert survey_emails() == []

    # Closing after solving (and solving again after a reopen) never schedules a second one.
    with django_capture_on_commit_callbacks(execute=True):
        change_status(message.conversation, Status.OPEN, actor=agent)
    with django_capture_on_commit_callbacks(execute=True):
        change_status(message.conversation, Status.SOLVED, actor=agent)
    assert SurveyInvitation.objects.count() == 1


def test_the_delay_is_configurable() -> None:
    rules = surveys.survey_settings()
    rules.delay_hours = 2
    rules.save()
    conversation = solved_conversation()
    invitation = surveys.schedule_post_resolution_survey(conversation)
    assert invitation is not None
    assert invitation.send_after - invitation.created_at == timedelta(hours=2)


@override_settings(CARELOOP_SURVEY_DELAY=timedelta(minutes=1))
def test_the_demo_setting_sends_surveys_a_minute_after_the_solve() -> None:
    invitation = surveys.schedule_post_resolution_survey(solved_conversation())
    assert invitation is not None
    assert invitation.send_after - invitation.created_at == timedelta(minutes=1)


def test_due_surveys_are_sent_once_and_only_after_the_delay() -> None:
    conversation = solved_conversation(subject="Broken zip")
    now = timezone.now()
    surveys.schedule_post_resolution_survey(conversation, now=now)

    assert surveys.send_due_surveys(now + timedelta(hours=23)) == (0, 0)
    assert surveys.send_due_surveys(now + timedelta(hours=25)) == (1, 0)
    assert surveys.send_due_surveys(now + timedelta(hours=26)) == (0, 0)
    [email] = survey_emails()
    assert email.to == [conversation.customer.email]
    assert "Broken zip" in email.body
    assert LINK.search(email.body)
    assert "/unsubscribe/" in email.body
    assert email.extra_headers["List-Unsubscribe"].startswith("<http")


def test_one_reminder_at_most_with_a_fresh_link_while_the_first_still_works() -> None:
    now = timezone.now()
    invitation = sent_invitation(solved_conversation(), now=now)
    first_link = LINK.search(mail.outbox[-1].body)
    assert first_link is not None

    assert surveys.send_due_surveys(now + timedelta(days=2)) == (0, 0)
    assert surveys.send_due_surveys(now + timedelta(days=3, minutes=1)) == (0, 1)
    assert surveys.send_due_surveys(now + timedelta(days=6)) == (0, 0)
    reminder = mail.outbox[-1]
    assert reminder.subject.startswith("Reminder:")
    second_link = LINK.search(reminder.body)
    assert second_link is not None and second_link.group(1) != first_link.group(1)
    assert invitation.links.count() == 2
    assert surveys.invitation_for_link(first_link.group(1)) == invitation


def test_no_reminder_once_answered() -> None:
    now = timezone.now()
    invitation = sent_invitation(solved_conversation(), now=now)
    surveys.submit_answers(invitation, csat=5, ces=7, now=now)
    assert surveys.send_due_surveys(now + timedelta(days=4)) == (0, 0)


def test_a_customer_is_not_surveyed_again_within_the_quiet_period() -> None:
    customer = CustomerFactory()
    now = timezone.now()
    sent_invitation(solved_conversation(customer=customer), now=now)

    second = surveys.schedule_post_resolution_survey(
        solved_conversation(customer=customer), now=now + timedelta(days=5)
    )
    assert second is not None
    assert second.status == SurveyInvitation.Status.SKIPPED
    assert "Quiet period" in second.skip_reason

    later = surveys.schedule_post_resolution_survey(
        solved_conversation(customer=customer), now=now + timedelta(days=31)
    )
    assert later is not None and later.status == SurveyInvitation.Status.SCHEDULED


def test_two_conversations_solved_together_give_one_survey() -> None:
    customer = CustomerFactory()
    now = timezone.now()
    first = surveys.schedule_post_resolution_survey(solved_conversation(customer=customer), now=now)
    second = surveys.schedule_post_resolution_survey(
        solved_conversation(customer=customer), now=now
    )
    assert first is not None and second is not None
    assert first.status == SurveyInvitation.Status.SCHEDULED
    assert second.status == SurveyInvitation.Status.SKIPPED


def test_an_unsubscribed_customer_gets_no_survey() -> None:
    conversation = solved_conversation()
    now = timezone.now()
    invitation = surveys.schedule_post_resolution_survey(conversation, now=now)
    assert invitation is not None
    opt_out(conversation.customer)
    assert surveys.send_due_surveys(now + timedelta(days=2)) == (0, 0)
    invitation.refresh_from_db()
    assert invitation.status == SurveyInvitation.Status.SKIPPED
    assert mail.outbox == []


def test_a_reopened_conversation_is_not_surveyed() -> None:
    conversation = solved_conversation()
    now = timezone.now()
    invitation = surveys.schedule_post_resolution_survey(conversation, now=now)
    change_status(conversation, Status.OPEN, actor=None)
    surveys.send_due_surveys(now + timedelta(days=2))
    assert invitation is not None
    invitation.refresh_from_db()
    assert invitation.status == SurveyInvitation.Status.SKIPPED
    assert "reopened" in invitation.skip_reason


def test_a_solved_chat_gets_the_survey_link_in_the_chat_widget() -> None:
    visitor = chat_visitors.new_visitor()
    posted = chat.post_customer_message(
        visitor,
        chat_visitors.parse_message_input(
            {"client_message_id": "6f1c1a52-7c43-4a4e-9a35-0d3c1f7c2f10", "text": "Hi there"}
        ),
    )
    conversation = posted.message.conversation
    change_status(conversation, Status.SOLVED, actor=None)
    conversation.refresh_from_db()
    assert not conversation.customer.email
    sent_invitation(conversation)

    [link_message] = [
        m for m in chat_transcript.visible_messages(conversation) if m.author_kind == "agent"
    ]
    assert not LINK.search(link_message.body_text)  # the team reads "survey sent"
    assert LINK.search(surveys.chat_survey_links([link_message])[link_message.pk].url)
    assert ContactPoint.objects.filter(customer=conversation.customer, kind="chat").exists()
    conversation.refresh_from_db()
    assert conversation.public_reply_count == 0  # not a reply: no SLA figure moves


def test_relationship_surveys_go_to_customers_due_and_respect_the_quiet_period() -> None:
    now = timezone.now()
    long_ago = now - timedelta(days=400)
    due = CustomerFactory()
    recently_surveyed = CustomerFactory()
    solved_conversation(customer=due, at=long_ago)
    sent_invitation(solved_conversation(customer=recently_surveyed), now=now - timedelta(days=2))
    never_contacted = CustomerFactory()
    type(due).objects.filter(pk__in=[due.pk, recently_surveyed.pk, never_contacted.pk]).update(
        created_at=long_ago
    )

    assert surveys.schedule_relationship_surveys(now) == 1
    assert surveys.schedule_relationship_surveys(now) == 0
    invitation = SurveyInvitation.objects.get(kind=SurveyKind.RELATIONSHIP)
    assert invitation.customer == due
    assert surveys.send_due_surveys(now) == (1, 0)
    assert mail.outbox[-1].subject == "How likely are you to recommend us?"
    assert surveys.asked_questions(invitation).nps


def test_survey_email_reaches_a_real_smtp_server(smtp_server: SmtpServer) -> None:
    conversation = solved_conversation(subject="Lost parcel")
    with override_settings(MAILERS=smtp_server.mailer_settings):
        sent_invitation(conversation)
    [received] = smtp_server.relay.received
    assert received.recipients == [conversation.customer.email]
    email = message_from_bytes(received.content, policy=policy.default)
    assert email["Subject"] == "How did we do?"
    assert email["List-Unsubscribe"]
    assert LINK.search(email.get_body(("plain",)).get_content())  # type: ignore[union-attr]


def test_a_failed_send_is_tried_again_on_the_next_run() -> None:
    conversation = solved_conversation()
    now = timezone.now()
    invitation = surveys.schedule_post_resolution_survey(conversation, now=now)
    broken = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2},
        }
    }
    with override_settings(MAILERS=broken):
        assert surveys.send_due_surveys(now + timedelta(days=1, hours=1)) == (0, 0)
    assert invitation is not None
    invitation.refresh_from_db()
    assert invitation.status == SurveyInvitation.Status.SCHEDULED
    assert not SurveyLink.objects.exists()
    assert surveys.send_due_surveys(now + timedelta(days=1, hours=2)) == (1, 0)


def test_list_unsubscribe_is_sent_whole_for_one_click_unsubscribe() -> None:
    customer = CustomerFactory(email="ana@example.test")
    assert send_customer_email(customer, subject="Thanks", body="Hello")
    link = unsubscribe_url(customer)
    assert len(f"List-Unsubscribe: <{link}>") > 78, "a link long enough to be folded"

    raw = mail.outbox[-1].message(policy=policy.SMTP).as_bytes().decode()

    assert f"\r\nList-Unsubscribe: <{link}>\r\n" in raw
    assert "\r\nList-Unsubscribe-Post: List-Unsubscribe=One-Click\r\n" in raw
    assert "=?utf-8?" not in raw


def test_a_one_click_post_from_the_mail_provider_unsubscribes() -> None:
    customer = CustomerFactory(email="ana@example.test")
    mail_provider = Client(enforce_csrf_checks=True)

    response = mail_provider.post(
        unsubscribe_url(customer).removeprefix(settings.CARELOOP_BASE_URL.rstrip("/")),
        {"List-Unsubscribe": "One-Click"},
    )

    assert response.status_code == 200
    assert EmailOptOut.objects.filter(customer=customer).exists()
