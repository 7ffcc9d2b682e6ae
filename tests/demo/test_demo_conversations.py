from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta

import pytest
from django.utils import timezone

from careloop.conversations.business_time import BusinessCalendar
from careloop.conversations.models import (
    FINISHED,
    Channel,
    Conversation,
    ConversationEvent,
    Message,
    Status,
)
from careloop.demo import conversation_texts as texts
from careloop.demo.conversations import DEMO_TONE_DISTRESS, create_demo_conversations
from careloop.demo.organisation import create_demo_organisation
from careloop.people.selectors import current_organisation
from tests.fixtures.demo import shared_demo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo_organisation")]

COUNT = 200


def last_thursday_evening() -> datetime:
    """A fixed moment in the working week: how many conversations wait on us depends on the
    time of day and the weekday, so the figures below are checked at the same one."""
    now = timezone.now()
    days_back = (now.weekday() - 3) % 7 or 7
    return (now - timedelta(days=days_back)).replace(hour=19, minute=0, second=0, microsecond=0)


demo_organisation = shared_demo(conversations=COUNT, now=last_thursday_evening)


@pytest.fixture
def demo() -> list[Conversation]:
    return list(
        Conversation.objects.select_related("customer").prefetch_related("messages", "events")
    )


def test_demo_has_the_asked_number_of_conversations_across_channels(
    demo: list[Conversation],
) -> None:
    assert len(demo) == COUNT
    channels = Counter(conversation.channel for conversation in demo)
    assert 0.45 <= channels[Channel.EMAIL] / COUNT <= 0.65
    assert 0.2 <= channels[Channel.CHAT] / COUNT <= 0.4
    assert 0.07 <= channels[Channel.API] / COUNT <= 0.25


def test_most_conversations_are_finished_and_some_wait_on_us(demo: list[Conversation]) -> None:
    statuses = Counter(conversation.status for conversation in demo)
    finished = statuses[Status.SOLVED] + statuses[Status.CLOSED]
    assert finished / COUNT >= 0.6
    assert statuses[Status.CLOSED] > 0
    assert statuses[Status.PENDING] + statuses[Status.ON_HOLD] > 0
    waiting = [conversation for conversation in demo if conversation.is_waiting_on_us]
    assert len(waiting) >= COUNT * 0.04
    assert any(conversation.reopen_count for conversation in demo)
    assert any(conversation.assignee_id is None for conversation in waiting)


def test_every_tone_shows_in_what_customers_write(demo: list[Conversation]) -> None:
    written = " ".join(
        message.body_text
        for conversation in demo
        for message in conversation.messages.all()
        if message.author_kind == Message.Author.CUSTOMER
    )
    for tone, openers in texts.OPENERS.items():
        assert any(opener and opener in written for opener in openers), tone


def test_customer_texts_do_not_repeat_verbatim(demo: list[Conversation]) -> None:
    openings = [conversation.messages.all()[0].body_text for conversation in demo]
    assert len(set(openings)) >= len(openings) * 0.97


def test_every_conversation_opens_with_a_customer_message(demo: list[Conversation]) -> None:
    for conversation in demo:
        first = conversation.messages.all()[0]
        assert first.author_kind == Message.Author.CUSTOMER
        assert first.created_at == conversation.created_at


def _expected_waiting_since(messages: list[Message]) -> datetime | None:
    waiting = None
    for message in messages:
        if message.author_kind == Message.Author.CUSTOMER and waiting is None:
            waiting = message.created_at
        elif message.is_public_reply:
            waiting = None
    return waiting


