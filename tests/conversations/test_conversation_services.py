from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from careloop.conversations.models import (
    Channel,
    ContactPoint,
    Conversation,
    ConversationEvent,
    Message,
    Priority,
    Status,
)
from careloop.conversations.services import (
    assignment,
    conversations,
    customers,
    figures,
    merging,
    replies,
    tags,
)
from careloop.core.permissions import Role
from careloop.people.selectors import current_organisation
from careloop.people.services import OpeningHours, update_organisation
from tests.conversations.factories import CustomerFactory
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
UTC = ZoneInfo("UTC")
MONDAY_9 = datetime(2026, 11, 23, 9, tzinfo=UTC)


@pytest.fixture(autouse=True)
def office_hours() -> None:
    update_organisation(
        current_organisation(),
        name="Test",
        time_zone="UTC",
        values=[],
        opening_hours=[OpeningHours(day, time(9), time(17)) for day in range(5)],
    )


def write_in(customer=None, at=MONDAY_9, **kwargs) -> Message:
    return conversations.receive_customer_message(
        customer or CustomerFactory(), channel=Channel.EMAIL, body_text="Help", at=at, **kwargs
    )


def test_first_contact_creates_a_customer_once_per_contact_point() -> None:
    first = customers.find_or_create_customer(
        kind=ContactPoint.Kind.EMAIL, value="Ana@Example.test", full_name="Ana"
    )
    again = customers.find_or_create_customer(
        kind=ContactPoint.Kind.EMAIL, value="ana@example.test"
    )
    assert first == again
    assert first.email == "ana@example.test"


def test_a_customer_named_after_a_long_external_id_gets_a_name_that_fits_its_column() -> None:
    external_id = "7" * 320
    customer, created = customers.customer_for_contact(
        kind=ContactPoint.Kind.EXTERNAL, value=external_id
    )
    customer.refresh_from_db()
    assert created
    assert customer.full_name == external_id[:200]
    assert ContactPoint.objects.get(customer=customer).value == external_id


def test_a_new_message_opens_a_conversation_waiting_on_us_with_sla_due_times() -> None:
    message = write_in(subject="Broken zip")
    conversation = message.conversation
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN
    assert conversation.waiting_since == MONDAY_9
    # Normal priority: first reply within 4 business hours, resolution within 24 (3 days of 8 h).
    assert conversation.first_response_due == MONDAY_9 + timedelta(hours=4)
    assert conversation.resolution_due == datetime(2026, 11, 25, 17, tzinfo=UTC)
    kinds = list(conversation.events.values_list("kind", flat=True))
    assert kinds == [ConversationEvent.Kind.CREATED, ConversationEvent.Kind.MESSAGE]


def test_first_reply_is_measured_in_calendar_and_business_time() -> None:
    conversation = write_in(at=datetime(2026, 11, 23, 16, tzinfo=UTC)).conversation
    agent = UserFactory()
    replies.reply(conversation, agent, "On it!", at=datetime(2026, 11, 24, 10, tzinfo=UTC))
    conversation.refresh_from_db()
    assert conversation.first_response_seconds == 18 * 3600
    assert conversation.first_response_business_seconds == 2 * 3600
    assert conversation.waiting_since is None
    assert conversation.assignee == agent
    assert conversation.care_priority == 0


def test_internal_notes_do_not_count_as_replies() -> None:
    conversation = write_in().conversation
    replies.reply(conversation, UserFactory(), "Checking stock first", internal=True)
    conversation.refresh_from_db()
    assert conversation.first_response_at is None
    assert conversation.public_reply_count == 0
    assert conversation.is_waiting_on_us


