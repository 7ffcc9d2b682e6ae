from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse

from careloop.conversations.models import (
    Attachment,
    Channel,
    ContactPoint,
    Conversation,
    Customer,
    SlaPolicy,
)
from careloop.conversations.services import conversations, customers, figures
from careloop.core.permissions import Role
from careloop.people.selectors import current_organisation
from tests.conversations.factories import CustomerFactory
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def new_conversation(customer: Customer | None = None) -> Conversation:
    return conversations.receive_customer_message(
        customer or CustomerFactory(), channel=Channel.EMAIL, body_text="Hello"
    ).conversation


def test_customer_profile_shows_history_and_saves_preferences(
    client_as: Callable[[Role], Client],
) -> None:
    customer = CustomerFactory(full_name="Ines Moreau")
    first, second = new_conversation(customer), new_conversation(customer)
    client = client_as(Role.AGENT)
    page = client.get(reverse("conversations:customer", args=[customer.pk]))
    assert {c.pk for c in page.context["history"]} == {first.pk, second.pk}
    client.post(
        reverse("conversations:customer", args=[customer.pk]),
        {
            "full_name": "Ines Moreau",
            "company": "",
            "language": "fr",
            "preferred_channel": "chat",
            "notes": "Prefers chat in the evening.",
        },
    )
    customer.refresh_from_db()
    assert (customer.language, customer.preferred_channel) == ("fr", "chat")


def test_merging_a_duplicate_customer_from_the_profile(client_as: Callable[[Role], Client]) -> None:
    keep = customers.find_or_create_customer(kind=ContactPoint.Kind.EMAIL, value="a@example.test")
    duplicate = customers.find_or_create_customer(kind=ContactPoint.Kind.CHAT, value="visitor-1")
    new_conversation(duplicate)
    client = client_as(Role.AGENT)
    response = client.post(
        reverse("conversations:customer-merge", args=[duplicate.pk]), {"into": keep.pk}
    )
    assert response["Location"] == reverse("conversations:customer", args=[keep.pk])
    assert keep.conversations.count() == 1
    # The duplicate's old page leads to the surviving profile.
    old = client.get(reverse("conversations:customer", args=[duplicate.pk]))
    assert old["Location"] == reverse("conversations:customer", args=[keep.pk])


def test_attachments_that_could_run_script_are_only_downloaded(
    client_as: Callable[[Role], Client],
) -> None:
    message = new_conversation().messages.get()
    page = Attachment.objects.create(
        message=message,
        file=ContentFile(b"<script>alert(1)</script>", name="x.html"),
        filename="invoice.html",
        content_type="text/html",
        size=25,
    )
    picture = Attachment.objects.create(
        message=message,
        file=ContentFile(b"\x89PNG\r\n", name="x.png"),
        filename="photo.png",
        content_type="image/png",
        size=6,
    )
    client = client_as(Role.AGENT)
    html = client.get(reverse("conversations:attachment", args=[page.pk]))
    assert html["Content-Type"] == "application/octet-stream"
    assert html["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in html["Content-Security-Policy"]
    png = client.get(reverse("conversations:attachment", args=[picture.pk]))
    assert png["Content-Type"] == "image/png"
    assert png["Content-Disposition"].startswith("inline;")


def test_lead_sets_sla_targets_that_new_conversations_follow(
    client_as: Callable[[Role], Client],
) -> None:
    data = {
        "sla-TOTAL_FORMS": "4",
        "sla-INITIAL_FORMS": "4",
        "sla-MIN_NUM_FORMS": "4",
        "sla-MAX_NUM_FORMS": "4",
        "save_sla": "1",
    }
    for index, priority in enumerate(["low", "normal", "high", "urgent"]):
        data |= {
            f"sla-{index}-priority": priority,
            f"sla-{index}-first_response_minutes": "30",
            f"sla-{index}-next_response_minutes": "60",
            f"sla-{index}-resolution_minutes": "600",
        }
    client_as(Role.TEAM_LEAD).post(reverse("conversations:inbox-settings"), data)
    assert SlaPolicy.objects.get(priority="normal").first_response_minutes == 30
    conversation = new_conversation()
    conversation.refresh_from_db()
    assert conversation.first_response_due is not None
    business_minutes = (
        figures.business_calendar().seconds_between(
            conversation.created_at, conversation.first_response_due
        )
        // 60
    )
    assert business_minutes == 30


def test_routing_sends_new_conversations_round_robin_in_the_default_team(
    client_as: Callable[[Role], Client],
) -> None:
    team = TeamFactory()
    first, second = UserFactory(team=team), UserFactory(team=team)
    client_as(Role.ADMIN).post(
        reverse("conversations:inbox-settings"),
        {"default_team": team.pk, "auto_assign_teams": [team.pk], "save_routing": "1"},
    )
    assert current_organisation().default_team == team
    assignees = [new_conversation().assignee for _ in range(3)]
    assert assignees == [first, second, first]


def test_saved_replies_are_written_and_removed_by_leads(
    client_as: Callable[[Role], Client],
) -> None:
    from careloop.conversations.models import SavedReply

    client = client_as(Role.CX_LEADER)
    client.post(
        reverse("conversations:saved-reply-new"),
        {"title": "Delay", "body": "Hi {{ customer.first_name }}, sorry for the wait."},
    )
    saved = SavedReply.objects.get(title="Delay")
    client.post(reverse("conversations:saved-reply-delete", args=[saved.pk]))
    assert not SavedReply.objects.exists()
