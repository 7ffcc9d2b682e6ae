"""Monthly highlights weigh empathy and outcomes; there is no popularity leaderboard."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from careloop.conversations.models import Message, Status
from careloop.conversations.services.conversations import change_status
from careloop.core import calendar
from careloop.people.models import Value
from careloop.people.selectors import current_organisation
from careloop.recognition import selectors, services
from tests.people.factories import UserFactory
from tests.recognition.factories import conversation_with_reply, customer_says

pytestmark = pytest.mark.django_db


def test_a_quiet_agent_who_turned_a_customer_round_outranks_a_popular_one() -> None:
    value = Value.objects.create(organisation=current_organisation(), name="Listen first")
    popular, quiet = UserFactory(full_name="Popular Person"), UserFactory(full_name="Quiet One")
    for _ in range(10):
        services.give_kudos(giver=UserFactory(), receiver=popular, value=value, message="Great!")
    conversation = conversation_with_reply(quiet)
    Message.objects.filter(author=quiet).update(reply_score={"empathy": 0.9})
    change_status(conversation, Status.SOLVED, quiet)
    story = services.suggest_from_message(customer_says(conversation, "Thank you, perfect!"))
    assert story is not None
    services.consent_to_story(story, by=quiet)

    highlights = selectors.monthly_highlights(calendar.this_month())

    assert [highlight.person for highlight in highlights] == [quiet, popular]
    assert "warm, empathetic replies" in highlights[0].reasons


def test_recognition_pages_show_no_ranking_or_count_of_kudos(client: Client) -> None:
    value = Value.objects.create(organisation=current_organisation(), name="Own the outcome")
    popular = UserFactory(full_name="Popular Person")
    for _ in range(7):
        services.give_kudos(giver=UserFactory(), receiver=popular, value=value, message="Thanks!")
    client.force_login(UserFactory())
    page = client.get(reverse("recognition:home")).content.decode()
    assert page.count("Popular Person") <= 8  # one highlight plus the seven feed entries
    for ranking_words in (r"leaderboard", r"\brank", r"\b7 kudos", r"\btop \d"):
        assert not re.search(ranking_words, page, re.IGNORECASE)
    assert not any("leaderboard" in name or "ranking" in name for name in dir(selectors))
