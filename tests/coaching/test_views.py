"""Coaching pages: wiring, htmx practice, object-level privacy and the dispute flow."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from careloop.coaching.models import PracticeAttempt, QAReview, Scenario
from careloop.coaching.services import practice, reviews
from careloop.coaching.services.reviews import RatingInput
from careloop.core.audit import audit_events_for
from careloop.core.permissions import Role
from careloop.people.models import User
from tests.coaching.factories import CARING, rubric, scenario_with_turns, solved_conversation
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead() -> User:
    return UserFactory(role=Role.TEAM_LEAD, team=TeamFactory())


@pytest.fixture
def agent(lead: User) -> User:
    return UserFactory(role=Role.AGENT, team=lead.team)


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def test_a_trainee_replies_turn_by_turn_over_htmx_and_sees_feedback_and_model_answer(
    client: Client, agent: User
) -> None:
    scenario = scenario_with_turns(2)
    signed_in(client, agent)
    response = client.post(reverse("coaching:attempt-start", args=[scenario.pk]))
    attempt = PracticeAttempt.objects.get()
    assert response["Location"] == reverse("coaching:attempt", args=[attempt.pk])

    url = reverse("coaching:attempt-reply", args=[attempt.pk])
    first = client.post(url, {"reply": CARING}, headers={"HX-Request": "true"})
    html = first.content.decode()
    assert 'data-testid="practice-feedback"' in html and 'data-testid="model-answer"' in html
    assert "turn 2 of 2" in html
    second = client.post(url, {"reply": CARING}, headers={"HX-Request": "true"})
    assert 'data-testid="practice-complete"' in second.content.decode()


def test_an_empty_practice_reply_shows_the_error(client: Client, agent: User) -> None:
    attempt = practice.start_attempt(scenario_with_turns(1), agent)
    signed_in(client, agent)
    response = client.post(
        reverse("coaching:attempt-reply", args=[attempt.pk]),
        {"reply": ""},
        headers={"HX-Request": "true"},
    )
    assert "This field is required" in response.content.decode()
    assert not attempt.replies.exists()


def test_someone_elses_practice_and_progress_do_not_exist_for_a_colleague(
    client: Client, agent: User, lead: User
) -> None:
    attempt = practice.start_attempt(scenario_with_turns(1), agent)
    colleague = UserFactory(role=Role.AGENT, team=agent.team)
    signed_in(client, colleague)
    assert client.get(reverse("coaching:attempt", args=[attempt.pk])).status_code == 404
    assert client.get(reverse("coaching:progress-of", args=[agent.pk])).status_code == 404
    signed_in(client, lead)
    assert client.get(reverse("coaching:attempt", args=[attempt.pk])).status_code == 200
    assert client.get(reverse("coaching:progress-of", args=[agent.pk])).status_code == 200
    # A coach's reads of someone's practice are on the audit trail.
    assert audit_events_for(attempt).filter(action="coaching.practice_read", actor=lead).exists()
    assert audit_events_for(agent).filter(action="coaching.progress_read").exists()


def test_a_coach_can_read_but_not_reply_in_a_trainees_practice(
    client: Client, agent: User, lead: User
) -> None:
    attempt = practice.start_attempt(scenario_with_turns(1), agent)
    signed_in(client, lead)
    response = client.post(reverse("coaching:attempt-reply", args=[attempt.pk]), {"reply": "x"})
    assert response.status_code == 403


def test_drafts_are_not_in_the_library_for_agents(client: Client, agent: User) -> None:
    draft = scenario_with_turns(1, status=Scenario.Status.DRAFT, title="Secret draft")
    signed_in(client, agent)
    assert "Secret draft" not in client.get(reverse("coaching:home")).content.decode()
    assert client.get(reverse("coaching:scenario", args=[draft.pk])).status_code == 404


def test_a_lead_drafts_a_scenario_from_a_team_conversation(
    client: Client, agent: User, lead: User
) -> None:
    conversation = solved_conversation(agent, subject="Parcel smashed")
    signed_in(client, lead)
    page = client.get(reverse("coaching:scenario-from-conversation"))
    assert "Parcel smashed" in page.content.decode()
    response = client.post(
        reverse("coaching:scenario-from-conversation"), {"conversation": conversation.pk}
    )
    scenario = Scenario.objects.get()
    assert response["Location"] == reverse("coaching:scenario-edit", args=[scenario.pk])


def test_a_dispute_and_its_resolution_through_the_pages(
    client: Client, agent: User, lead: User
) -> None:
    review = reviews.create_review(
        conversation=solved_conversation(agent), rubric=rubric(lead), reviewer=lead
    )
    reviews.save_ratings(
        review,
        by=lead,
        ratings={r.criterion_id: RatingInput(4) for r in review.ratings.all()},
    )
    reviews.submit_review(review, by=lead)
    signed_in(client, agent)
    client.post(reverse("coaching:review-dispute", args=[review.pk]), {"reason": "Unfair"})
    review.refresh_from_db()
    assert review.status == QAReview.Status.DISPUTED
    assert client.post(reverse("coaching:review-resolve", args=[review.pk])).status_code == 403

    signed_in(client, lead)
    page = client.get(reverse("coaching:review", args=[review.pk])).content.decode()
    assert 'data-testid="resolve"' in page
    client.post(
        reverse("coaching:review-resolve", args=[review.pk]),
        {"outcome": "upheld", "note": "The steps were clear."},
    )
    review.refresh_from_db()
    assert review.status == QAReview.Status.RESOLVED
    assert (
        "The steps were clear."
        in client.get(reverse("coaching:review", args=[review.pk])).content.decode()
    )


def test_the_review_pages_show_no_ranking_of_agents(
    client: Client, agent: User, lead: User
) -> None:
    signed_in(client, lead)
    for url in (reverse("coaching:reviews"), reverse("coaching:home")):
        html = client.get(url).content.decode().lower()
        assert "leaderboard" not in html
        assert "top agent" not in html and "rank</th>" not in html


def test_a_lead_creates_a_rubric_with_weights_na_and_a_critical_item(
    client: Client, lead: User
) -> None:
    signed_in(client, lead)
    data = {
        "name": "Email care",
        "description": "",
        "criteria-TOTAL_FORMS": "2",
        "criteria-INITIAL_FORMS": "0",
        "criteria-0-name": "Empathy",
        "criteria-0-weight": "3",
        "criteria-0-autoqa": "empathy",
        "criteria-1-name": "Identity checked",
        "criteria-1-weight": "1",
        "criteria-1-is_critical": "on",
        "criteria-1-allows_na": "on",
    }
    response = client.post(reverse("coaching:rubric-create"), data)
    assert response.status_code == 302
    from careloop.coaching.models import Rubric

    created = Rubric.objects.get(name="Email care")
    criteria = list(created.criteria.values_list("name", "weight", "is_critical", "allows_na"))
    assert criteria == [("Empathy", 3, False, False), ("Identity checked", 1, True, True)]


def _turn_post(scenario: Scenario, **changes: str) -> dict[str, str]:
    turns = list(scenario.turns.all())
    data = {
        "title": scenario.title,
        "persona": scenario.persona,
        "situation": scenario.situation,
        "turns-TOTAL_FORMS": str(len(turns) + 1),
        "turns-INITIAL_FORMS": str(len(turns)),
        "turns-MIN_NUM_FORMS": "0",
        "turns-MAX_NUM_FORMS": "1000",
    }
    for index, turn in enumerate(turns):
        data[f"turns-{index}-id"] = str(turn.pk)
        data[f"turns-{index}-customer_message"] = turn.customer_message
        data[f"turns-{index}-model_answer"] = turn.model_answer
    data.update(changes)
    return data


def test_editing_a_scenario_keeps_the_turn_order_and_appends_new_turns(
    client: Client, lead: User
) -> None:
    scenario = scenario_with_turns(2)
    first, second = scenario.turns.all()
    signed_in(client, lead)
    data = _turn_post(
        scenario,
        **{
            "turns-0-model_answer": "A better model answer.",
            "turns-2-customer_message": "And one more thing!",
            "turns-2-model_answer": "Of course.",
        },
    )
    response = client.post(reverse("coaching:scenario-edit", args=[scenario.pk]), data)
    assert response.status_code == 302
    ordered = list(scenario.turns.values_list("pk", "model_answer"))
    assert ordered[0] == (first.pk, "A better model answer.")
    assert ordered[1][0] == second.pk
    assert ordered[2][1] == "Of course."


def test_turns_someone_practised_cannot_be_deleted(client: Client, lead: User, agent: User) -> None:
    scenario = scenario_with_turns(2)
    attempt = practice.start_attempt(scenario, agent)
    practice.submit_reply(attempt, trainee=agent, text=CARING)
    signed_in(client, lead)
    data = _turn_post(scenario, **{"turns-0-DELETE": "on"})
    response = client.post(reverse("coaching:scenario-edit", args=[scenario.pk]), data)
    assert response.status_code == 200
    assert "archive it" in response.content.decode()
    assert scenario.turns.count() == 2 and attempt.replies.count() == 1


def test_a_lead_sees_the_people_they_coach_by_name_with_their_practice(
    client: Client, agent: User, lead: User
) -> None:
    attempt = practice.start_attempt(scenario_with_turns(1), agent)
    practice.submit_reply(attempt, trainee=agent, text=CARING)
    signed_in(client, lead)
    html = client.get(reverse("coaching:home")).content.decode()
    assert agent.full_name in html and "1 practice," in html
