from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from careloop.conversations.models import Channel, Conversation
from careloop.conversations.services.conversations import receive_customer_message
from careloop.conversations.services.tags import set_tags
from careloop.core.audit import AuditEvent
from careloop.core.permissions import Role
from careloop.insights import services
from careloop.insights.journey import journey_map
from careloop.insights.models import JourneyStage, Touchpoint
from tests.conversations.factories import CustomerFactory
from tests.people.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def _tagged(tag: str, distress: float, channel: Channel = Channel.EMAIL) -> Conversation:
    conversation = receive_customer_message(
        CustomerFactory(), channel=channel, body_text="Where is my parcel?"
    ).conversation
    set_tags(conversation, [tag], actor=None)
    Conversation.objects.filter(pk=conversation.pk).update(distress=distress)
    return conversation


def test_a_touchpoint_gathers_its_tagged_conversations_and_flags_pain() -> None:
    lead = UserFactory(role=Role.TEAM_LEAD)
    stage = services.add_stage(name="Delivery", description="", by=lead)
    touchpoint = services.save_touchpoint(
        stage=stage,
        name="Parcel tracking",
        description="",
        tag_names=["late-parcel"],
        channel="",
        by=lead,
    )
    _tagged("late-parcel", 0.8)
    _tagged("late-parcel", 0.6, Channel.CHAT)
    _tagged("invoice", 0.1)
    [(shown_stage, [reading])] = journey_map()
    assert shown_stage == stage and reading.touchpoint == touchpoint
    assert (reading.conversations, reading.distress, reading.is_pain_point) == (2, 0.7, True)
    # A channel narrows the touchpoint to that channel's conversations.
    services.save_touchpoint(
        stage=stage,
        name="Parcel tracking",
        description="",
        tag_names=["late-parcel"],
        channel="chat",
        by=lead,
        touchpoint=touchpoint,
    )
    [(_, [reading])] = journey_map()
    assert reading.conversations == 1
    assert AuditEvent.objects.filter(action="insights.touchpoint_saved").count() == 2


def test_leads_edit_the_journey_and_people_partners_only_read_it(client: Client) -> None:
    lead = UserFactory(role=Role.TEAM_LEAD)
    client.login(email=lead.email, password=TEST_PASSWORD)
    client.post(reverse("insights:journey"), {"name": "Buying", "description": "Checkout"})
    stage = JourneyStage.objects.get()
    client.post(
        reverse("insights:journey-stage", args=[stage.pk]),
        {
            "add_touchpoint": "1",
            "touchpoint-name": "Checkout page",
            "touchpoint-tags": "Payment failed, checkout",
            "touchpoint-channel": "",
        },
    )
    touchpoint = Touchpoint.objects.get()
    assert sorted(tag.name for tag in touchpoint.tags.all()) == ["checkout", "payment-failed"]
    page = client.get(reverse("insights:journey")).content.decode()
    assert "Checkout page" in page and "Edit touchpoint" in page

    partner = UserFactory(role=Role.PEOPLE_PARTNER)
    client.login(email=partner.email, password=TEST_PASSWORD)
    page = client.get(reverse("insights:journey")).content.decode()
    assert "Checkout page" in page and "Edit touchpoint" not in page
    assert client.post(reverse("insights:journey"), {"name": "Sneaky"}).status_code == 403
    assert (
        client.get(reverse("insights:journey-touchpoint", args=[touchpoint.pk])).status_code == 403
    )

    client.login(email=lead.email, password=TEST_PASSWORD)
    client.post(reverse("insights:journey-touchpoint", args=[touchpoint.pk]), {"remove": "1"})
    assert not Touchpoint.objects.exists()


@pytest.mark.parametrize("role", [Role.PEOPLE_PARTNER, Role.TEAM_LEAD, Role.CX_LEADER])
def test_every_link_on_the_journey_map_opens_for_its_viewer(client: Client, role: Role) -> None:
    lead = UserFactory(role=Role.TEAM_LEAD)
    stage = services.add_stage(name="Delivery", description="", by=lead)
    services.save_touchpoint(
        stage=stage,
        name="Parcel tracking",
        description="",
        tag_names=["late-parcel"],
        channel="",
        by=lead,
    )
    upset = _tagged("late-parcel", 0.9)
    client.force_login(UserFactory(role=role))

    page = client.get(reverse("insights:journey")).content.decode()

    assert f"#{upset.pk} " in page
    links = set(re.findall(r'href="(/[^"#?]*)"', page)) - {"/accounts/logout/"}
    assert links
    closed = {link: client.get(link).status_code for link in links}
    assert {link: status for link, status in closed.items() if status != 200} == {}
