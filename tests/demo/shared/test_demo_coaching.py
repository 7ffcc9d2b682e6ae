from __future__ import annotations

import pytest

from careloop.coaching.models import (
    CalibrationSession,
    CoachingPlan,
    Dispute,
    PracticeAttempt,
    QAReview,
    Rubric,
    Scenario,
)
from careloop.coaching.selectors import calibration_spread, progress_for
from careloop.demo.coaching import DEFAULT_RUBRIC, create_demo_coaching
from careloop.demo.organisation import create_demo_organisation
from careloop.people.models import User
from tests.demo.shared import CONVERSATIONS
from tests.fixtures.demo import BuiltDemo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def test_demo_has_scenarios_some_from_conversations_and_a_default_rubric(demo: BuiltDemo) -> None:
    scenarios = Scenario.objects.all()
    assert 6 <= scenarios.count() <= 8
    from_conversations = scenarios.filter(source=Scenario.Source.CONVERSATION)
    assert from_conversations.filter(status=Scenario.Status.PUBLISHED).exists()
    assert from_conversations.filter(status=Scenario.Status.DRAFT).exists()
    assert scenarios.filter(status=Scenario.Status.PUBLISHED).count() >= 5
    rubric = Rubric.objects.get(name=DEFAULT_RUBRIC)
    assert rubric.criteria.filter(is_critical=True).exists()
    assert rubric.criteria.exclude(autoqa="").exists()


def test_sam_has_practice_that_improves_and_a_coaching_plan(demo: BuiltDemo) -> None:
    sam = User.objects.get(full_name="Sam Okafor")
    progress = progress_for(sam)
    assert len(progress.attempts) == PracticeAttempt.objects.filter(trainee=sam).count() == 4
    assert progress.latest is not None and progress.first is not None
    assert progress.latest.empathy > progress.first.empathy
    plan = CoachingPlan.objects.get(person=sam)
    assert plan.coach.full_name == "Leah Lindqvist" and plan.scenarios.count() == 2


def test_demo_reviews_include_one_open_dispute_and_a_revealed_calibration(demo: BuiltDemo) -> None:
    assert QAReview.objects.filter(calibration__isnull=True).count() == 3
    assert Dispute.objects.filter(outcome=Dispute.Outcome.OPEN).count() == 1
    assert Dispute.objects.exclude(outcome=Dispute.Outcome.OPEN).count() == 1
    session = CalibrationSession.objects.get()
    assert session.is_revealed
    spread = calibration_spread(session)
    assert len(spread.scores) == 3


def test_demo_coaching_is_created_once(demo: BuiltDemo) -> None:
    counts = (Scenario.objects.count(), QAReview.objects.count())
    create_demo_coaching()
    create_demo_organisation(conversations=CONVERSATIONS)
    assert (Scenario.objects.count(), QAReview.objects.count()) == counts
