"""The conversation page costs the same few queries however long its thread and history."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from careloop.conversations import selectors
from careloop.conversations.models import Channel, Conversation
from careloop.conversations.services import conversations, replies
from careloop.core.permissions import Role
from careloop.people.models import User
from tests.conversations.factories import CustomerFactory
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

# Of the whole request: 3 for the middleware (organisation time zone, session, user), 2 for
# the notification badge, 9 for the goodwill panel (care app: gestures, allowances, ledgers),
# and 10 for the conversation itself: the row with its customer, assignee and team; tags;
# the thread; its attachments; its history with actors; the customer's other conversations
# and contact points; saved replies; the settings form's people and teams.
CONVERSATION_PAGE_QUERIES = 25


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
    client.get(url)  # the goodwill panel makes its settings row once
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
