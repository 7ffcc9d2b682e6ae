"""Pickers search as you type (core/widgets.py): small answers, within the access policy, and
forms that still validate the ids they receive."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from careloop.conversations.models import Channel
from careloop.conversations.services.conversations import receive_customer_message
from careloop.core.permissions import Role
from careloop.core.widgets import MAX_PICKER_OPTIONS
from careloop.learning.forms import ReviewForm
from careloop.people.models import User
from careloop.recognition.forms import KudosForm
from tests.conversations.factories import CustomerFactory
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_the_people_picker_answers_at_most_twenty_matches(
    client_as: Callable[[Role], Client],
) -> None:
    UserFactory.create_batch(MAX_PICKER_OPTIONS + 5, full_name="Robin Many")
    UserFactory(full_name="Quinn Other")

    html = client_as(Role.AGENT).get(reverse("people:person-picker"), {"q": "robin"}).content

    assert html.count(b"data-picker-option") == MAX_PICKER_OPTIONS
    assert b"Quinn Other" not in html


def test_the_people_picker_never_offers_customers_or_people_who_left(
    client_as: Callable[[Role], Client],
) -> None:
    UserFactory(full_name="Casey Customer", role=Role.CUSTOMER)
    UserFactory(full_name="Casey Left", is_active=False)
    UserFactory(full_name="Casey Here")

    html = client_as(Role.AGENT).get(reverse("people:person-picker"), {"q": "casey"}).content

    assert b"Casey Here" in html
    assert b"Casey Customer" not in html
    assert b"Casey Left" not in html


def test_the_conversation_picker_finds_by_number_and_words(
    client_as: Callable[[Role], Client],
) -> None:
    wanted = receive_customer_message(
        CustomerFactory(full_name="Dana Tent"),
        channel=Channel.EMAIL,
        subject="Broken tent pole",
        body_text="The pole snapped.",
    ).conversation
    client = client_as(Role.AGENT)
    url = reverse("conversations:conversation-picker")

    assert f"#{wanted.pk} Broken tent pole".encode() in client.get(url, {"q": "tent"}).content
    assert f'data-value="{wanted.pk}"'.encode() in client.get(url, {"q": f"#{wanted.pk}"}).content
    assert b"data-picker-option" not in client.get(url, {"q": "invoice"}).content


def test_people_who_do_not_read_conversations_get_none_from_the_picker(
    client_as: Callable[[Role], Client],
) -> None:
    url = reverse("conversations:conversation-picker")
    assert client_as(Role.PEOPLE_PARTNER).get(url, {"q": "tent"}).status_code == 403


def test_a_picker_renders_its_chosen_people_as_chips_and_no_select() -> None:
    chosen = UserFactory(full_name="Ida Involved")
    UserFactory(full_name="Nora Notchosen")

    html = str(ReviewForm(initial={"participants": [chosen.pk]})["participants"])

    assert "<select" not in html
    assert f'<input type="hidden" name="participants" value="{chosen.pk}">' in html
    assert "Ida Involved" in html
    assert "Nora Notchosen" not in html


def test_a_form_with_a_picker_still_refuses_ids_outside_its_choices() -> None:
    giver = UserFactory()
    colleague = UserFactory()

    assert KudosForm({"receiver": giver.pk, "message": "Thanks"}, giver=giver).errors["receiver"]
    mine = KudosForm({"receiver": colleague.pk, "message": "Thanks"}, giver=giver)
    mine.is_valid()
    assert "receiver" not in mine.errors
    assert User.objects.filter(pk=colleague.pk).exists()
