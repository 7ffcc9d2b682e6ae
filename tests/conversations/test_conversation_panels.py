"""The conversation page's panels that htmx fetches: the same content, the same permissions."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from pytest_django import DjangoAssertNumQueries

from careloop.conversations.models import Channel, ContactPoint, Conversation, SavedReply
from careloop.conversations.services import conversations
from careloop.core.permissions import Role
from tests.conversations.factories import CustomerFactory
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def customer_with_past(subjects: list[str]) -> Conversation:
    """The newest of a customer's conversations, one per subject (oldest first)."""
    customer = CustomerFactory(full_name="Maya Rossi")
    ContactPoint.objects.create(customer=customer, kind=ContactPoint.Kind.PHONE, value="+3900111")
    current = None
    for subject in subjects:
        current = conversations.receive_customer_message(
            customer, channel=Channel.EMAIL, body_text="Hello", subject=subject
        ).conversation
    assert current is not None
    return current


@pytest.fixture
def agent_client(client: Client) -> Client:
    client.force_login(UserFactory(role=Role.AGENT, team=TeamFactory()))
    return client


def test_the_customer_panel_lists_contact_points_and_the_other_conversations(
    agent_client: Client, django_assert_max_num_queries: type[DjangoAssertNumQueries]
) -> None:
    current = customer_with_past(["Broken zip", "Late parcel", "Refund please"])
    page = agent_client.get(reverse("conversations:conversation", args=[current.pk]))
    assert "Maya Rossi" in page.content.decode()
    assert "Broken zip" not in page.content.decode()  # the history comes with the panel
    with django_assert_max_num_queries(6):
        panel = agent_client.get(reverse("conversations:customer-panel", args=[current.pk]))
    text = panel.content.decode()
    assert "+3900111" in text
    assert "Broken zip" in text and "Late parcel" in text
    assert "Refund please" not in text  # the conversation itself is not its own history
    assert "hx-get" not in text  # the loaded panel does not fetch itself again


def test_a_first_conversation_says_so_in_the_customer_panel(agent_client: Client) -> None:
    current = customer_with_past(["Broken zip"])
    panel = agent_client.get(reverse("conversations:customer-panel", args=[current.pk]))
    assert "First conversation." in panel.content.decode()


def test_the_saved_reply_choice_offers_every_saved_reply_or_nothing(
    agent_client: Client,
) -> None:
    current = customer_with_past(["Broken zip"])
    url = reverse("conversations:saved-reply-choice", args=[current.pk])
    assert agent_client.get(url).content.decode().strip() == ""
    SavedReply.objects.create(title="Apology", body="We are sorry, {{ customer.first_name }}.")
    text = agent_client.get(url).content.decode()
    assert "Apology" in text
    assert reverse("conversations:saved-reply", args=[current.pk]) in text


PANELS = ["conversations:customer-panel", "conversations:saved-reply-choice"]


@pytest.mark.parametrize("panel", PANELS)
def test_the_panels_are_refused_to_those_who_may_not_use_the_inbox(
    client: Client, panel: str
) -> None:
    current = customer_with_past(["Broken zip"])
    url = reverse(panel, args=[current.pk])
    assert client.get(url).status_code == 302  # signed out: to the sign-in page
    client.force_login(UserFactory(role=Role.PEOPLE_PARTNER))
    assert client.get(url).status_code == 403


def test_the_customer_panel_of_a_missing_conversation_is_not_found(agent_client: Client) -> None:
    assert agent_client.get(reverse("conversations:customer-panel", args=[999])).status_code == 404
