"""The live workspace in Chromium: a customer's chat reaches the top of an open inbox, and
their answer reaches the open conversation, without the agent reloading anything."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from careloop.conversations.models import Channel
from careloop.conversations.services import conversations, figures
from careloop.core.permissions import Role
from tests.browser.conftest import DESKTOP_VIEWPORT
from tests.browser.test_chat_widget import REPLY_WAIT_MS, open_widget, write
from tests.browser.test_sign_in import sign_in
from tests.conversations.factories import CustomerFactory
from tests.people.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

# The head of care's bar: a new chat is at the top of an open inbox within two seconds.
LIVE_INBOX_MS = 2_000
STILL_THE_SAME_PAGE = "window.careloopLiveMarker = 'not reloaded'"
MARKER = "window.careloopLiveMarker"


def test_a_chat_rises_to_the_top_of_the_open_inbox_and_the_answer_arrives_live(
    page: Page, browser: Browser, live_server: LiveServer, settings: Any, artifacts_dir: Path
) -> None:
    settings.CARELOOP_NOTIFICATION_POLL_SECONDS = 1
    # Half the product's one-second poll: on two busy CI cores a render can take most of a
    # second, and the bar is about the row arriving without a reload, not about the poll.
    settings.CARELOOP_LIVE_POLL_SECONDS = 0.5
    earlier = conversations.receive_customer_message(
        CustomerFactory(full_name="Calm Carla"),
        channel=Channel.EMAIL,
        body_text="Could you send the invoice again?",
        subject="Invoice copy",
        at=timezone.now() - timedelta(minutes=30),
    )
    figures.record_message_reading(earlier, {}, 0.05)
    agent = UserFactory(role=Role.AGENT, full_name="Grace Hopper", email="grace@example.test")

    agent_context = browser.new_context(viewport=DESKTOP_VIEWPORT)
    inbox = agent_context.new_page()
    sign_in(inbox, live_server, agent.email, TEST_PASSWORD)
    inbox.goto(live_server.url + "/inbox/?view=waiting")
    rows = inbox.get_by_test_id("inbox-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Calm Carla")
    inbox.evaluate(STILL_THE_SAME_PAGE)

    page.goto(live_server.url + "/chat/demo/")
    widget = open_widget(page)
    write(widget, "The tent pole snapped and we're stuck at the campsite!")
    expect(widget.locator(".from-visitor[data-state=sent]")).to_have_count(1)

    expect(rows).to_have_count(2, timeout=LIVE_INBOX_MS)
    expect(rows.first).to_contain_text("Web chat", timeout=LIVE_INBOX_MS)
    expect(rows.first.get_by_test_id("priority-breakdown")).to_contain_text("Channel +15.0")
    assert inbox.evaluate(MARKER) == "not reloaded"
    inbox.screenshot(path=str(artifacts_dir / "live-inbox.png"), full_page=True)

    rows.first.get_by_role("link").first.click()
    inbox.get_by_role("button", name="Assign to me").click()
    badge = inbox.get_by_test_id("notification-badge")
    expect(badge).to_have_attribute("data-unread", "0")
    inbox.get_by_role("textbox", name="Reply to").fill("I'm sorry! A new pole goes out today.")
    inbox.get_by_test_id("send-reply").click()
    expect(inbox.get_by_role("status").first).to_contain_text("Reply sent.")
    messages = inbox.get_by_test_id("message")
    expect(messages).to_have_count(2)
    inbox.evaluate(STILL_THE_SAME_PAGE)

    expect(widget.locator(".from-agent .chat-text")).to_have_text(
        ["I'm sorry! A new pole goes out today."], timeout=REPLY_WAIT_MS
    )
    write(widget, "Thank you, that saves our holiday.")
    expect(widget.locator(".from-visitor[data-state=sent]")).to_have_count(2)

    expect(messages).to_have_count(3)
    expect(messages.last).to_contain_text("Thank you, that saves our holiday.")
    # The customer answered the agent's conversation: the agent is told, on the same page.
    expect(badge.get_by_test_id("unread-count")).to_have_text("1", timeout=LIVE_INBOX_MS)
    assert inbox.evaluate(MARKER) == "not reloaded"
    inbox.screenshot(path=str(artifacts_dir / "live-conversation.png"), full_page=True)
    agent_context.close()
