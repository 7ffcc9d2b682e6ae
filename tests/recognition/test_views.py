from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from careloop.core.permissions import Role
from careloop.recognition.models import StoryStatus
from tests.people.factories import UserFactory
from tests.recognition.factories import SuccessStoryFactory, conversation_with_reply, customer_says

pytestmark = pytest.mark.django_db


def test_a_story_waiting_for_consent_is_seen_only_by_its_agent(client: Client) -> None:
    story = SuccessStoryFactory()
    url = reverse("recognition:story", args=[story.pk])
    client.force_login(UserFactory(role=Role.CX_LEADER))
    assert client.get(url).status_code == 404
    client.force_login(story.agent)
    assert "Yes, share it" in client.get(url).content.decode()
    home = client.get(reverse("recognition:home")).content.decode()
    assert story.title in home and "Waiting for your consent" in home


def test_the_agent_consents_and_the_story_appears_in_everyones_feed(client: Client) -> None:
    story = SuccessStoryFactory()
    client.force_login(story.agent)
    client.post(reverse("recognition:story-consent", args=[story.pk]))
    story.refresh_from_db()
    assert story.status == StoryStatus.SHARED
    client.force_login(UserFactory(role=Role.PEOPLE_PARTNER))
    feed = client.get(reverse("recognition:home")).content.decode()
    assert story.title in feed and story.customer_words in feed


def test_someone_else_cannot_consent_for_the_agent(client: Client) -> None:
    story = SuccessStoryFactory()
    client.force_login(UserFactory())
    response = client.post(reverse("recognition:story-consent", args=[story.pk]))
    assert response.status_code == 404
    story.refresh_from_db()
    assert story.status == StoryStatus.AWAITING_CONSENT


def test_the_customers_words_are_shown_verbatim_and_escaped(client: Client) -> None:
    story = SuccessStoryFactory(
        status=StoryStatus.SHARED, customer_words="Thanks <b>so</b> much & more!"
    )
    client.force_login(UserFactory())
    page = client.get(reverse("recognition:story", args=[story.pk])).content.decode()
    assert "Thanks &lt;b&gt;so&lt;/b&gt; much &amp; more!" in page


def test_kudos_are_given_through_the_form(client: Client) -> None:
    from careloop.people.models import Value
    from careloop.people.selectors import current_organisation

    value = Value.objects.create(organisation=current_organisation(), name="Listen first")
    giver, receiver = UserFactory(), UserFactory(full_name="Rosa Diaz")
    client.force_login(giver)
    response = client.post(
        reverse("recognition:kudos-new"),
        {"receiver": receiver.pk, "value": value.pk, "message": "You calmed a furious caller."},
        follow=True,
    )
    page = response.content.decode()
    assert "Kudos sent to Rosa Diaz" in page and "You calmed a furious caller." in page


def test_a_lead_proposes_a_story_from_the_conversation(client: Client) -> None:
    agent, lead = UserFactory(), UserFactory(role=Role.TEAM_LEAD)
    conversation = conversation_with_reply(agent)
    words = customer_says(conversation, "That was above and beyond, thank you.")
    client.force_login(lead)
    response = client.post(
        reverse("recognition:story-propose", args=[conversation.pk]),
        {"agent": agent.pk, "evidence_message": words.pk, "title": "Above and beyond"},
    )
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    assert "That was above and beyond, thank you." in page
    assert f"Ask {agent.first_name} for consent" in page
