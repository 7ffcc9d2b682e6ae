from __future__ import annotations

import datetime
from email import message_from_bytes, policy

import pytest
from django.core import mail
from django.tasks import TaskResultStatus
from django.test import override_settings
from django.utils import timezone

from careloop.actions.models import ActionItem
from careloop.actions.tasks import send_action_reminders
from tests.actions.factories import ActionItemFactory
from tests.fixtures.mail import SmtpServer
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


def days_from_today(days: int) -> datetime.date:
    return timezone.localdate() + datetime.timedelta(days=days)


def test_owners_of_items_due_within_a_day_or_overdue_get_one_email_each() -> None:
    due_tomorrow = ActionItemFactory(title="Rewrite the refund macro", due=days_from_today(1))
    overdue = ActionItemFactory(title="Add a stock check", due=days_from_today(-3))
    ActionItemFactory(due=days_from_today(2))
    ActionItemFactory(due=days_from_today(-1), status="done", evidence="Shipped")
    ActionItemFactory(due=days_from_today(-1), status="dropped", dropped_reason="Obsolete")
    ActionItemFactory(due=days_from_today(-1), owner=UserFactory(is_active=False))

    send_action_reminders.enqueue()

    sent = {email.to[0]: email for email in mail.outbox}
    assert set(sent) == {due_tomorrow.owner.email, overdue.owner.email}
    assert sent[due_tomorrow.owner.email].subject == "Due soon: Rewrite the refund macro"
    assert sent[overdue.owner.email].subject == "Overdue: Add a stock check"
    assert f"/actions/{overdue.pk}/" in sent[overdue.owner.email].body


def test_a_second_run_on_the_same_day_sends_nothing_but_the_next_day_reminds_again() -> None:
    item = ActionItemFactory(due=days_from_today(0))
    send_action_reminders.enqueue()
    send_action_reminders.enqueue()
    assert len(mail.outbox) == 1
    item.refresh_from_db()
    assert item.last_reminded_on == timezone.localdate()

    # As if yesterday's run had sent it: today it is due another reminder.
    ActionItem.objects.filter(pk=item.pk).update(last_reminded_on=days_from_today(-1))
    send_action_reminders.enqueue()
    assert len(mail.outbox) == 2


def test_reminders_reach_a_real_smtp_server(smtp_server: SmtpServer) -> None:
    item = ActionItemFactory(title="Publish the new returns policy", due=days_from_today(-1))
    with override_settings(MAILERS=smtp_server.mailer_settings):
        send_action_reminders.enqueue()

    [received] = smtp_server.relay.received
    assert received.recipients == [item.owner.email]
    email = message_from_bytes(received.content, policy=policy.default)
    assert email["Subject"] == "Overdue: Publish the new returns policy"


def test_a_reminder_that_fails_to_send_is_tried_again_on_the_next_run() -> None:
    item = ActionItemFactory(due=days_from_today(-1))
    broken = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 1, "timeout": 2},
        }
    }
    with override_settings(MAILERS=broken):
        failed = send_action_reminders.enqueue()
    # The failure is logged and the item skipped, so the run itself goes on to the others.
    assert failed.status == TaskResultStatus.SUCCESSFUL
    assert failed.return_value == 0
    item.refresh_from_db()
    assert item.last_reminded_on is None

    send_action_reminders.enqueue()
    assert [email.to for email in mail.outbox] == [[item.owner.email]]