def test_on_hold_pauses_the_clock_and_resolution_excludes_it() -> None:
    conversation = write_in().conversation
    agent = UserFactory()
    replies.reply(conversation, agent, "Asking the warehouse", at=MONDAY_9 + timedelta(hours=1))
    conversations.change_status(
        conversation, Status.ON_HOLD, agent, at=MONDAY_9 + timedelta(hours=2)
    )
    conversations.change_status(conversation, Status.OPEN, agent, at=MONDAY_9 + timedelta(hours=6))
    conversations.change_status(
        conversation, Status.SOLVED, agent, at=MONDAY_9 + timedelta(hours=7)
    )
    conversation.refresh_from_db()
    assert conversation.paused_business_seconds == 4 * 3600
    assert conversation.resolution_seconds == 7 * 3600
    assert conversation.resolution_business_seconds == 3 * 3600


def test_a_customer_reply_reopens_a_solved_conversation_and_counts_the_reopen() -> None:
    message = write_in()
    conversation = message.conversation
    agent = UserFactory()
    replies.reply(conversation, agent, "Done", then_status=Status.SOLVED)
    again = write_in(conversation.customer, conversation=conversation, at=MONDAY_9 + timedelta(1))
    assert again.conversation == conversation
    conversation.refresh_from_db()
    assert conversation.status == Status.OPEN
    assert conversation.reopen_count == 1
    assert conversation.is_waiting_on_us


def test_writing_into_a_closed_conversation_starts_a_new_one() -> None:
    conversation = write_in().conversation
    conversations.change_status(conversation, Status.CLOSED, None)
    again = write_in(conversation.customer, conversation=conversation)
    assert again.conversation != conversation


def test_the_more_upset_customer_comes_first_and_the_inbox_says_why() -> None:
    calm = write_in().conversation
    upset = write_in().conversation
    figures.record_message_reading(upset.messages.get(), {"anger": 0.9}, distress=0.85)
    figures.record_message_reading(calm.messages.get(), {"neutral": 0.9}, distress=0.05)
    calm.refresh_from_db()
    upset.refresh_from_db()
    assert upset.care_priority > calm.care_priority
    assert any("very upset" in reason for reason in upset.care_priority_reasons)
    assert not any("upset" in reason for reason in calm.care_priority_reasons)


def test_waiting_longer_against_the_target_raises_priority_and_a_breach_is_named() -> None:
    conversation = write_in().conversation
    early = figures.refresh_conversation(conversation, figures.business_calendar(), MONDAY_9)
    early_score = early.care_priority
    late = figures.refresh_conversation(
        conversation, figures.business_calendar(), MONDAY_9 + timedelta(hours=6)
    )
    assert late.care_priority > early_score
    assert late.sla_breached
    assert any(reason.startswith("SLA breached 2 h") for reason in late.care_priority_reasons)


def test_repeat_contact_about_the_same_problem_is_a_reason() -> None:
    customer = CustomerFactory()
    first = write_in(customer).conversation
    tags.set_tags(first, ["Refund"], None)
    second = write_in(customer, at=MONDAY_9 + timedelta(hours=1)).conversation
    tags.set_tags(second, ["refund"], None)
    second.refresh_from_db()
    assert "Contact number 2 about the same problem in 30 days" in second.care_priority_reasons


def test_merging_conversations_moves_messages_and_leaves_a_pointer() -> None:
    customer = CustomerFactory()
    target = write_in(customer).conversation
    source = write_in(customer, at=MONDAY_9 + timedelta(minutes=5)).conversation
    merging.merge_conversations(source, target, None)
    source.refresh_from_db()
    assert source.merged_into == target
    assert source.status == Status.CLOSED
    assert target.messages.count() == 2
    # A late reply to the merged thread lands in the surviving conversation.
    late = write_in(customer, conversation=source)
    assert late.conversation == target


def test_merging_customers_moves_conversations_and_contact_points() -> None:
    keep = customers.find_or_create_customer(kind=ContactPoint.Kind.EMAIL, value="a@example.test")
    duplicate = customers.find_or_create_customer(kind=ContactPoint.Kind.CHAT, value="chat-123")
    write_in(duplicate)
    merging.merge_customers(duplicate, keep)
    assert Conversation.objects.filter(customer=keep).count() == 1
    found = customers.find_or_create_customer(kind=ContactPoint.Kind.CHAT, value="chat-123")
    assert found == keep


