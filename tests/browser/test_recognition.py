"""Recognition in Chromium: a customer's thank-you becomes a story the agent agrees to share."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from careloop.core.permissions import Role
from careloop.recognition.models import StoryStatus, SuccessStory
from tests.browser.test_sign_in import dashboard_url, sign_in
from tests.people.factories import TEST_PASSWORD, TeamFactory, UserFactory
from tests.recognition.factories import conversation_with_reply, customer_says

pytestmark = pytest.mark.django_db(transaction=True)

THANKS = "The new pole arrived this morning and the tent is perfect. Thank you so much, Sam!"


def test_a_customer_thank_you_becomes_a_story_the_agent_consents_to_share(
    page: Page, browser: Browser, live_server: LiveServer, artifacts_dir: Path
) -> None:
    team = TeamFactory()
    agent = UserFactory(
        role=Role.AGENT, team=team, full_name="Sam Okafor", email="sam@example.test"
    )
    colleague = UserFactory(role=Role.AGENT, team=team, email="colleague@example.test")
    conversation = conversation_with_reply(agent)
    # The customer's message is stored, read by the empathy engine, and the praise surfaced.
    customer_says(conversation, THANKS)
    story = SuccessStory.objects.get(agent=agent)
    assert story.status == StoryStatus.AWAITING_CONSENT

    sign_in(page, live_server, agent.email, TEST_PASSWORD)
    expect(page).to_have_url(dashboard_url(live_server))
    page.get_by_role("link", name="Recognition").first.click()
    waiting = page.get_by_test_id("awaiting-story")
    expect(waiting).to_contain_text(THANKS)
    waiting.get_by_role("link").click()
    expect(page.get_by_test_id("customer-words")).to_contain_text(THANKS)
    page.get_by_role("button", name="Yes, share it").click()
    expect(page.locator("#story-status")).to_have_text("Shared")

    colleague_context = browser.new_context()
    colleague_page = colleague_context.new_page()
    try:
        sign_in(colleague_page, live_server, colleague.email, TEST_PASSWORD)
        expect(colleague_page).to_have_url(dashboard_url(live_server))
        colleague_page.goto(live_server.url + "/recognition/")
        posted = colleague_page.get_by_test_id("feed-story")
        expect(posted).to_contain_text("Sam Okafor")
        expect(posted.get_by_test_id("customer-words")).to_contain_text(THANKS)
        expect(posted.get_by_role("link", name=f"conversation #{conversation.pk}")).to_be_visible()
        colleague_page.screenshot(path=str(artifacts_dir / "recognition-story.png"), full_page=True)
    finally:
        colleague_context.close()
