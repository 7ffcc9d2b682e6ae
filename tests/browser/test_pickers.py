"""A facilitator fills a learning review's people and conversations by typing, not scrolling."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from careloop.core.permissions import Role
from careloop.learning.models import LearningReview, ParticipantRole
from tests.browser.pickers import pick
from tests.browser.test_sign_in import sign_in
from tests.conversations.factories import ConversationFactory
from tests.people.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_people_and_conversations_are_chosen_by_typing_and_removed_as_chips(
    page: Page, live_server: LiveServer
) -> None:
    lead = UserFactory(role=Role.TEAM_LEAD, email="lead@example.test")
    tom = UserFactory(full_name="Tom Torres")
    UserFactory(full_name="Tina Tran")
    rita = UserFactory(full_name="Rita Reyes")
    ConversationFactory.create_batch(30, subject="Order arrived late")
    refund = ConversationFactory(subject="Refund sent twice")

    sign_in(page, live_server, lead.email, TEST_PASSWORD)
    page.goto(f"{live_server.url}/learning/new/")
    page.get_by_label("Title").fill("Refund sent twice")
    page.get_by_label("Type").select_option("mistake")
    page.get_by_label("Summary").fill("The refund tool did not show the earlier refund.")
    pick(page, "People involved", "Tom", "Tom Torres")
    participants = pick(page, "People involved", "Tina", "Tina Tran")
    participants.get_by_role("button", name="Remove Tina Tran").click()
    expect(participants.locator(".picker-chip")).to_have_count(1)
    pick(page, "Reviewers", "rita", "Rita Reyes")
    conversations = page.get_by_label("Linked conversations", exact=True)
    conversations.fill("order")
    expect(page.locator("#id_conversations-results [data-picker-option]")).to_have_count(20)
    pick(page, "Linked conversations", f"#{refund.pk}", "Refund sent twice")
    page.get_by_test_id("save-review").click()
    expect(page).to_have_url(re.compile(r"/learning/\d+/$"))

    review = LearningReview.objects.get()
    people = {(p.person_id, p.role) for p in review.participants.exclude(person=lead)}
    assert people == {(tom.pk, ParticipantRole.INVOLVED), (rita.pk, ParticipantRole.REVIEWER)}
    assert list(review.conversations.all()) == [refund]