def test_round_robin_takes_turns_and_skips_agents_at_capacity() -> None:
    team = TeamFactory()
    full = UserFactory(team=team, role=Role.AGENT, conversation_capacity=0)
    first = UserFactory(team=team, role=Role.AGENT)
    second = UserFactory(team=team, role=Role.AGENT)
    assignees = [assignment.assign_round_robin(write_in().conversation, team) for _ in range(4)]
    assert full not in assignees
    assert assignees == [first, second, first, second]


def test_round_robin_leaves_the_conversation_with_the_team_when_everyone_is_full() -> None:
    team = TeamFactory()
    UserFactory(team=team, conversation_capacity=0)
    conversation = write_in().conversation
    assert assignment.assign_round_robin(conversation, team) is None
    conversation.refresh_from_db()
    assert conversation.team == team and conversation.assignee is None


def test_urgent_priority_shortens_the_targets() -> None:
    conversation = write_in().conversation
    conversations.set_priority(conversation, Priority.URGENT, None)
    conversation.refresh_from_db()
    assert conversation.first_response_due == MONDAY_9 + timedelta(hours=1)
    assert "Marked urgent priority" in conversation.care_priority_reasons


def test_customer_html_is_sanitised_before_it_is_stored() -> None:
    message = write_in(body_html='<p onclick="x()">Hi<script>alert(1)</script></p>')
    assert message.body_html == "<p>Hi</p>"


def test_refresh_command_rescores_only_waiting_conversations() -> None:
    from io import StringIO

    from django.core.management import call_command

    waiting = write_in().conversation
    answered = write_in().conversation
    replies.reply(answered, UserFactory(), "Sorted!", at=MONDAY_9 + timedelta(minutes=5))
    out = StringIO()
    call_command("refresh_priorities", stdout=out)
    assert out.getvalue().strip() == "Re-scored 1 waiting conversation."
    waiting.refresh_from_db()
    # Now is long after Monday 9:00, so the first-response target has passed.
    assert waiting.sla_breached


def test_every_reply_records_how_long_the_customer_waited_for_it() -> None:
    conversation = write_in(at=datetime(2026, 11, 23, 16, tzinfo=UTC)).conversation
    agent = UserFactory()
    first = replies.reply(conversation, agent, "Hello!", at=datetime(2026, 11, 24, 10, tzinfo=UTC))
    write_in(
        conversation.customer, conversation=conversation, at=datetime(2026, 11, 24, 11, tzinfo=UTC)
    )
    following = replies.reply(
        conversation, agent, "Done", at=datetime(2026, 11, 24, 11, 30, tzinfo=UTC)
    )
    assert (first.response_seconds, first.response_business_seconds) == (18 * 3600, 2 * 3600)
    assert (following.response_seconds, following.response_business_seconds) == (1800, 1800)


def test_solving_a_conversation_tells_other_domains_once_committed(
    django_capture_on_commit_callbacks: Any,
) -> None:
    from careloop.conversations.hooks import conversation_solved
    from careloop.conversations.models import Channel, Status
    from careloop.conversations.services.conversations import (
        change_status,
        receive_customer_message,
    )
    from tests.conversations.factories import CustomerFactory

    heard: list[int] = []

    conversation_solved.subscribe(lambda conversation: heard.append(conversation.pk), name="test")
    try:
        message = receive_customer_message(
            CustomerFactory(), channel=Channel.EMAIL, body_text="Where is my order?"
        )
        conversation = message.conversation
        with django_capture_on_commit_callbacks(execute=True):
            change_status(conversation, Status.SOLVED, actor=None)
            assert heard == []
        with django_capture_on_commit_callbacks(execute=True):
            change_status(conversation, Status.CLOSED, actor=None)
        assert heard == [conversation.pk]
    finally:
        conversation_solved.unsubscribe("test")
