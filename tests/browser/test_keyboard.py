"""An agent works a conversation from the inbox to solved without touching the mouse."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from careloop.conversations.models import Channel, Conversation, Status
from careloop.conversations.services import conversations, figures
from careloop.core.permissions import Role
from careloop.people.models import User
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


def agent_signed_in_with_two_waiting(
    page: Page, live_server: LiveServer
) -> tuple[User, Conversation]:
    """Upset Umar first, then Calm Carla, wait; an agent is signed in. Carla's conversation is
    returned with the agent."""
    customer_writes("Upset Umar", "Third broken tent pole this month!", 0.9)
    calm = customer_writes("Calm Carla", "Could I get a copy of my invoice?", 0.05)
    agent = UserFactory(role=Role.AGENT, email="agent@example.test")
    sign_in(page, live_server, agent.email, TEST_PASSWORD)
    return agent, calm


def test_an_agent_solves_a_conversation_from_the_inbox_with_the_keyboard_alone(
    page: Page, live_server: LiveServer
) -> None:
    agent, second = agent_signed_in_with_two_waiting(page, live_server)
    page.goto(f"{live_server.url}/")

    page.keyboard.press("g")
    page.keyboard.press("i")
    expect(page).to_have_url(re.compile(r"/inbox/$"))
    # Shortcuts listen once the new page's scripts have run, not as soon as its URL shows.
    page.wait_for_load_state("load")
    page.keyboard.press("j")
    page.keyboard.press("j")
    page.keyboard.press("k")
    page.keyboard.press("j")
    expect(page.get_by_test_id("inbox-row").nth(1)).to_have_attribute("data-selected", "true")
    page.keyboard.press("o")
    expect(page).to_have_url(re.compile(rf"/inbox/{second.pk}/$"))

    page.keyboard.press("a")
    expect(page.get_by_role("status").first).to_contain_text("Updated 1 conversation")
    # Shortcuts listen once the new page's scripts have run, not as soon as its text shows.
    page.wait_for_load_state("load")
    page.keyboard.press("r")
    composer = page.get_by_label("Reply to Calm Carla")
    expect(composer).to_be_focused()
    page.keyboard.type("Here is your invoice, Carla; it is attached to this email.")
    page.keyboard.press("Control+Enter")
    expect(page.get_by_role("status").first).to_contain_text("Reply sent.")
    page.wait_for_load_state("load")

    page.keyboard.press("n")
    expect(page.get_by_label("Internal note (only the team sees it)")).to_be_checked()
    page.keyboard.type("Carla asked for invoices twice this year.")
    page.keyboard.press("Control+Enter")
    expect(page.get_by_role("status").first).to_contain_text("Note added.")
    page.wait_for_load_state("load")

    page.keyboard.press("e")
    expect(page.get_by_role("status").first).to_contain_text("Conversation updated.")
    second.refresh_from_db()
    assert second.status == Status.SOLVED
    assert second.assignee == agent
    assert list(
        second.messages.filter(is_internal_note=True).values_list("body_text", flat=True)
    ) == ["Carla asked for invoices twice this year."]


def test_a_live_refresh_of_the_inbox_keeps_the_selected_row(
    page: Page, live_server: LiveServer
) -> None:
    _, calm = agent_signed_in_with_two_waiting(page, live_server)
    page.goto(f"{live_server.url}/inbox/")
    page.keyboard.press("j")
    page.keyboard.press("j")
    expect(page.locator(f"[data-conversation='{calm.pk}']")).to_have_attribute(
        "data-selected", "true"
    )

    newcomer = customer_writes("Frantic Femi", "My order never came and the party is tonight", 0.95)
    expect(page.locator(f"[data-conversation='{newcomer.pk}']")).to_be_visible()
    expect(page.locator(f"[data-conversation='{calm.pk}']")).to_have_attribute(
        "data-selected", "true"
    )
    expect(page.locator(f"[data-conversation='{calm.pk}'] a")).to_be_focused()
    page.keyboard.press("o")
    expect(page).to_have_url(re.compile(rf"/inbox/{calm.pk}/$"))


def test_shortcuts_wait_while_typing_and_question_mark_lists_them(
    page: Page, live_server: LiveServer
) -> None:
    customer_writes("Upset Umar", "Third broken tent pole this month!", 0.9)
    agent = UserFactory(role=Role.AGENT, email="agent@example.test")
    sign_in(page, live_server, agent.email, TEST_PASSWORD)
    page.goto(f"{live_server.url}/inbox/")

    page.keyboard.press("/")
    search = page.get_by_label("Search conversations")
    expect(search).to_be_focused()
    page.keyboard.type("jo?")
    expect(search).to_have_value("jo?")
    expect(page.get_by_role("dialog")).to_have_count(0)
    page.keyboard.press("Escape")
    expect(search).not_to_be_focused()

    page.keyboard.press("?")
    shortcuts = page.get_by_role("dialog", name="Keyboard shortcuts")
    expect(shortcuts).to_be_visible()
    expect(shortcuts).to_contain_text("Mark solved")
    shortcuts.get_by_role("button", name="Close").press("Enter")
    expect(shortcuts).to_be_hidden()
