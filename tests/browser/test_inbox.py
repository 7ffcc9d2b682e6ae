from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from careloop.conversations.models import Channel, Conversation, Status
from careloop.conversations.services import conversations, figures
from careloop.core.permissions import Role
from tests.browser.test_sign_in import sign_in
from tests.conversations.factories import CustomerFactory
from tests.people.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def customer_writes(name: str, subject: str, distress: float) -> Conversation:
    message = conversations.receive_customer_message(
        CustomerFactory(full_name=name), channel=Channel.EMAIL, body_text=subject, subject=subject
    )
    figures.record_message_reading(message, {}, distress)
    return message.conversation


def test_agent_finds_the_most_upset_customer_first_and_replies(
    page: Page, live_server: LiveServer, artifacts_dir: Path
) -> None:
    customer_writes("Calm Carla", "Could I get a copy of my invoice?", 0.05)
    upset = customer_writes("Upset Umar", "Third broken tent pole this month!", 0.9)
    agent = UserFactory(role=Role.AGENT, email="agent@example.test")

    sign_in(page, live_server, agent.email, TEST_PASSWORD)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Care inbox").click()
    first_row = page.get_by_test_id("inbox-row").first
    expect(first_row).to_contain_text("Upset Umar")
    expect(first_row).to_contain_text("Customer sounds very upset")
    page.screenshot(path=str(artifacts_dir / "inbox.png"), full_page=True)

    first_row.get_by_role("link", name="Upset Umar").click()
    expect(page).to_have_url(re.compile(rf"/inbox/{upset.pk}/$"))
    page.get_by_label("Reply to Upset Umar").fill(
        "I'm so sorry, Umar. A new pole is on its way today, "
        "and I'll check why this keeps happening."
    )
    page.get_by_label("Then").select_option("pending")
    page.get_by_test_id("send-reply").click()
    expect(page.get_by_role("status").first).to_contain_text("Reply sent.")
    expect(page.get_by_test_id("message").last).to_contain_text("A new pole is on its way")

    upset.refresh_from_db()
    assert upset.status == Status.PENDING
    assert upset.first_response_at is not None


def test_the_empathy_coach_reads_the_draft_while_the_agent_writes(
    page: Page, live_server: LiveServer, artifacts_dir: Path
) -> None:
    conversation = conversations.receive_customer_message(
        CustomerFactory(full_name="Upset Umar"),
        channel=Channel.EMAIL,
        subject="Scoop swap",
        body_text="I asked for strawberry instead of chocolate and was refused. I'm so annoyed!",
    ).conversation
    agent = UserFactory(role=Role.AGENT, email="agent@example.test")
    sign_in(page, live_server, agent.email, TEST_PASSWORD)
    page.goto(f"{live_server.url}/inbox/{conversation.pk}/")

    composer = page.get_by_label("Reply to Upset Umar")
    composer.fill("We can't swap it, it would show on our inventory and I'd be held responsible.")
    coach = page.get_by_test_id("coach")
    expect(coach).to_contain_text("Suggestion:")
    expect(coach.locator(".coach-flag")).not_to_have_count(0)

    composer.fill(
        "I'm so sorry, that sounds really frustrating. Of course, I'll swap it for strawberry "
        "right away. Is there anything else I can do?"
    )
    expect(coach.locator(".coach-flag")).to_have_count(0)
    expect(coach).to_contain_text("Exploring their needs")
    page.screenshot(path=str(artifacts_dir / "coach.png"), full_page=True)
