"""Email digests: unread notifications, each emailed once, on the schedule a person chose."""

from __future__ import annotations

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from careloop.core.permissions import Role
from careloop.notifications import services, tasks
from careloop.notifications.models import DigestFrequency, Kind, Notification
from careloop.people.models import User
from tests.conversations.factories import ConversationFactory
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


def tell(person: User, text: str) -> Notification:
    conversation = ConversationFactory()
    [notification] = services.notify(
        Kind.ASSIGNED, [person], conversation, text, url=f"/inbox/{conversation.pk}/"
    )
    return notification


def test_an_hourly_digest_sends_unread_notifications_once() -> None:
    agent = UserFactory(role=Role.AGENT)
    services.set_digest(agent, DigestFrequency.HOURLY)
    tell(agent, "Assigned to you: Tent pole")
    tell(agent, "Assigned to you: Missing\r\nparcel")
    services.mark_read(tell(agent, "Assigned to you: Already seen"))

    assert tasks.send_notification_digests.call() == 2
    assert tasks.send_notification_digests.call() == 0
    [email] = mail.outbox
    assert email.to == [agent.email]
    assert "\n" not in email.subject and "\r" not in email.subject
    assert "Tent pole" in email.body
    assert "Missing parcel" in email.body
    assert "/notifications/" in email.body
    assert "Already seen" not in email.body


def test_the_next_digest_holds_only_what_is_new_and_waits_for_its_period() -> None:
    agent = UserFactory(role=Role.AGENT)
    services.set_digest(agent, DigestFrequency.DAILY)
    tell(agent, "Assigned to you: First")
    now = timezone.now()
    assert services.send_digests(now) == 1
    tell(agent, "Assigned to you: Second")
    assert services.send_digests(now + datetime.timedelta(hours=2)) == 0
    assert services.send_digests(now + datetime.timedelta(days=1)) == 1
    assert "Second" in mail.outbox[-1].body
    assert "First" not in mail.outbox[-1].body


def test_nobody_with_the_digest_off_gets_email() -> None:
    agent = UserFactory(role=Role.AGENT)
    tell(agent, "Assigned to you: Quiet")
    services.set_digest(UserFactory(role=Role.AGENT), DigestFrequency.OFF)
    assert services.send_digests() == 0
    assert mail.outbox == []
