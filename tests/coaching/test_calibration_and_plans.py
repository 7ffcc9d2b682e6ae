"""Calibration sessions (blind, then the spread) and coaching plans (private, with the ledger)."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from careloop.actions.models import ActionItem
from careloop.coaching import selectors
from careloop.coaching.models import CoachingPlan, QAReview
from careloop.coaching.services import calibration, plans, reviews
from careloop.coaching.services.reviews import RatingInput
from careloop.core.audit import audit_events_for
from careloop.core.permissions import Role
from tests.coaching.factories import rubric, scenario_with_turns, solved_conversation
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def score_blind(session, reviewer, empathy: int, steps: int | None) -> QAReview:  # type: ignore[no-untyped-def]
    review = calibration.review_for(session, reviewer)
    given = {}
    for rating in review.ratings.select_related("criterion"):
        name = rating.criterion.name
        if rating.criterion.is_critical:
            given[rating.criterion_id] = RatingInput(4)
        elif name == "Empathy":
            given[rating.criterion_id] = RatingInput(empathy)
        elif name == "Clear next steps":
            given[rating.criterion_id] = RatingInput(steps, is_na=steps is None)
        else:
            given[rating.criterion_id] = RatingInput(2)
    reviews.save_ratings(review, by=reviewer, ratings=given)
    return reviews.submit_review(review, by=reviewer)


def test_calibration_is_blind_until_revealed_then_shows_the_spread_per_criterion() -> None:
    facilitator = UserFactory(role=Role.CX_LEADER)
    first, second, third = (UserFactory(role=Role.TEAM_LEAD) for _ in range(3))
    agent = UserFactory(role=Role.AGENT)
    session = calibration.create_calibration(
        title="October calibration",
        conversation=solved_conversation(agent),
        rubric=rubric(facilitator),
        facilitator=facilitator,
        reviewers=[first, second, third],
    )
    first_review = score_blind(session, first, empathy=4, steps=4)
    with pytest.raises(ValidationError, match="at least 2"):
        calibration.reveal(session, by=facilitator)
    assert not selectors.may_see_review(second, first_review)
    score_blind(session, second, empathy=2, steps=None)
    score_blind(session, third, empathy=3, steps=3)
    # Calibration reviews measure reviewers, not the agent: the agent never sees them.
    assert not selectors.reviews_of(agent).exists()
    assert not selectors.may_see_review(agent, first_review)

    calibration.reveal(session, by=facilitator)
    assert selectors.may_see_review(second, first_review)
    spread = selectors.calibration_spread(session)
    empathy = next(row for row in spread.criteria if row.name == "Empathy")
    assert (empathy.low, empathy.high, empathy.range, empathy.mean) == (2, 4, 2, 3.0)
    assert empathy.std == pytest.approx(0.82, abs=0.01)
    steps = next(row for row in spread.criteria if row.name == "Clear next steps")
    assert steps.not_applicable == 1 and steps.range == 1
    assert len(spread.scores) == 3 and spread.score_range is not None
    assert audit_events_for(session).filter(action="coaching.calibration_revealed").exists()


def test_only_invited_reviewers_score_in_a_calibration() -> None:
    facilitator = UserFactory(role=Role.CX_LEADER)
    session = calibration.create_calibration(
        title="Calibration",
        conversation=solved_conversation(UserFactory(role=Role.AGENT)),
        rubric=rubric(facilitator),
        facilitator=facilitator,
        reviewers=[UserFactory(role=Role.TEAM_LEAD), UserFactory(role=Role.TEAM_LEAD)],
    )
    with pytest.raises(PermissionDenied):
        calibration.review_for(session, UserFactory(role=Role.TEAM_LEAD))


def test_a_calibration_needs_two_reviewers_who_review_quality() -> None:
    facilitator = UserFactory(role=Role.CX_LEADER)
    conversation = solved_conversation(UserFactory(role=Role.AGENT))
    with pytest.raises(ValidationError):
        calibration.create_calibration(
            title="x",
            conversation=conversation,
            rubric=rubric(facilitator),
            facilitator=facilitator,
            reviewers=[UserFactory(role=Role.TEAM_LEAD), UserFactory(role=Role.AGENT)],
        )


def test_a_team_lead_makes_a_plan_with_practice_and_a_ledger_item() -> None:
    team = TeamFactory()
    lead = UserFactory(role=Role.TEAM_LEAD, team=team)
    person = UserFactory(role=Role.AGENT, team=team)
    scenario = scenario_with_turns(1)
    check_in = timezone.localdate() + datetime.timedelta(days=14)
    plan = plans.create_plan(
        plans.CoachingPlanDraft(
            person=person,
            title="Naming feelings first",
            goals="Name the feeling before the fix\nAsk one open question",
            next_check_in=check_in,
            scenarios=[scenario],
            add_action_item=True,
        ),
        coach=lead,
    )
    assert plan.goal_list == ["Name the feeling before the fix", "Ask one open question"]
    assert list(plan.scenarios.all()) == [scenario]
    item = ActionItem.objects.get(pk=plan.action_item_id)
    assert (item.owner, item.created_by, item.due, item.kind) == (
        person,
        lead,
        check_in,
        "training",
    )

    plans.record_check_in(plan, by=person, notes="Practised twice, felt better.")
    later = check_in + datetime.timedelta(days=14)
    plans.record_check_in(plan, by=lead, notes="Good progress.", next_check_in=later)
    plan.refresh_from_db()
    assert plan.next_check_in == later and plan.check_ins.count() == 2
    plans.record_check_in(plan, by=lead, notes="Goals reached.", complete=True)
    plan.refresh_from_db()
    assert plan.status == CoachingPlan.Status.COMPLETED


def test_plans_are_private_to_the_person_and_their_coach() -> None:
    team = TeamFactory()
    lead = UserFactory(role=Role.TEAM_LEAD, team=team)
    person = UserFactory(role=Role.AGENT, team=team)
    plan = plans.create_plan(
        plans.CoachingPlanDraft(
            person=person, title="Plan", goals="A goal", next_check_in=timezone.localdate()
        ),
        coach=lead,
    )
    teammate = UserFactory(role=Role.AGENT, team=team)
    assert selectors.may_see_plan(person, plan) and selectors.may_see_plan(lead, plan)
    assert not selectors.may_see_plan(teammate, plan)
    assert not selectors.may_see_plan(UserFactory(role=Role.PEOPLE_PARTNER), plan)
    with pytest.raises(PermissionDenied):
        plans.record_check_in(plan, by=teammate, notes="Hi")


def test_a_lead_cannot_make_a_plan_for_someone_outside_their_team() -> None:
    lead = UserFactory(role=Role.TEAM_LEAD, team=TeamFactory())
    with pytest.raises(PermissionDenied):
        plans.create_plan(
            plans.CoachingPlanDraft(
                person=UserFactory(role=Role.AGENT, team=TeamFactory()),
                title="Plan",
                goals="A goal",
                next_check_in=timezone.localdate(),
            ),
            coach=lead,
        )
