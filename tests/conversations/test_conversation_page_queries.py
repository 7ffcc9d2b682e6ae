"""The conversation page costs the same few queries however long its thread and history."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from careloop.conversations import selectors
from careloop.conversations.models import (
    Channel,
    Conversation,
    Message,
    Priority,
    SavedReply,
    Status,
)
from careloop.conversations.services import assignment, conversations, replies, tags
from careloop.core.permissions import Role
from careloop.people.models import User
from tests.conversations.factories import CustomerFactory
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

# Of the whole request: 3 for the middleware (organisation time zone, session, the user with
# their team), 1 for the notification badge, and 6 for the conversation itself: the row with
# its customer, assignee and team; tags; the thread; its attachments; its history with actors;
# the settings form's assignee. The customer's contact points and other conversations, saved
# replies and the goodwill panel come by htmx, each in a request of its own (views/panels.py).
CONVERSATION_PAGE_QUERIES = 10


def conversation_with(agent: User, exchanges: int) -> Conversation:
    """A conversation of `exchanges` rounds: customer message, reply, internal note."""
    customer = CustomerFactory()
    current = conversations.receive_customer_message(
        customer, channel=Channel.EMAIL, body_text="My order never came", subject="Order 77"
    ).conversation
    for number in range(exchanges):
        replies.reply(current, agent, f"Looking into it ({number})")
        replies.reply(current, agent, f"Courier called ({number})", internal=True)
        conversations.receive_customer_message(
            customer, channel=Channel.EMAIL, body_text=f"Any news? ({number})", conversation=current
        )
    return current


@pytest.mark.parametrize("exchanges", [1, 17])
def test_the_conversation_page_queries_do_not_grow_with_the_thread(
    client: Client,
    exchanges: int,
    django_assert_max_num_queries: type[DjangoAssertNumQueries],
) -> None:
    agent = UserFactory(role=Role.AGENT, team=TeamFactory())
    client.force_login(agent)
    current = conversation_with(agent, exchanges)
    messages = 1 + 3 * exchanges  # 4 and 52, each exchange adding events too
    assert current.messages.count() == messages
    url = reverse("conversations:conversation", args=[current.pk])
    with django_assert_max_num_queries(CONVERSATION_PAGE_QUERIES):
        response = client.get(url)
    with django_assert_max_num_queries(CONVERSATION_PAGE_QUERIES):
        whole = client.get(url, {"thread": "all"})
    assert whole.content.decode().count('data-testid="message"') == messages
    shown = response.content.decode().count('data-testid="message"')
    assert shown == min(messages, selectors.THREAD_WINDOW)
    assert ('data-testid="earlier-messages"' in response.content.decode()) is (
        messages > selectors.THREAD_WINDOW
    )


def test_the_page_shows_the_newest_messages_and_the_newest_is_last(client: Client) -> None:
    agent = UserFactory(role=Role.AGENT, team=TeamFactory())
    client.force_login(agent)
    current = conversation_with(agent, 17)
    thread = client.get(reverse("conversations:conversation", args=[current.pk])).context["thread"]
    assert thread[-1].body_text == "Any news? (16)"
    assert thread == sorted(thread, key=lambda message: (message.created_at, message.pk))
    assert "My order never came" not in [message.body_text for message in thread]


def test_the_conversation_page_reads_its_own_rows_in_ten_queries(client: Client) -> None:
    agent = UserFactory(role=Role.AGENT, team=TeamFactory())
    client.force_login(agent)
    current = conversation_with(agent, 17)
    with CaptureQueriesContext(connection) as captured:
        client.get(reverse("conversations:conversation", args=[current.pk]))
    own = [
        query["sql"]
        for query in captured.captured_queries
        if '"conversations_' in query["sql"].split(" WHERE ")[0]
    ]
    assert len(own) <= 10, own


def test_a_long_conversation_with_history_attachments_and_scores_renders_in_ten_queries(
    client: Client, django_assert_max_num_queries: type[DjangoAssertNumQueries]
) -> None:
    team = TeamFactory()
    agent = UserFactory(role=Role.AGENT, team=team)
    client.force_login(agent)
    current = conversation_with(agent, 10)  # 31 messages
    replies.reply(
        current,
        agent,
        "The label is attached",
        attachments=[SimpleUploadedFile("label.pdf", b"%PDF-1.4", "application/pdf")],
    )
    Message.objects.filter(conversation=current, author=agent).update(
        reply_score={"emotional_reactions": 1, "interpretations": 2, "explorations": 0}
    )
    assignment.assign(current, agent, agent)
    conversations.set_priority(current, Priority.HIGH, agent)
    tags.set_tags(current, ["late", "courier"], agent)
    conversations.change_status(current, Status.PENDING, agent)
    for earlier in range(3):
        conversations.receive_customer_message(
            current.customer, channel=Channel.EMAIL, body_text=f"Earlier order {earlier}"
        )
    SavedReply.objects.create(title="Sorry", body="We are sorry.")
    assert current.messages.count() == 32
    assert current.events.count() >= 10
    url = reverse("conversations:conversation", args=[current.pk])
    with django_assert_max_num_queries(CONVERSATION_PAGE_QUERIES):
        page = client.get(url).content.decode()
    assert page.count('data-testid="message"') == 32
    assert "label.pdf" in page and "Coach's score" in page
    # The panels the page leaves to htmx are asked for from the page.
    for panel in ("conversations:customer-panel", "conversations:saved-reply-choice"):
        assert reverse(panel, args=[current.pk]) in page
    assert reverse("care:conversation-panel", args=[current.pk]) in page
