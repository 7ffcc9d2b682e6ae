from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from careloop.conversations.services.assignment import assign
from careloop.core.permissions import Role
from tests.browser.test_sign_in import sign_in
from tests.conversations.factories import ConversationFactory
from tests.people.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_assigned_agent_sees_the_badge_rise_without_reloading_and_opens_the_conversation(
    page: Page, live_server: LiveServer, settings: Any, artifacts_dir: Path
) -> None:
    settings.CARELOOP_NOTIFICATION_POLL_SECONDS = 1
    agent = UserFactory(role=Role.AGENT, email="agent@example.test")
    lead = UserFactory(role=Role.TEAM_LEAD, team=agent.team, full_name="Lena Lead")
    conversation = ConversationFactory(subject="Tent pole snapped")

    sign_in(page, live_server, agent.email, TEST_PASSWORD)
    badge = page.get_by_test_id("notification-badge")
    expect(badge).to_have_attribute("data-unread", "0")
    page.evaluate("window.notificationsTestMarker = 'still here'")

    assign(conversation, agent, actor=lead)
    expect(badge.get_by_test_id("unread-count")).to_have_text("1")
    # The same page, polled rather than reloaded.
    assert page.evaluate("window.notificationsTestMarker") == "still here"
    page.screenshot(path=str(artifacts_dir / "notifications-badge.png"))

    badge.click()
    item = page.get_by_test_id("notification").first
    expect(item).to_contain_text("Assigned to you: Tent pole snapped")
    page.screenshot(path=str(artifacts_dir / "notifications-list.png"), full_page=True)
    item.get_by_role("button", name="Assigned to you: Tent pole snapped").click()
    expect(page).to_have_url(re.compile(rf"/inbox/{conversation.pk}/$"))
    expect(page.get_by_test_id("notification-badge")).to_have_attribute("data-unread", "0")
