"""QA reviews: AutoQA pre-fill, N/A, critical items as process checks, acknowledge, dispute."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from careloop.coaching import selectors
from careloop.coaching.models import MAX_RATING, Dispute, QAReview, Rubric
from careloop.coaching.services import reviews
from careloop.coaching.services.reviews import RatingInput
from careloop.core.audit import audit_events_for
from careloop.core.permissions import Role
from careloop.people.models import User
from tests.coaching.factories import give_reply_scores, rubric, solved_conversation
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead() -> User:
    return UserFactory(role=Role.TEAM_LEAD, team=TeamFactory())


@pytest.fixture
def agent(lead: User) -> User:
    return UserFactory(role=Role.AGENT, team=lead.team)


@pytest.fixture
def the_rubric(lead: User) -> Rubric:
    return rubric(lead)


def rate_all(review: QAReview, value: int, **overrides: RatingInput) -> dict[int, RatingInput]:
    given = {}
    for rating in review.ratings.select_related("criterion"):
        given[rating.criterion_id] = overrides.get(
            rating.criterion.name,
            RatingInput(MAX_RATING if rating.criterion.is_critical else value),
        )
    return given


def shared_review(lead: User, agent: User, the_rubric: Rubric, value: int = 3) -> QAReview:
    review = reviews.create_review(
        conversation=solved_conversation(agent), rubric=the_rubric, reviewer=lead
    )
    reviews.save_ratings(review, by=lead, ratings=rate_all(review, value))
    return reviews.submit_review(review, by=lead)


def test_autoqa_prefills_empathy_from_the_stored_reply_scores(
    lead: User, agent: User, the_rubric: Rubric
) -> None:
    conversation = solved_conversation(agent)
    give_reply_scores(conversation, empathy=0.75)
    review = reviews.create_review(conversation=conversation, rubric=the_rubric, reviewer=lead)

    empathy = review.ratings.get(criterion__name="Empathy")
    assert (empathy.value, empathy.autoqa_value) == (3, 3)
    assert "0.75" in empathy.autoqa_note
    assert review.ratings.get(criterion__name="Clear next steps").value is None
    assert review.agent == agent and review.status == QAReview.Status.DRAFT


def test_without_stored_scores_autoqa_leaves_ratings_to_the_reviewer(
    lead: User, agent: User, the_rubric: Rubric
) -> None:
    review = reviews.create_review(
        conversation=solved_conversation(agent), rubric=the_rubric, reviewer=lead
    )
    assert not review.ratings.filter(value__isnull=False).exists()


def test_na_criteria_are_left_out_of_the_weighted_score(
    lead: User, agent: User, the_rubric: Rubric
) -> None:
    review = reviews.create_review(
        conversation=solved_conversation(agent), rubric=the_rubric, reviewer=lead
    )
    given = rate_all(
        review,
        4,
        **{
            "Clear next steps": RatingInput(2),
            "Offered a follow-up": RatingInput(None, is_na=True),
        },
    )
    reviews.save_ratings(review, by=lead, ratings=given)
    reviews.submit_review(review, by=lead)
    # Empathy 4/4 weight 3, next steps 2/4 weight 2, follow-up N/A: (3 + 1) / 5.
    assert review.score == 80.0
    assert not review.process_flag


def test_na_is_refused_where_the_rubric_does_not_allow_it(
    lead: User, agent: User, the_rubric: Rubric
) -> None:
    review = reviews.create_review(
        conversation=solved_conversation(agent), rubric=the_rubric, reviewer=lead
    )
    given = rate_all(review, 3, Empathy=RatingInput(None, is_na=True))
    with pytest.raises(ValidationError, match="cannot be N/A"):
        reviews.save_ratings(review, by=lead, ratings=given)


def test_a_critical_miss_flags_the_process_without_zeroing_the_person(
    lead: User, agent: User, the_rubric: Rubric
) -> None:
    review = reviews.create_review(
        conversation=solved_conversation(agent), rubric=the_rubric, reviewer=lead
    )
    missed = RatingInput(0, note="No identity check step in the refund tool.")
    given = rate_all(review, 4, **{"Verified identity before account changes": missed})
    reviews.save_ratings(review, by=lead, ratings=given)
    reviews.submit_review(review, by=lead)
    assert review.process_flag is True
    assert review.score == 100.0
    assert review.ratings.get(criterion__is_critical=True).label == "Missed: process check"
    assert audit_events_for(review).get(action="coaching.qa_review_submitted")


def test_a_review_is_submitted_only_when_every_criterion_is_rated_or_na(
    lead: User, agent: User, the_rubric: Rubric
) -> None:
    review = reviews.create_review(
        conversation=solved_conversation(agent), rubric=the_rubric, reviewer=lead
    )
    with pytest.raises(ValidationError, match="Rate every criterion"):
        reviews.submit_review(review, by=lead)


def test_nobody_reviews_their_own_conversation(lead: User, the_rubric: Rubric) -> None:
    with pytest.raises(ValidationError):
        reviews.create_review(
            conversation=solved_conversation(lead), rubric=the_rubric, reviewer=lead
        )


def test_agents_do_not_write_reviews(agent: User, the_rubric: Rubric) -> None:
    colleague = UserFactory(role=Role.AGENT, team=agent.team)
    with pytest.raises(PermissionDenied):
        reviews.create_review(
            conversation=solved_conversation(colleague), rubric=the_rubric, reviewer=agent
        )


def test_the_agent_acknowledges_a_review(lead: User, agent: User, the_rubric: Rubric) -> None:
    review = shared_review(lead, agent, the_rubric)
    with pytest.raises(PermissionDenied):
        reviews.acknowledge_review(review, by=lead)
    reviews.acknowledge_review(review, by=agent)
    assert review.status == QAReview.Status.ACKNOWLEDGED
    assert audit_events_for(review).filter(action="coaching.qa_review_acknowledged").exists()


def test_a_dispute_needs_a_reason_and_only_the_agent_raises_it(
    lead: User, agent: User, the_rubric: Rubric
) -> None:
    review = shared_review(lead, agent, the_rubric)
    with pytest.raises(ValidationError, match="got wrong"):
        reviews.dispute_review(review, by=agent, reason="  ")
    with pytest.raises(PermissionDenied):
        reviews.dispute_review(review, by=lead, reason="Not me")


def test_a_disputed_review_is_revised_by_the_reviewer_with_history_and_audit(
    lead: User, agent: User, the_rubric: Rubric
) -> None:
    review = shared_review(lead, agent, the_rubric, value=2)
    before = review.score
    dispute = reviews.dispute_review(
        review, by=agent, reason="The customer asked for no follow-up call."
    )
    assert review.status == QAReview.Status.DISPUTED
    with pytest.raises(PermissionDenied):
        reviews.resolve_dispute(dispute, by=agent, outcome="upheld", note="Fine")
    with pytest.raises(ValidationError, match="between 0 and 100"):
        reviews.resolve_dispute(dispute, by=lead, outcome="revised", note="Agreed")

    reviews.resolve_dispute(
        dispute, by=lead, outcome="revised", note="Agreed, the follow-up was N/A.", new_score=70
    )
    dispute.refresh_from_db()
    review.refresh_from_db()
    assert (dispute.outcome, dispute.score_before, dispute.score_after) == (
        Dispute.Outcome.REVISED,
        before,
        70.0,
    )
    assert review.status == QAReview.Status.RESOLVED and review.score == 70.0
    actions = set(audit_events_for(review).values_list("action", flat=True))
    assert {"coaching.qa_review_disputed", "coaching.qa_dispute_resolved"} <= actions
    with pytest.raises(ValidationError, match="already resolved"):
        reviews.resolve_dispute(dispute, by=lead, outcome="upheld", note="Again")


def test_another_lead_may_uphold_a_dispute_but_a_lead_of_another_team_may_not(
    lead: User, agent: User, the_rubric: Rubric
) -> None:
    review = shared_review(lead, agent, the_rubric)
    dispute = reviews.dispute_review(review, by=agent, reason="I did offer a follow-up.")
    stranger = UserFactory(role=Role.TEAM_LEAD, team=TeamFactory())
    with pytest.raises(PermissionDenied):
        reviews.resolve_dispute(dispute, by=stranger, outcome="upheld", note="No")
    cx_leader = UserFactory(role=Role.CX_LEADER)
    reviews.resolve_dispute(dispute, by=cx_leader, outcome="upheld", note="Score stands.")
    assert dispute.score_after == dispute.score_before


def test_drafts_are_hidden_from_the_agent_and_shared_reviews_from_other_agents(
    lead: User, agent: User, the_rubric: Rubric
) -> None:
    draft = reviews.create_review(
        conversation=solved_conversation(agent), rubric=the_rubric, reviewer=lead
    )
    assert not selectors.may_see_review(agent, draft)
    shared = shared_review(lead, agent, the_rubric)
    assert selectors.may_see_review(agent, shared)
    assert not selectors.may_see_review(UserFactory(role=Role.AGENT, team=agent.team), shared)
    assert list(selectors.reviews_of(agent)) == [shared]


def test_there_is_no_leaderboard_team_reviews_are_listed_by_date_never_by_score(
    lead: User, the_rubric: Rubric
) -> None:
    low, high, middle = (UserFactory(role=Role.AGENT, team=lead.team) for _ in range(3))
    in_order = [
        shared_review(lead, low, the_rubric, value=1),
        shared_review(lead, high, the_rubric, value=4),
        shared_review(lead, middle, the_rubric, value=2),
    ]
    listed = list(selectors.reviews_of_coachees(lead))
    assert listed == list(reversed(in_order))
    assert not any("rank" in name or "leaderboard" in name for name in dir(selectors))


def test_another_teams_lead_in_a_calibration_gets_no_autoqa_from_private_empathy(
    client: Client, lead: User, agent: User, the_rubric: Rubric
) -> None:
    """Finding 12: AutoQA put the agent's empathy average in front of every calibrator."""
    from careloop.coaching.services import calibration

    conversation = solved_conversation(agent)
    give_reply_scores(conversation, empathy=0.75)
    other_lead = UserFactory(role=Role.TEAM_LEAD, team=TeamFactory())
    session = calibration.create_calibration(
        title="Calibrate",
        conversation=conversation,
        rubric=the_rubric,
        facilitator=UserFactory(role=Role.CX_LEADER),
        reviewers=[lead, other_lead],
    )
    blind = calibration.review_for(session, other_lead)
    assert not blind.ratings.exclude(autoqa_note="").exists()
    assert not blind.ratings.filter(autoqa_value__isnull=False).exists()
    client.force_login(other_lead)
    page = client.get(reverse("coaching:review-score", args=[blind.pk])).content.decode()
    assert "0.75" not in page and "AutoQA suggested" not in page


def test_autoqa_and_its_notes_reach_only_the_agent_and_their_teams_lead(
    client: Client, lead: User, agent: User, the_rubric: Rubric
) -> None:
    conversation = solved_conversation(agent)
    give_reply_scores(conversation, empathy=0.75)
    cx_leader = UserFactory(role=Role.CX_LEADER)
    by_cx = reviews.create_review(
        conversation=conversation, rubric=rubric(cx_leader), reviewer=cx_leader
    )
    assert not by_cx.ratings.exclude(autoqa_note="").exists()

    review = reviews.create_review(conversation=conversation, rubric=the_rubric, reviewer=lead)
    reviews.save_ratings(review, by=lead, ratings=rate_all(review, 3))
    reviews.submit_review(review, by=lead)
    url = reverse("coaching:review", args=[review.pk])
    for viewer, sees in ((agent, True), (lead, True), (cx_leader, False)):
        client.force_login(viewer)
        page = client.get(url)
        assert page.status_code == 200
        assert ("Average empathy 0.75" in page.content.decode()) is sees, viewer.role
