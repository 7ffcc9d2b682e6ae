"""An initiative in Chromium: a CX leader promotes a learning review's action item, reads its
effect (pre-trend check, interval, money) and downloads the board's PDF."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pypdf import PdfReader
from pytest_django.live_server_helper import LiveServer

from careloop.actions.models import ActionItem
from careloop.core.permissions import Role
from tests.actions.factories import ActionItemFactory
from tests.browser.test_sign_in import dashboard_url, sign_in
from tests.initiatives.rollups import csat_history
from tests.learning.factories import LearningReviewFactory
from tests.people.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_cx_leader_turns_a_review_action_into_an_initiative_and_downloads_its_report(
    page: Page, live_server: LiveServer, artifacts_dir: Path
) -> None:
    teams, start = csat_history({"Frontline Europe": 12.0})
    europe = teams["Frontline Europe"]
    leader = UserFactory(role=Role.CX_LEADER, email="cx@example.test")
    agent = UserFactory(role=Role.AGENT, team=europe)
    review = LearningReviewFactory(
        title="Refund sent twice", facilitator=leader, team=europe, status="published",
        visibility="organisation",
    )  # fmt: skip
    ActionItemFactory(
        title="Empathy training for Europe", owner=agent, kind="training", created_by=leader,
        source_kind=ActionItem.SourceKind.LEARNING_REVIEW, source_id=review.pk,
        source_label=review.title,
    )  # fmt: skip

    sign_in(page, live_server, leader.email, TEST_PASSWORD)
    expect(page).to_have_url(dashboard_url(live_server))
    page.goto(f"{live_server.url}/learning/{review.pk}/")
    page.get_by_role("link", name="Empathy training for Europe").click()
    page.get_by_role("link", name="Promote to an initiative").click()
    expect(page.get_by_text("Promoted from Action item: Empathy training")).to_be_visible()
    expect(page.get_by_label("Frontline Europe")).to_be_checked()
    page.get_by_label("Start").fill(start.isoformat())
    page.get_by_label("Cost (money)").fill("2000")
    page.get_by_label("Cost (hours)").fill("40")
    page.get_by_label("CSAT (customer)").check()
    page.get_by_label("First-contact resolution (customer)").check()
    page.get_by_role("button", name="Create initiative").click()

    expect(page.get_by_role("heading", name="Empathy training for Europe")).to_be_visible()
    csat = page.locator("#effect-csat")
    expect(csat.get_by_role("heading", name="Pre-trend check")).to_be_visible()
    expect(csat.locator(".effect-reading")).to_contain_text("95 % interval")
    expect(csat.locator(".effect-reading")).to_contain_text("improved")
    expect(csat.locator("svg")).to_have_count(2)
    money = page.locator("#effect-first_contact_resolution .money")
    expect(money).to_contain_text("Estimated return")
    page.screenshot(path=str(artifacts_dir / "initiative-effect.png"), full_page=True)

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the PDF report").click()
    body = Path(download_info.value.path()).read_bytes()
    reader = PdfReader(io.BytesIO(body))
    text = "\n".join(page_.extract_text() for page_ in reader.pages)
    assert len(reader.pages) >= 1
    for heading in ("Empathy training for Europe", "Effect on CSAT", "Pre-trend check", "Money"):
        assert heading in text
