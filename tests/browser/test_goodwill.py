"""Goodwill in Chromium: gestures within the allowance need nobody; above it, a lead decides."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from careloop.care import outcomes
from careloop.care.models import Booking, Gesture, GestureStatus
from careloop.conversations.models import Channel
from careloop.conversations.services.conversations import receive_customer_message
from careloop.core.permissions import Role
from tests.browser.test_sign_in import dashboard_url, sign_in
from tests.conversations.factories import CustomerFactory
from tests.people.factories import TEST_PASSWORD, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def csat_after_gestures() -> Iterator[dict[int, outcomes.SurveyScore]]:
    """Follow-up CSAT per conversation, recorded through the survey-score hook."""
    recorded: dict[int, outcomes.SurveyScore] = {}

    def source(conversation_ids: Sequence[int]) -> dict[int, outcomes.SurveyScore]:
        return {pk: score for pk, score in recorded.items() if pk in conversation_ids}

    outcomes.register_survey_score_source(source)
    yield recorded
    outcomes.unregister_survey_score_source(source)


def grant_from_conversation(page: Page, live_server: LiveServer, conversation_pk: int) -> None:
    page.goto(f"{live_server.url}/inbox/{conversation_pk}/")
    page.get_by_test_id("goodwill-panel").get_by_role("button", name="Grant a gesture").click()


def test_swap_and_credit_need_no_approval_a_large_refund_goes_to_a_lead_and_outcomes_show_csat(
    page: Page,
    browser: Browser,
    live_server: LiveServer,
    artifacts_dir: Path,
    csat_after_gestures: dict[int, outcomes.SurveyScore],
) -> None:
    team = TeamFactory(name="Front desk", slug="front-desk")
    agent = UserFactory(role=Role.AGENT, team=team, email="agent@example.test")
    lead = UserFactory(role=Role.TEAM_LEAD, team=team, email="lead@example.test")
    conversation = receive_customer_message(
        CustomerFactory(full_name="Maya Rossi"),
        channel=Channel.EMAIL,
        subject="Wrong ice cream flavour",
        body_text="I asked for pistachio and got vanilla.",
    ).conversation
    conversation.team = team
    conversation.save(update_fields=["team"])

    sign_in(page, live_server, agent.email, TEST_PASSWORD)
    expect(page).to_have_url(dashboard_url(live_server))
    page.goto(f"{live_server.url}/inbox/{conversation.pk}/")
    expect(page.get_by_test_id("goodwill-panel")).to_contain_text("Up to 2000.00 EUR")

    grant_from_conversation(page, live_server, conversation.pk)
    page.get_by_label("Gesture").select_option("swap")
    page.get_by_label("Reason").fill("Wrong flavour scooped")
    page.get_by_label("Item returned (swaps)").fill("Vanilla scoop")
    page.get_by_label("Item given instead (swaps)").fill("Pistachio scoop")
    page.get_by_test_id("grant").click()
    expect(page.get_by_text("Like-for-like swap granted. No approval needed.")).to_be_visible()
    expect(page.locator("#gesture-status")).to_have_text("Granted within allowance")

    grant_from_conversation(page, live_server, conversation.pk)
    page.get_by_label("Gesture").select_option("credit")
    page.get_by_label("Amount").fill("40.00")
    page.get_by_label("Reason").fill("Waited twenty minutes")
    page.get_by_test_id("grant").click()
    expect(page.get_by_text("Credit granted. No approval needed.")).to_be_visible()

    grant_from_conversation(page, live_server, conversation.pk)
    page.get_by_label("Gesture").select_option("refund")
    page.get_by_label("Amount").fill("2500.00")
    page.screenshot(path=str(artifacts_dir / "goodwill-grant.png"), full_page=True)
    page.get_by_label("Reason").fill("Allergic reaction, hospital visit")
    page.get_by_test_id("grant").click()
    expect(page.get_by_text("is above the allowance: sent to a lead")).to_be_visible()
    expect(page.locator("#gesture-status")).to_have_text("Waiting for a lead")

    swap, credit, refund = Gesture.objects.order_by("pk")
    assert (swap.status, swap.booking, swap.cost) == (GestureStatus.GRANTED, Booking.SWAP, 0)
    assert credit.status == GestureStatus.GRANTED
    assert refund.status == GestureStatus.PENDING

    lead_context = browser.new_context()
    lead_page = lead_context.new_page()
    try:
        sign_in(lead_page, live_server, lead.email, TEST_PASSWORD)
        expect(lead_page).to_have_url(dashboard_url(live_server))
        lead_page.goto(live_server.url + "/care/approvals/")
        request = lead_page.get_by_test_id("request")
        expect(request).to_contain_text("Allergic reaction, hospital visit")
        lead_page.screenshot(path=str(artifacts_dir / "goodwill-approvals.png"), full_page=True)
        request.get_by_label("Reason (shown to the agent)").fill("Right call, thank you")
        request.get_by_role("button", name="Approve").click()
        expect(lead_page.get_by_text("Approved: Refund for Maya Rossi.")).to_be_visible()
        expect(lead_page.get_by_text("Nothing is waiting for you.")).to_be_visible()

        csat_after_gestures[conversation.pk] = outcomes.SurveyScore(csat=5, nps=10)
        lead_page.get_by_role("link", name="Outcomes").click()
        rows = lead_page.get_by_test_id("outcome-gesture")
        expect(rows).to_have_count(3)
        for kind in ("Like-for-like swap", "Credit", "Refund"):
            row = rows.filter(has_text=kind)
            expect(row).to_contain_text("Front desk")
            expect(row.locator("td").nth(3)).to_have_text("5")
        expect(lead_page.get_by_test_id("outcome-rows")).to_contain_text("Like-for-like swap")
        lead_page.screenshot(path=str(artifacts_dir / "goodwill-outcomes.png"), full_page=True)
    finally:
        lead_context.close()

    page.goto(live_server.url + "/care/")
    expect(page.get_by_test_id("my-requests")).to_contain_text("Right call, thank you")
    page.screenshot(path=str(artifacts_dir / "goodwill-home.png"), full_page=True)
    page.goto(f"{live_server.url}/inbox/{conversation.pk}/")
    expect(page.get_by_test_id("goodwill-panel")).to_contain_text("Refund 2500.00 EUR")
    page.get_by_test_id("goodwill-panel").screenshot(path=str(artifacts_dir / "goodwill-panel.png"))
    assert Gesture.objects.get(pk=refund.pk).status == GestureStatus.APPROVED
