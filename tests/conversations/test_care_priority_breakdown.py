"""Care priority you can read: each factor's points add up to the score the inbox sorts by."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from careloop.conversations import care_priority
from careloop.conversations.care_priority import CareSignals, Factor
from careloop.conversations.models import Channel, Conversation, Priority
from careloop.conversations.services import conversations, figures
from careloop.core.permissions import Role
from careloop.people.models import User
from tests.conversations.factories import CustomerFactory
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db
HOUR = 3600


def signals(**overrides: object) -> CareSignals:
    values: dict[str, object] = {
        "distress": 0.5,
        "waited_business_seconds": HOUR,
        "target_business_seconds": 4 * HOUR,
        "seconds_until_due": 3 * HOUR,
        "recent_contacts": 0,
        "same_problem_contacts": 0,
        "reopened": False,
        "priority": Priority.NORMAL,
        "channel": Channel.EMAIL,
    }
    return CareSignals(**(values | overrides))  # type: ignore[arg-type]


def waiting(distress: float, hours: float, subject: str) -> Conversation:
    message = conversations.receive_customer_message(
        CustomerFactory(),
        channel=Channel.EMAIL,
        body_text="Still nothing?",
        subject=subject,
        at=timezone.now() - timedelta(hours=hours),
    )
    figures.record_message_reading(message, {}, distress)
    conversation = message.conversation
    conversation.refresh_from_db()
    return conversation


@pytest.fixture
def agent(client: Client) -> User:
    person = UserFactory(role=Role.AGENT)
    client.force_login(person)
    return person


@pytest.mark.parametrize(
    "overrides",
    [
        {},
        {"distress": 0.92, "waited_business_seconds": 12 * HOUR, "seconds_until_due": -8 * HOUR},
        {"distress": 0.137, "same_problem_contacts": 3, "reopened": True},
        {"distress": None, "priority": Priority.LOW, "recent_contacts": 2},
        {"channel": Channel.CHAT, "target_business_seconds": 180, "seconds_until_due": 45},
        {"distress": 0.333, "waited_business_seconds": 1234, "priority": Priority.URGENT},
    ],
)
def test_the_contributions_add_up_to_the_score(overrides: dict[str, object]) -> None:
    result = care_priority.score(signals(**overrides))
    assert result.contributions
    assert result.score == round(sum(part.points for part in result.contributions), 1)
    assert all(part.points == round(part.points, 1) for part in result.contributions)
    assert all(part.reason and part.computation for part in result.contributions)


def test_the_breakdown_names_each_factor_once_its_largest_first() -> None:
    result = care_priority.score(
        signals(
            distress=0.9,
            seconds_until_due=-60,
            same_problem_contacts=1,
            channel=Channel.CHAT,
            priority=Priority.HIGH,
        )
    )
    factors = [part["factor"] for part in result.breakdown()]
    assert set(factors) == {f.value for f in Factor}
    points = [abs(float(part["points"])) for part in result.breakdown()]
    assert points == sorted(points, reverse=True)


def test_the_more_upset_customer_waiting_longer_comes_first() -> None:
    """The head of care's case: distress 0.92 for 12 h sat below 0.87 for 4 h."""
    longer = care_priority.score(
        signals(distress=0.92, waited_business_seconds=12 * HOUR, seconds_until_due=-8 * HOUR)
    )
    shorter = care_priority.score(
        signals(distress=0.87, waited_business_seconds=4 * HOUR, seconds_until_due=0)
    )
    assert longer.score > shorter.score


def test_the_stored_breakdown_adds_up_to_the_stored_score() -> None:
    conversation = waiting(0.92, 12, "Where is my refund")
    breakdown = conversation.care_priority_breakdown
    assert breakdown
    assert round(sum(part["points"] for part in breakdown), 1) == conversation.care_priority


def test_the_inbox_order_is_exactly_the_score_order_and_shows_the_numbers(
    client: Client, agent: User
) -> None:
    shorter = waiting(0.87, 4, "Four hours")
    longer = waiting(0.92, 12, "Twelve hours")
    calm = waiting(0.05, 1, "Calm")
    response = client.get(reverse("conversations:inbox"), {"view": "waiting"})
    rows = list(response.context["page"])
    assert rows == [longer, shorter, calm]
    scores = [row.care_priority for row in rows]
    assert scores == sorted(scores, reverse=True)
    page = response.content.decode()
    assert f">{longer.care_priority:.1f}</strong>" in page
    for part in longer.care_priority_breakdown:
        assert part["computation"] in page
    assert page.index("Twelve hours") < page.index("Four hours")


def test_the_conversation_page_shows_the_full_computation(client: Client, agent: User) -> None:
    conversation = waiting(0.92, 12, "Twelve hours")
    page = client.get(reverse("conversations:conversation", args=[conversation.pk]))
    text = page.content.decode()
    assert 'data-testid="priority-breakdown"' in text
    assert "40 × distress 0.92" in text


def test_an_unread_language_is_named_in_the_reasons_and_adds_nothing() -> None:
    result = care_priority.score(signals(distress=None, distress_not_read="German"))

    [distress] = [part for part in result.contributions if part.factor == Factor.DISTRESS]
    assert distress.points == 0
    assert "Distress not read: German" in result.reasons
    assert result.score == care_priority.score(signals(distress=None)).score
