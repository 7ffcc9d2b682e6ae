from __future__ import annotations

import pytest

from careloop.care.models import ExecutionStatus, Gesture, GestureStatus
from careloop.demo.care import create_demo_care
from careloop.demo.organisation import create_demo_organisation
from tests.demo.shared import CONVERSATIONS
from tests.fixtures.demo import BuiltDemo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def test_demo_has_gestures_across_teams_and_months_with_requests_for_leads(demo: BuiltDemo) -> None:
    gestures = Gesture.objects.all()
    assert gestures.count() >= 12
    assert gestures.values("team").distinct().count() >= 3
    assert gestures.filter(status=GestureStatus.PENDING).count() == 2
    assert any(gesture.is_overdue for gesture in gestures.filter(status=GestureStatus.PENDING))
    assert gestures.filter(status=GestureStatus.APPROVED).exists()
    declined = gestures.get(status=GestureStatus.DECLINED)
    assert declined.decision_reason
    assert gestures.filter(kind="swap", booking="swap", amount=0).exists()
    months = {gesture.created_at.strftime("%Y-%m") for gesture in gestures}
    assert len(months) >= 2


def test_demo_executions_are_in_every_state(demo: BuiltDemo) -> None:
    states = set(Gesture.objects.values_list("execution_status", flat=True))
    assert {
        ExecutionStatus.PENDING,
        ExecutionStatus.SENT,
        ExecutionStatus.EXECUTED,
        ExecutionStatus.FAILED,
        ExecutionStatus.BY_HAND,
    } <= states


def test_demo_goodwill_is_created_once(demo: BuiltDemo) -> None:
    count = Gesture.objects.count()
    create_demo_care()
    create_demo_organisation(conversations=CONVERSATIONS)
    assert Gesture.objects.count() == count
