"""The whole loop in Chromium: a customer chats, an agent answers from the inbox, live."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from careloop.conversations.models import Channel, Conversation
from careloop.conversations.services import conversations, figures
from careloop.core.permissions import Role
from tests.browser.test_chat_widget import REPLY_WAIT_MS, open_widget, write
from tests.browser.test_sign_in import sign_in
from tests.conversations.factories import CustomerFactory
from tests.people.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_customer_chats_agent_answers_from_the_inbox_and_the_reply_arrives_live(
    page: Page, browser: Browser, live_server: LiveServer, artifacts_dir: Path
) -> None:
    # Someone calmer wrote earlier; the upset chat must still come first.
    calm = conversations.receive_customer_message(
        CustomerFactory(full_name="Calm Carla"), channel=Channel.EMAIL, body_text="Invoice?"
    )
    figures.record_message_reading(calm, {}, 0.05)
    agent = UserFactory(role=Role.AGENT, full_name="Grace Hopper", email="grace@example.test")

    page.goto(live_server.url + "/chat/demo/")
    widget = open_widget(page)
    write(widget, "My tent pole snapped on the first night and we're stuck at the campsite!")
    expect(widget.locator(".from-visitor[data-state=sent]")).to_have_count(1)
    chat = Conversation.objects.get(channel=Channel.CHAT)
    # Stands in for the empathy engine's reading, which is wired in separately.
    figures.record_message_reading(chat.messages.get(), {"fear": 0.8}, 0.85)

    agent_context = browser.new_context(viewport={"width": 1280, "height": 800})
    inbox = agent_context.new_page()
    sign_in(inbox, live_server, agent.email, TEST_PASSWORD)
    inbox.goto(live_server.url + "/inbox/?view=waiting")
    first_row = inbox.get_by_test_id("inbox-row").first
    expect(first_row).to_contain_text("Web chat")
    expect(first_row).to_contain_text("Customer sounds very upset")
    first_row.get_by_role("link").first.click()
    inbox.get_by_role("textbox", name="Reply to").fill(
        "That sounds awful, I'm sorry. A replacement pole is going out by courier today."
    )
    inbox.get_by_test_id("send-reply").click()
    expect(inbox.get_by_role("status").first).to_contain_text("Reply sent.")
    inbox.screenshot(path=str(artifacts_dir / "inbox-conversation.png"), full_page=True)

    expect(widget.locator(".from-agent .chat-text")).to_have_text(
        ["That sounds awful, I'm sorry. A replacement pole is going out by courier today."],
        timeout=REPLY_WAIT_MS,
    )
    agent_context.close()
