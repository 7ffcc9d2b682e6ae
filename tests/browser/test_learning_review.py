from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from careloop.actions.models import ActionItem
from careloop.core.permissions import Role
from careloop.learning.models import LearningReview, ReviewStatus
from tests.browser.test_sign_in import sign_in
from tests.people.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)

BLAMING = "Tom forgot to check the refund, he should have been more careful."
REFRAMED = (
    "A second refund was sent: the refund tool showed no earlier refund on the order, "
    "so sending one looked right at the time."
)


def test_a_review_is_flagged_for_blame_reframed_published_and_feeds_the_ledger(
    page: Page, live_server: LiveServer, artifacts_dir: Path
) -> None:
    lead = UserFactory(role=Role.TEAM_LEAD, email="lead@example.test", full_name="Lena Lead")
    sign_in(page, live_server, lead.email, TEST_PASSWORD)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Learning reviews").click()
    page.get_by_role("button", name="Start a learning review").click()
    page.get_by_label("Title").fill("Refund sent twice")
    page.get_by_label("Type").select_option("mistake")
    page.get_by_label("Summary").fill(BLAMING)
    coach = page.get_by_role("region", name="Blame-language coach")
    expect(coach.get_by_test_id("blame-flag").first).to_contain_text("Tom forgot")
    expect(coach).to_contain_text("should have")
    page.get_by_label("Category").first.select_option("tooling")
    page.get_by_label("Description").first.fill("The refund tool does not show earlier refunds.")
    page.screenshot(path=str(artifacts_dir / "learning-review-flagged.png"), full_page=True)
    page.get_by_test_id("save-review").click()

    expect(page.get_by_role("status").first).to_contain_text("The blame coach flagged")
    page.get_by_test_id("publish").click()
    expect(page.get_by_role("status").first).to_contain_text("Not published")
    expect(page.get_by_test_id("review-status")).to_have_text("Draft")

    page.get_by_role("button", name="Edit").click()
    page.get_by_label("Summary").fill(REFRAMED)
    expect(coach.get_by_test_id("blame-clear")).to_be_visible()
    page.get_by_test_id("save-review").click()
    expect(page.get_by_text("No blame language found.")).to_be_visible()
    page.get_by_test_id("publish").click()
    expect(page.get_by_test_id("review-status")).to_have_text("Published")

    form = page.get_by_test_id("action-item-form")
    form.get_by_label("What we will change").fill("Warn about earlier refunds in the refund tool")
    form.get_by_role("button", name="Add to the action ledger").click()
    expect(page.get_by_test_id("action-item")).to_contain_text("Warn about earlier refunds")
    page.screenshot(path=str(artifacts_dir / "learning-review-published.png"), full_page=True)

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Actions").click()
    expect(page).to_have_url(re.compile(r"/actions/"))
    expect(page.get_by_text("Warn about earlier refunds in the refund tool")).to_be_visible()

    review = LearningReview.objects.get()
    assert review.status == ReviewStatus.PUBLISHED
    assert not review.acknowledgements.exists()
    item = ActionItem.objects.get()
    assert (item.source_kind, item.source_id, item.owner) == ("learning_review", review.pk, lead)