def test_denormalised_figures_agree_with_the_messages(demo: list[Conversation]) -> None:
    calendar = BusinessCalendar.for_organisation(current_organisation())
    now = timezone.now()
    for conversation in demo:
        messages = list(conversation.messages.all())
        replies = [message for message in messages if message.is_public_reply]
        from_customer = [m for m in messages if m.author_kind == Message.Author.CUSTOMER]
        assert conversation.public_reply_count == len(replies)
        assert conversation.first_response_at == (replies[0].created_at if replies else None)
        if replies:
            assert conversation.first_response_business_seconds == calendar.seconds_between(
                conversation.created_at, replies[0].created_at
            )
        assert conversation.last_customer_message_at == from_customer[-1].created_at
        expected_waiting = (
            None if conversation.status in FINISHED else _expected_waiting_since(messages)
        )
        assert conversation.waiting_since == expected_waiting
        assert max(message.created_at for message in messages) < now
        if conversation.status in FINISHED:
            assert conversation.solved_at is not None
            assert conversation.solved_at >= replies[-1].created_at
        public = [message for message in messages if not message.is_internal_note]
        for part in (conversation.subject, conversation.customer.full_name, public[-1].body_text):
            assert part in conversation.search_text
        # Internal notes are their team's: their words are not in the shared search text.
        for note in (message for message in messages if message.is_internal_note):
            assert note.body_text not in conversation.search_text
        events = Counter(event.kind for event in conversation.events.all())
        assert events[ConversationEvent.Kind.MESSAGE] == len(from_customer)
        assert events[ConversationEvent.Kind.REPLY] == len(replies)
        assert events[ConversationEvent.Kind.CREATED] == 1


def test_waiting_conversations_carry_care_priority_with_reasons(demo: list[Conversation]) -> None:
    lowest_distress = min(low for low, _ in DEMO_TONE_DISTRESS.values())
    highest_distress = max(high for _, high in DEMO_TONE_DISTRESS.values())
    for conversation in demo:
        customer_messages = [
            message
            for message in conversation.messages.all()
            if message.author_kind == Message.Author.CUSTOMER
        ]
        if conversation.is_waiting_on_us:
            assert conversation.care_priority > 0
            assert conversation.care_priority_reasons
            assert conversation.first_response_due is not None
            assert conversation.distress == customer_messages[-1].distress
            for message in customer_messages:
                if message.distress is None:
                    # Written in the customer's own language: said plainly, not guessed.
                    assert message.emotions["not_read"] in ("Spanish", "German", "French")
                    continue
                assert lowest_distress <= message.distress <= highest_distress
            latest = customer_messages[-1]
            assert conversation.distress_not_read == (
                latest.emotions["not_read"] if latest.distress is None else ""
            )
        if conversation.status in FINISHED:
            assert conversation.care_priority == 0
            assert all(message.distress is None for message in customer_messages)
            assert all(message.emotions is None for message in customer_messages)


def test_running_the_demo_again_adds_no_conversations(demo: list[Conversation]) -> None:
    counts = (Conversation.objects.count(), Message.objects.count())
    assert create_demo_conversations(COUNT) == 0
    create_demo_organisation(conversations=COUNT)
    assert (Conversation.objects.count(), Message.objects.count()) == counts


def test_no_customer_says_it_is_sorted_and_threatens_to_leave_in_one_message(
    demo: list[Conversation],
) -> None:
    threats = texts.CLOSERS[texts.Tone.ANGRY]
    contradictory = [
        message.body_text
        for conversation in demo
        for message in conversation.messages.all()
        if any(settled in message.body_text for settled in texts.SETTLED_FOLLOW_UPS)
        and any(threat and threat in message.body_text for threat in threats)
    ]
    assert contradictory == []


def test_a_conversation_waiting_on_us_does_not_end_on_the_customer_saying_it_is_sorted(
    demo: list[Conversation],
) -> None:
    last_words = [
        list(conversation.messages.all())[-1].body_text
        for conversation in demo
        if conversation.is_waiting_on_us and conversation.messages.all()
    ]
    assert last_words
    settled = [
        text for text in last_words if any(line in text for line in texts.SETTLED_FOLLOW_UPS)
    ]
    assert settled == []
