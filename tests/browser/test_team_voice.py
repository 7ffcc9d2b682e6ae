"""Team voice in Chromium: a pulse survey end to end, an answered idea and a 360° request."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from pytest_django.live_server_helper import LiveServer

from careloop.core.permissions import Role
from careloop.pulse.models import FeedbackRequest, Response, Survey
from careloop.pulse.services import feedback360
from tests.browser.pickers import pick
from tests.browser.test_sign_in import sign_in
from tests.people.factories import TEST_PASSWORD, UserFactory
from tests.pulse.factories import answer_all, team_of

pytestmark = pytest.mark.django_db(transaction=True)

STRENGTH = {
    "strength_situation": "The Monday refund backlog.",
    "strength_behaviour": "You paired with each new starter for an hour.",
    "strength_impact": "They now handle refunds on their own.",
}


def _sign_out(page: Page) -> None:
    page.get_by_test_id("logout").click()
    expect(page.locator("input[name=login]")).to_be_visible()


def _team_voice(page: Page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Team voice").click()


def test_a_survey_answered_by_six_shows_that_team_and_hides_the_team_of_four(
    page: Page, live_server: LiveServer, artifacts_dir: Path
) -> None:
    _alpha, alpha_people = team_of(6, "Alpha")
    _beta, beta_people = team_of(4, "Beta")
    _gamma, gamma_people = team_of(5, "Gamma")
    partner = UserFactory(role=Role.PEOPLE_PARTNER, team=None, email="pp@example.test")

    sign_in(page, live_server, partner.email, TEST_PASSWORD)
    _team_voice(page)
    page.get_by_role("link", name="Run surveys").click()
    page.get_by_role("button", name="New survey").click()
    page.get_by_label("Title").fill("November pulse")
    for team in ("Alpha", "Beta", "Gamma"):
        page.get_by_label(team, exact=True).check()
    page.get_by_test_id("save-survey").click()
    page.get_by_test_id("launch").click()
    expect(page.get_by_test_id("survey-status")).to_have_text("Live")
    expect(page.get_by_test_id("participation")).to_contain_text("0 of 15")
    _sign_out(page)

    pulse_round = Survey.objects.get().rounds.get()
    for person in alpha_people[:5] + beta_people + gamma_people:
        answer_all(pulse_round, person, agreement=5, enps=8)

    sign_in(page, live_server, alpha_people[5].email, TEST_PASSWORD)
    _team_voice(page)
    page.get_by_role("button", name="Answer November pulse").click()
    expect(page.get_by_test_id("privacy-mode")).to_contain_text("Anonymous, reported by team")
    expect(page.get_by_test_id("privacy-mode")).to_contain_text("at least 5 answers")
    for _index, group in enumerate(page.locator("fieldset").all()):
        radios = group.locator("input[type=radio]")
        radios.nth(9 if radios.count() == 11 else 5).check()
    page.get_by_label("Anything else you want us to know?").fill("More time for training.")
    page.screenshot(path=str(artifacts_dir / "pulse-answer.png"), full_page=True)
    page.get_by_test_id("submit-answers").click()
    expect(page.get_by_role("status").first).to_contain_text("stored without your name")
    assert Response.objects.count() == 15
    _sign_out(page)

    sign_in(page, live_server, partner.email, TEST_PASSWORD)
    _team_voice(page)
    page.get_by_role("link", name="Run surveys").click()
    page.get_by_role("link", name="November pulse").click()
    expect(page.get_by_test_id("participation")).to_contain_text("15 of 15")
    page.get_by_test_id("close-round").click()
    page.get_by_role("button", name="Results").click()
    page.get_by_label("Group").select_option(label="Alpha")
    page.get_by_role("button", name="Show").click()
    result = page.get_by_test_id("group-result")
    expect(result.get_by_role("heading", name="Alpha")).to_be_visible()
    expect(page.get_by_test_id("result-answers")).to_contain_text("6 answers")
    expect(page.get_by_test_id("psych-safety")).to_be_visible()
    withheld = page.get_by_test_id("withheld")
    expect(withheld.filter(has_text="Beta")).to_contain_text("Fewer than 5 answers")
    expect(page.get_by_label("Group").locator("option")).to_have_text(
        ["Whole organisation", "Alpha"]
    )
    page.screenshot(path=str(artifacts_dir / "pulse-results.png"), full_page=True)

    page.get_by_role("checkbox", name="Beta", exact=True).check()
    page.get_by_role("checkbox", name="Alpha", exact=True).check()
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_test_id("filter-refused")).to_be_visible()
    expect(page.get_by_test_id("group-result")).to_have_count(0)


def test_an_anonymous_idea_is_answered_and_the_submitter_reads_the_answer(
    page: Page, live_server: LiveServer
) -> None:
    agent = UserFactory(role=Role.AGENT, email="agent@example.test")
    lead = UserFactory(role=Role.TEAM_LEAD, team=agent.team, email="lead@example.test")

    sign_in(page, live_server, agent.email, TEST_PASSWORD)
    _team_voice(page)
    page.get_by_role("link", name="Idea box").click()
    page.get_by_role("button", name="Share an idea").click()
    page.get_by_label("Title").fill("A quiet hour")
    page.get_by_label("Your idea").fill("One hour each morning without chat, to clear emails.")
    page.get_by_label("Send anonymously").check()
    page.get_by_test_id("send-idea").click()
    code = page.get_by_test_id("follow-up-code").inner_text()
    assert code
    _sign_out(page)

    sign_in(page, live_server, lead.email, TEST_PASSWORD)
    _team_voice(page)
    page.get_by_role("link", name="Idea box").click()
    page.get_by_role("link", name="A quiet hour").click()
    page.get_by_role("combobox", name="Answer").select_option("trying")
    page.get_by_label("Why").fill("We will try it on Tuesdays and Thursdays for a month.")
    page.get_by_test_id("send-answer").click()
    expect(page.get_by_test_id("idea-status")).to_have_text("Trying it")
    _sign_out(page)

    sign_in(page, live_server, agent.email, TEST_PASSWORD)
    _team_voice(page)
    page.get_by_role("link", name="Read the answer to an anonymous idea").click()
    page.get_by_label("Your follow-up code").fill(code)
    page.get_by_test_id("open-idea").click()
    expect(page.get_by_test_id("idea-status")).to_contain_text("Trying it")
    expect(page.get_by_test_id("idea-response")).to_contain_text("Tuesdays and Thursdays")


def test_a_360_request_answered_by_three_peers_shows_the_aggregate(
    page: Page, live_server: LiveServer, artifacts_dir: Path
) -> None:
    team, peers = team_of(3, "Peers")
    person = UserFactory(team=team, full_name="Robin Asker", email="robin@example.test")

    sign_in(page, live_server, person.email, TEST_PASSWORD)
    _team_voice(page)
    page.get_by_role("link", name="360° feedback").click()
    page.get_by_role("button", name="Ask for feedback").click()
    for peer in peers:
        pick(page, "Whom to ask", peer.full_name)
    page.get_by_label("What would you like feedback on?").fill("How I support new starters")
    page.get_by_test_id("send-request").click()
    expect(page.get_by_test_id("group-count-peer")).to_contain_text("0 of 3 answered")
    expect(page.get_by_test_id("group-hidden")).to_be_visible()
    _sign_out(page)

    request = FeedbackRequest.objects.get()
    for peer in peers[:2]:
        feedback360.answer_feedback(request, peer, feedback360.FeedbackAnswerDraft(**STRENGTH))

    sign_in(page, live_server, peers[2].email, TEST_PASSWORD)
    _team_voice(page)
    page.get_by_role("link", name="360° feedback").click()
    page.get_by_role("link", name="Feedback for Robin Asker").click()
    strength = page.get_by_role("group", name="A strength: a moment that worked")
    strength.get_by_label("Situation").fill("A furious customer on chat.")
    strength.get_by_label("Behaviour").fill("You acknowledged the delay before explaining.")
    strength.get_by_label("Impact").fill("The customer calmed down and thanked us.")
    page.get_by_test_id("send-feedback").click()
    expect(page.get_by_role("status").first).to_contain_text("Your feedback is in")
    _sign_out(page)

    sign_in(page, live_server, person.email, TEST_PASSWORD)
    _team_voice(page)
    page.get_by_role("link", name="360° feedback").click()
    page.get_by_role("link", name="How I support new starters").click()
    expect(page.get_by_test_id("group-count-peer")).to_contain_text("3 of 3 answered")
    expect(page.get_by_test_id("strength")).to_have_count(3)
    expect(page.get_by_text("You acknowledged the delay before explaining.")).to_be_visible()
    page.screenshot(path=str(artifacts_dir / "pulse-360.png"), full_page=True)
