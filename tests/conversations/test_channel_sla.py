"""Per-channel response targets: a chat's first answer is due in minutes, not hours."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from careloop.conversations import sla
from careloop.conversations.models import Channel, ChannelSla, Conversation, Priority
from careloop.conversations.services import conversations, figures
from careloop.core.permissions import Role
from tests.conversations.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def write_in(channel: Channel, minutes_ago: int = 0) -> Conversation:
    conversation = conversations.receive_customer_message(
        CustomerFactory(),
        channel=channel,
        body_text="Hello?",
        at=timezone.now() - timedelta(minutes=minutes_ago),
    ).conversation
    conversation.refresh_from_db()
    return conversation


def business_minutes_to_first_answer(conversation: Conversation) -> int:
    assert conversation.first_response_due is not None
    calendar = figures.business_calendar()
    return calendar.seconds_between(conversation.created_at, conversation.first_response_due) // 60


def test_a_chat_is_due_an_answer_in_minutes_and_an_email_in_hours() -> None:
    assert business_minutes_to_first_answer(write_in(Channel.CHAT)) == 3
    assert business_minutes_to_first_answer(write_in(Channel.EMAIL)) == 4 * 60


def test_the_tighter_of_the_channel_and_priority_target_applies() -> None:
    ChannelSla.objects.create(channel=Channel.EMAIL, first_response_minutes=600)
    assert sla.response_targets(Priority.NORMAL, Channel.EMAIL) == (4 * 60, 4 * 60)
    assert sla.response_targets(Priority.URGENT, Channel.CHAT) == (3, 3)


def test_a_chat_waiting_a_few_minutes_rises_above_an_email_waiting_an_hour() -> None:
    email = write_in(Channel.EMAIL, minutes_ago=60)
    figures.record_message_reading(email.messages.get(), {}, 0.3)
    chat = write_in(Channel.CHAT, minutes_ago=2)
    figures.record_message_reading(chat.messages.get(), {}, 0.3)
    email.refresh_from_db()
    chat.refresh_from_db()
    assert chat.care_priority > email.care_priority
    assert "Web chat: the customer is waiting live" in chat.care_priority_reasons


def test_a_chat_past_its_minutes_target_is_breached() -> None:
    chat = write_in(Channel.CHAT, minutes_ago=5)
    figures.refresh_waiting_conversations()
    chat.refresh_from_db()
    assert chat.sla_breached
    assert any(reason.startswith("SLA breached") for reason in chat.care_priority_reasons)


def channel_targets_form(chat_first: str, chat_next: str) -> dict[str, str]:
    channels = [value for value, _ in Channel.choices]
    data = {
        "channel-TOTAL_FORMS": str(len(channels)),
        "channel-INITIAL_FORMS": str(len(channels)),
        "channel-MIN_NUM_FORMS": str(len(channels)),
        "channel-MAX_NUM_FORMS": str(len(channels)),
        "save_channel_sla": "1",
    }
    for index, channel in enumerate(channels):
        data[f"channel-{index}-channel"] = channel
        data[f"channel-{index}-first_response_minutes"] = chat_first if channel == "chat" else ""
        data[f"channel-{index}-next_response_minutes"] = chat_next if channel == "chat" else ""
    return data


def test_a_lead_sets_channel_targets_that_new_chats_follow(
    client_as: Callable[[Role], Client],
) -> None:
    response = client_as(Role.TEAM_LEAD).post(
        reverse("conversations:inbox-settings"), channel_targets_form("5", "2")
    )
    assert response.status_code == 302
    chat_targets = ChannelSla.objects.get(channel=Channel.CHAT)
    assert (chat_targets.first_response_minutes, chat_targets.next_response_minutes) == (5, 2)
    assert ChannelSla.objects.get(channel=Channel.EMAIL).first_response_minutes is None
    assert business_minutes_to_first_answer(write_in(Channel.CHAT)) == 5


def test_the_settings_page_shows_the_channel_targets(
    client_as: Callable[[Role], Client],
) -> None:
    page = client_as(Role.CX_LEADER).get(reverse("conversations:inbox-settings"))
    assert "Response targets per channel" in page.content.decode()
    initial = {form.initial["channel"]: form.initial for form in page.context["channel_formset"]}
    assert initial["chat"]["first_response_minutes"] == 3
    assert initial["email"]["first_response_minutes"] is None


def test_an_agent_cannot_change_channel_targets(client_as: Callable[[Role], Client]) -> None:
    response = client_as(Role.AGENT).post(
        reverse("conversations:inbox-settings"), channel_targets_form("60", "60")
    )
    assert response.status_code == 403
    assert not ChannelSla.objects.exists()
