"""The notification centre's pages: each person sees and changes only their own notifications."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from careloop.core.permissions import Role
from careloop.notifications import services
from careloop.notifications.models import DigestFrequency, Kind, Notification
from careloop.notifications.selectors import digest_of
from careloop.people.models import User
from tests.conversations.factories import ConversationFactory
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


def tell(person: User, text: str = "Assigned to you: Broken tent") -> Notification:
    conversation = ConversationFactory()
    [notification] = services.notify(
        Kind.ASSIGNED, [person], conversation, text, url=f"/inbox/{conversation.pk}/"
    )
    return notification


@pytest.fixture
def agent(client: Client) -> User:
    person = UserFactory(role=Role.AGENT)
    client.force_login(person)
    return person


def test_the_list_shows_my_notifications_and_not_anyone_elses(agent: User, client: Client) -> None:
    tell(agent, "Assigned to you: Broken tent")
    tell(UserFactory(role=Role.AGENT), "Assigned to you: Someone else's")
    page = client.get(reverse("notifications:list")).content.decode()
    assert "Broken tent" in page
    assert "Someone else" not in page
    assert "Enable browser notifications" in page


def test_opening_a_notification_marks_it_read_and_goes_to_its_row(
    agent: User, client: Client
) -> None:
    notification = tell(agent)
    response = client.post(
        reverse("notifications:read"), {"notification": notification.pk, "open": "1"}
    )
    assert response.status_code == 302
    assert response["Location"] == notification.url
    notification.refresh_from_db()
    assert notification.is_read


def test_another_persons_notification_is_not_found(agent: User, client: Client) -> None:
    theirs = tell(UserFactory(role=Role.AGENT))
    for value in (theirs.pk, "abc", "9" * 40):
        response = client.post(reverse("notifications:read"), {"notification": value})
        assert response.status_code == 404
    theirs.refresh_from_db()
    assert not theirs.is_read


def test_mark_all_read_marks_only_mine(agent: User, client: Client) -> None:
    mine = [tell(agent), tell(agent)]
    theirs = tell(UserFactory(role=Role.AGENT))
    client.post(reverse("notifications:read-all"))
    assert all(Notification.objects.get(pk=n.pk).is_read for n in mine)
    assert not Notification.objects.get(pk=theirs.pk).is_read


def test_the_badge_answers_204_while_the_count_is_unchanged(agent: User, client: Client) -> None:
    url = reverse("notifications:badge")
    assert client.get(url, {"count": "0"}).status_code == 204
    tell(agent)
    changed = client.get(url, {"count": "0"})
    assert changed.status_code == 200
    assert 'data-unread="1"' in changed.content.decode()
    assert client.get(url, {"count": "1"}).status_code == 204


def test_every_page_shows_my_unread_count_in_the_navigation(agent: User, client: Client) -> None:
    tell(agent)
    tell(agent)
    page = client.get(reverse("core:dashboard")).content.decode()
    assert 'data-testid="unread-count">2<' in page
    assert "notifications/notifications.js" in page


def test_a_person_chooses_their_digest(agent: User, client: Client) -> None:
    client.post(reverse("notifications:digest"), {"digest": "daily"})
    assert digest_of(agent) == DigestFrequency.DAILY
    client.post(reverse("notifications:digest"), {"digest": "weekly\r\n"})
    assert digest_of(agent) == DigestFrequency.DAILY


def test_signed_out_visitors_are_sent_to_sign_in(client: Client) -> None:
    response = client.get(reverse("notifications:badge"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
