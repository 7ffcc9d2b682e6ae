from __future__ import annotations

import pytest
from django.core import mail

from careloop.demo.feedback import create_demo_feedback
from careloop.feedback.models import (
    Concern,
    EmailRule,
    RecoveryTask,
    SurveyInvitation,
    SurveyKind,
    SurveyResponse,
    Theme,
)
from tests.fixtures.demo import BuiltDemo, shared_demo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


demo = shared_demo(conversations=300)


def test_demo_has_answers_over_several_months_of_both_kinds(demo: BuiltDemo) -> None:
    responses = SurveyResponse.objects.all()
    assert responses.filter(kind=SurveyKind.POST_RESOLUTION).count() >= 30
    assert responses.filter(kind=SurveyKind.RELATIONSHIP).exists()
    months = {response.answered_at.strftime("%Y-%m") for response in responses}
    assert len(months) >= 3
    assert responses.exclude(comment="").exists()
    assert SurveyInvitation.objects.filter(status="sent").exists()  # unanswered, as in life

    # Detractors have recovery tasks in every state.
    statuses = set(RecoveryTask.objects.values_list("status", flat=True))
    assert statuses == {"open", "contacted", "closed"}
    outcomes = set(RecoveryTask.objects.exclude(outcome="").values_list("outcome", flat=True))
    assert "recovered" in outcomes
    assert RecoveryTask.objects.filter(causes__isnull=False).exists()
    # Concerns, themes and rules; and no email went anywhere, while building or since.
    assert Concern.objects.count() == 4
    assert Concern.objects.filter(is_anonymous=True, name="").count() == 3
    assert Theme.objects.exists()
    assert EmailRule.objects.count() == 3
    assert demo.emails_sent == []
    assert mail.outbox == []


def test_demo_feedback_is_created_once(demo: BuiltDemo) -> None:
    counts = (SurveyResponse.objects.count(), RecoveryTask.objects.count())
    create_demo_feedback()
    assert (SurveyResponse.objects.count(), RecoveryTask.objects.count()) == counts
