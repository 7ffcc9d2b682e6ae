"""The open inbox and conversation page learn of changes by polling cheaply."""

from __future__ import annotations

from urllib.parse import parse_qs

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from careloop.conversations import selectors
from careloop.conversations.models import Channel, Conversation
from careloop.conversations.services import assignment, conversations, replies
from careloop.core.permissions import Role
from careloop.people.models import User
from tests.conversations.factories import CustomerFactory
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db
# A quiet poll: the organisation's time zone (middleware), the session, the signed-in user,
# and one query of its own (the change marker, or the newer messages); nothing else.
QUIET_POLL_QUERIES = 4


def conversation(subject: str = "Help") -> Conversation:
    return conversations.receive_customer_message(
        CustomerFactory(), channel=Channel.EMAIL, body_text="Hello", subject=subject
    ).conversation


@pytest.fixture
def agent(client: Client) -> User:
    person = UserFactory(role=Role.AGENT)
    client.force_login(person)
    return person


def live_state(client: Client, view: str = "waiting") -> dict[str, str]:
    """What the open inbox's poller asks with, as the page rendered it."""
    response = client.get(reverse("conversations:inbox"), {"view": view})
    return {key: values[0] for key, values in parse_qs(response.context["live_query"]).items()}


def poll(client: Client, state: dict[str, str]) -> object:
    return client.get(reverse("conversations:inbox-live"), state, headers={"HX-Request": "true"})


def test_an_unchanged_inbox_answers_no_content_with_one_query_of_its_own(
    client: Client, agent: User, django_assert_max_num_queries: type[DjangoAssertNumQueries]
) -> None:
    conversation("Earlier")
    state = live_state(client)
    with django_assert_max_num_queries(QUIET_POLL_QUERIES):
        response = poll(client, state)
    assert response.status_code == 204
    assert response.content == b""


def test_a_new_conversation_comes_back_as_fresh_rows(client: Client, agent: User) -> None:
    conversation("Earlier")
    state = live_state(client)
    conversation("Just arrived")
    response = poll(client, state)
    assert response.status_code == 200
    assert "Just arrived" in response.content.decode()
    assert 'id="inbox-live"' in response.content.decode()
    # The rows carry the new marker: asking again is quiet.
    fresh = {k: v[0] for k, v in parse_qs(response.context["live_query"]).items()}
    assert poll(client, fresh).status_code == 204


def test_a_change_outside_the_page_only_moves_the_marker(
    client: Client, agent: User, django_assert_max_num_queries: type[DjangoAssertNumQueries]
) -> None:
    mine = conversation("Mine")
    assignment.assign(mine, agent, agent)
    state = live_state(client, view="mine")
    conversation("Someone else's")
    # The quiet poll's queries, then the view's size and the page's rows: nothing rendered.
    with django_assert_max_num_queries(QUIET_POLL_QUERIES + 2):
        response = poll(client, state)
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#inbox-live"
    assert "Someone else" not in response.content.decode()


def test_bulk_actions_from_live_rows_return_to_the_inbox_page(client: Client, agent: User) -> None:
    state = live_state(client)
    conversation("New")
    response = poll(client, state)
    assert 'name="next" value="/inbox/?view=waiting' in response.content.decode()


def test_the_live_inbox_is_for_signed_in_inbox_users_only(client: Client) -> None:
    assert client.get(reverse("conversations:inbox-live")).status_code == 302


def thread_poll(client: Client, item: Conversation, after: int) -> object:
    return client.get(
        reverse("conversations:thread-live", args=[item.pk]),
        {"after": after},
        headers={"HX-Request": "true"},
    )


def test_an_open_conversation_with_nothing_new_answers_no_content(
    client: Client, agent: User, django_assert_max_num_queries: type[DjangoAssertNumQueries]
) -> None:
    item = conversation()
    last = item.messages.get().pk
    with django_assert_max_num_queries(QUIET_POLL_QUERIES):
        response = thread_poll(client, item, last)
    assert response.status_code == 204


def test_a_customer_reply_arrives_in_the_open_conversation(client: Client, agent: User) -> None:
    item = conversation()
    page = client.get(reverse("conversations:conversation", args=[item.pk]))
    last = page.context["last_message_id"]
    conversations.receive_customer_message(
        item.customer, channel=Channel.EMAIL, body_text="Any news on my parcel?", conversation=item
    )
    response = thread_poll(client, item, last)
    text = response.content.decode()
    assert response.status_code == 200
    assert text.count('data-testid="message"') == 1
    assert "Any news on my parcel?" in text
    newest = item.messages.order_by("-pk").first()
    assert newest is not None
    assert f"?after={newest.pk}" in text


def test_live_messages_keep_internal_notes_to_those_who_may_read_them(client: Client) -> None:
    billing, europe = TeamFactory(name="Billing"), TeamFactory(name="Europe")
    owner = UserFactory(role=Role.AGENT, team=billing)
    colleague = UserFactory(role=Role.AGENT, team=billing)
    outsider = UserFactory(role=Role.AGENT, team=europe)
    item = conversation()
    item.team = billing
    item.save()
    last = item.messages.get().pk
    replies.reply(item, owner, "Refund approved, see ticket FIN-11", internal=True)

    client.force_login(outsider)
    assert thread_poll(client, item, last).status_code == 204
    assert messages_after_count(outsider, item, last) == 0
    client.force_login(colleague)
    response = thread_poll(client, item, last)
    assert "FIN-11" in response.content.decode()


def messages_after_count(person: User, item: Conversation, after: int) -> int:
    return len(selectors.messages_after(person, item.pk, after))


def test_the_thread_poll_needs_a_message_number(client: Client, agent: User) -> None:
    item = conversation()
    response = client.get(reverse("conversations:thread-live", args=[item.pk]), {"after": "x"})
    assert response.status_code == 400
