"""A disputed coach score goes to the agent's lead, who confirms or overturns it; overturned
scores are the corrections `careloop empathy train` learns from."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from careloop.coaching import selectors
from careloop.coaching.models import ScoreDisputeVerdict
from careloop.coaching.services.score_disputes import (
    mark_corrections_learned,
    review_score_dispute,
)
from careloop.core.permissions import Role
from tests.coaching.factories import CARING, UPSET, score_dispute
from tests.people.factories import TEST_PASSWORD, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def team_of_two() -> tuple[object, object]:
    team = TeamFactory()
    lead = UserFactory(role=Role.TEAM_LEAD, team=team)
    agent = UserFactory(role=Role.AGENT, team=team)
    return lead, agent


def test_a_dispute_waits_for_the_agents_lead_only(team_of_two: tuple) -> None:
    lead, agent = team_of_two
    dispute = score_dispute(agent)
    other_lead = UserFactory(role=Role.TEAM_LEAD, team=TeamFactory())
    cx_leader = UserFactory(role=Role.CX_LEADER)

    assert list(selectors.score_disputes_to_review(lead)) == [dispute]
    assert not selectors.score_disputes_to_review(other_lead).exists()
    assert not selectors.score_disputes_to_review(agent).exists()
    # Reply scores are the agent's and their coach's alone: CX leadership doesn't see them.
    assert not selectors.score_disputes_to_review(cx_leader).exists()


def test_the_lead_overturns_and_the_correction_is_ready_for_training(team_of_two: tuple) -> None:
    lead, agent = team_of_two
    dispute = score_dispute(agent)

    verdict = review_score_dispute(dispute, by=lead, outcome="overturned", note="It asks.")

    assert verdict.outcome == ScoreDisputeVerdict.Outcome.OVERTURNED
    assert not selectors.score_disputes_to_review(lead).exists()
    [correction] = selectors.score_corrections()
    assert correction.customer_text == UPSET
    assert correction.reply_text == CARING
    assert (correction.mechanism, correction.model_level, correction.level) == (
        "explorations",
        0,
        2,
    )
    assert correction.learned_by_model == ""


def test_a_confirmed_score_teaches_nothing(team_of_two: tuple) -> None:
    lead, agent = team_of_two
    review_score_dispute(score_dispute(agent), by=lead, outcome="confirmed")

    assert selectors.score_corrections() == []


def test_nobody_reviews_their_own_dispute_or_another_teams() -> None:
    team = TeamFactory()
    lead = UserFactory(role=Role.TEAM_LEAD, team=team)
    own = score_dispute(lead)
    other_lead = UserFactory(role=Role.TEAM_LEAD, team=TeamFactory())
    agents_dispute = score_dispute(UserFactory(role=Role.AGENT, team=team))

    with pytest.raises(PermissionDenied):
        review_score_dispute(own, by=lead, outcome="overturned")
    with pytest.raises(PermissionDenied):
        review_score_dispute(agents_dispute, by=other_lead, outcome="overturned")
    assert not ScoreDisputeVerdict.objects.exists()


def test_a_dispute_is_reviewed_once(team_of_two: tuple) -> None:
    lead, agent = team_of_two
    dispute = score_dispute(agent)
    review_score_dispute(dispute, by=lead, outcome="confirmed")

    with pytest.raises(ValidationError):
        review_score_dispute(dispute, by=lead, outcome="overturned")
    assert ScoreDisputeVerdict.objects.get().outcome == "confirmed"


def test_learning_is_recorded_once_with_the_first_model_version(team_of_two: tuple) -> None:
    lead, agent = team_of_two
    verdict = review_score_dispute(score_dispute(agent), by=lead, outcome="overturned")

    assert mark_corrections_learned([verdict.pk], "empathy-v2-aaaa") == 1
    assert mark_corrections_learned([verdict.pk], "empathy-v2-bbbb") == 0
    verdict.refresh_from_db()
    assert verdict.learned_by_model == "empathy-v2-aaaa"


def test_the_queue_page_overturns_and_hides_other_teams_disputes(team_of_two: tuple) -> None:
    lead, agent = team_of_two
    dispute = score_dispute(agent)
    elsewhere = score_dispute(UserFactory(role=Role.AGENT, team=TeamFactory()))
    client = Client()
    assert client.login(email=lead.email, password=TEST_PASSWORD)

    page = client.get(reverse("coaching:score-disputes"))
    assert page.status_code == 200
    assert "that sounds really frustrating" in page.content.decode()

    refused = client.post(
        reverse("coaching:score-dispute-review", args=[elsewhere.pk]), {"outcome": "overturned"}
    )
    assert refused.status_code == 404
    done = client.post(
        reverse("coaching:score-dispute-review", args=[dispute.pk]), {"outcome": "overturned"}
    )
    assert done.status_code == 302
    assert ScoreDisputeVerdict.objects.get().dispute == dispute
