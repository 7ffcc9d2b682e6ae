from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from careloop.conversations.models import Channel, Status
from careloop.conversations.services import conversations
from careloop.core.permissions import Role
from tests.browser.test_sign_in import sign_in
from tests.conversations.factories import CustomerFactory
from tests.people.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_agent_finds_a_closed_conversation_by_a_word_and_by_its_number(
    page: Page, live_server: LiveServer, artifacts_dir: Path
) -> None:
    closed = conversations.receive_customer_message(
        CustomerFactory(full_name="Ines Moreau"),
        channel=Channel.EMAIL,
        body_text="The kingfisher teapot arrived in pieces <script>alert(1)</script>",
        subject="Broken teapot",
    ).conversation
    conversations.change_status(closed, Status.CLOSED, None)
    other = conversations.receive_customer_message(
        CustomerFactory(), channel=Channel.CHAT, body_text="Where is my parcel?", subject="Parcel"
    ).conversation
    agent = UserFactory(role=Role.AGENT, email="agent@example.test")

    sign_in(page, live_server, agent.email, TEST_PASSWORD)
    box = page.locator("#search")
    box.fill("kingfisher")
    box.press("Enter")
    hit = page.get_by_test_id("conversation-hit")
    expect(hit).to_have_count(1)
    expect(hit.get_by_test_id("snippet").locator("mark")).to_have_text("kingfisher")
    # Hostile text never becomes markup (SQLite shows it escaped; PostgreSQL's headline
    # leaves tags out).
    expect(hit.locator("script")).to_have_count(0)
    expect(hit.get_by_test_id("snippet")).to_contain_text("teapot arrived in pieces")
    page.screenshot(path=str(artifacts_dir / "search.png"), full_page=True)
    hit.get_by_role("link").first.click()
    expect(page).to_have_url(re.compile(rf"/inbox/{closed.pk}/$"))

    page.locator("#search").fill(f"#{other.pk}")
    page.locator("#search").press("Enter")
    expect(page).to_have_url(re.compile(rf"/inbox/{other.pk}/$"))

    page.goto(f"{live_server.url}/inbox/")
    page.locator("#inbox-search").fill(f"#{closed.pk}")
    page.locator("#inbox-search").press("Enter")
    expect(page).to_have_url(re.compile(rf"/inbox/{closed.pk}/$"))
