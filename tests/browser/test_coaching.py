"""Coaching in Chromium: a trainee practises a scenario with feedback; a QA review is
disputed by the agent and resolved by a lead; a coach score the agent disputes is overturned
by their lead and becomes a correction for the next training."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import Browser, Page, expect
from pytest_django.live_server_helper import LiveServer

from careloop.coaching.models import Dispute, QAReview
from careloop.core.audit import audit_events_for
from careloop.core.permissions import Role
from tests.browser.test_sign_in import dashboard_url, sign_in
from tests.coaching.factories import (
    CARING,
    UPSET,
    give_reply_scores,
    rubric,
    scenario_with_turns,
    solved_conversation,
)
from tests.people.factories import TEST_PASSWORD, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_trainee_completes_a_scenario_with_feedback_after_each_turn(
    page: Page, live_server: LiveServer, artifacts_dir: Path
) -> None:
    trainee = UserFactory(role=Role.AGENT, email="trainee@example.test")
    scenario_with_turns(2, title="Smashed parcel, second time")

    sign_in(page, live_server, trainee.email, TEST_PASSWORD)
    expect(page).to_have_url(dashboard_url(live_server))
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Coaching").click()
    page.get_by_role("link", name="Smashed parcel, second time").click()
    page.get_by_role("button", name="Start practice").click()

    page.get_by_label("Your reply").fill("Per our policy we cannot replace opened items.")
    page.get_by_role("button", name="Reply").click()
    feedback = page.get_by_test_id("practice-feedback").first
    expect(feedback).to_contain_text("Suggestion")
    expect(feedback.get_by_test_id("coach")).to_be_visible()
    expect(page.get_by_test_id("model-answer").first).to_contain_text("I'm so sorry")
    expect(page.get_by_test_id("current-turn")).to_contain_text("turn 2 of 2")

    page.get_by_label("Your reply").fill(CARING)
    page.get_by_role("button", name="Reply").click()
    expect(page.get_by_test_id("practice-complete")).to_be_visible()
    expect(page.get_by_test_id("exchange")).to_have_count(2)
    page.screenshot(path=str(artifacts_dir / "coaching-practice.png"), full_page=True)

    page.get_by_role("link", name="Your progress").click()
    expect(page.get_by_test_id("attempt-row")).to_have_count(1)


def test_a_qa_review_is_shared_disputed_by_the_agent_and_revised_by_the_lead(
    page: Page, browser: Browser, live_server: LiveServer, artifacts_dir: Path
) -> None:
    team = TeamFactory()
    lead = UserFactory(role=Role.TEAM_LEAD, team=team, email="lead@example.test")
    agent = UserFactory(
        role=Role.AGENT, team=team, email="agent@example.test", full_name="Sam Okafor"
    )
    conversation = solved_conversation(agent, subject="Smashed parcel")
    rubric(lead, critical=False)

    sign_in(page, live_server, lead.email, TEST_PASSWORD)
    expect(page).to_have_url(dashboard_url(live_server))
    page.goto(live_server.url + "/coaching/reviews/")
    page.get_by_role("button", name="Review a conversation").click()
    page.get_by_test_id(f"review-{conversation.pk}").click()
    criteria = page.get_by_test_id("criterion")
    expect(criteria).to_have_count(3)
    for name, value in (("Empathy", "3"), ("Clear next steps", "2"), ("Offered a follow-up", "1")):
        criteria.filter(has_text=name).get_by_label("Rating").select_option(value)
    page.get_by_label("One thing to grow").fill("Offer a follow-up when a delivery failed twice.")
    page.screenshot(path=str(artifacts_dir / "coaching-review-score.png"), full_page=True)
    page.get_by_role("button", name="Share with Sam Okafor").click()
    expect(page.locator("#review-status")).to_have_text("Shared with the agent")
    review = QAReview.objects.get()

    agent_context = browser.new_context()
    agent_page = agent_context.new_page()
    try:
        sign_in(agent_page, live_server, agent.email, TEST_PASSWORD)
        expect(agent_page).to_have_url(dashboard_url(live_server))
        agent_page.goto(live_server.url + "/coaching/reviews/")
        agent_page.get_by_test_id("review-row").get_by_role("link").click()
        agent_page.get_by_label("What did the review get wrong?").fill(
            "The customer said they did not want any follow-up contact."
        )
        agent_page.get_by_test_id("dispute").click()
        expect(agent_page.locator("#review-status")).to_have_text("Disputed")

        page.goto(live_server.url + "/coaching/reviews/")
        page.get_by_test_id("open-disputes").get_by_role("link").click()
        page.get_by_label("Revise the score").check()
        page.get_by_label("Revised score (0–100)").fill("72")
        page.get_by_label("Explanation to the agent").fill("Agreed: follow-up was N/A here.")
        page.get_by_test_id("resolve-dispute").click()
        expect(page.locator("#review-status")).to_have_text("Dispute resolved")
        expect(page.locator("#review-score")).to_have_text("72.0 / 100")

        agent_page.reload()
        history = agent_page.get_by_test_id("dispute-history")
        expect(history).to_contain_text("Score revised")
        expect(history).to_contain_text("Agreed: follow-up was N/A here.")
        agent_page.get_by_test_id("acknowledge").click()
        expect(agent_page.locator("#review-status")).to_have_text("Acknowledged")
        agent_page.screenshot(path=str(artifacts_dir / "coaching-dispute.png"), full_page=True)
    finally:
        agent_context.close()

    dispute = Dispute.objects.get()
    assert (dispute.outcome, dispute.score_after) == ("revised", 72.0)
    assert audit_events_for(review).filter(action="coaching.qa_dispute_resolved").exists()


def test_an_agent_disputes_the_coachs_score_the_lead_overturns_it_and_training_gets_it(
    page: Page, browser: Browser, live_server: LiveServer, tmp_path: Path
) -> None:
    team = TeamFactory()
    lead = UserFactory(role=Role.TEAM_LEAD, team=team, email="lead@example.test")
    agent = UserFactory(role=Role.AGENT, team=team, email="agent@example.test")
    conversation = solved_conversation(agent, subject="Smashed parcel")
    # The coach missed the question at the end of the reply.
    give_reply_scores(conversation, explorations=0)

    sign_in(page, live_server, agent.email, TEST_PASSWORD)
    expect(page).to_have_url(dashboard_url(live_server))
    page.goto(f"{live_server.url}/inbox/{conversation.pk}/")
    page.get_by_text("Coach's score").click()
    page.get_by_label("Mechanism").select_option("explorations")
    page.get_by_label("It should be").select_option("2")
    page.get_by_label("Why (optional)").fill("I asked whether a call tomorrow would help.")
    page.get_by_role("button", name="This score is wrong").click()
    expect(page.get_by_role("status").first).to_contain_text("your view is stored")

    lead_context = browser.new_context()
    lead_page = lead_context.new_page()
    try:
        sign_in(lead_page, live_server, lead.email, TEST_PASSWORD)
        expect(lead_page).to_have_url(dashboard_url(live_server))
        lead_page.goto(live_server.url + "/coaching/score-disputes/")
        dispute = lead_page.get_by_test_id("score-dispute")
        expect(dispute).to_contain_text("the coach said 0 (none), the agent says 2 (strong)")
        expect(dispute).to_contain_text("I asked whether a call tomorrow would help.")
        dispute.get_by_role("button", name="Overturn: the agent is right").click()
        expect(lead_page.get_by_role("status").first).to_contain_text(
            "the next training of the coach learns from it"
        )
        expect(lead_page.get_by_test_id("no-score-disputes")).to_be_visible()
    finally:
        lead_context.close()

    exported = tmp_path / "corrections.jsonl"
    call_command("empathy", "export-corrections", str(exported), stdout=io.StringIO())
    [correction] = [json.loads(line) for line in exported.read_text().splitlines()]
    assert correction["reply_text"] == CARING
    assert correction["customer_text"] == UPSET
    assert (correction["mechanism"], correction["level"]) == ("explorations", 2)
