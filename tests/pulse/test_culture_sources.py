"""Pulse measures reach the insights analytics only as reportable team-months."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone

from careloop.insights.sources import culture_sources
from careloop.people.models import Team
from careloop.pulse.culture_sources import psych_safety, turnover
from tests.fixtures.demo import shared_demo

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]

demo = shared_demo(conversations=20)


def test_psychological_safety_eNPS_and_turnover_are_offered_to_insights() -> None:
    assert {"psych_safety", "enps", "turnover"} <= set(culture_sources())


def test_only_team_months_that_passed_the_anonymity_rules_are_offered() -> None:
    today = timezone.localdate()
    values = psych_safety(today - datetime.timedelta(days=200), today)
    assert values, "the demo has reportable rounds"
    assert all(value.respondents >= 5 and 1 <= value.value <= 7 for value in values)
    suppressed = Team.objects.get(name="Care Escalations")
    assert suppressed.pk not in {value.team_id for value in values}


def test_turnover_is_offered_per_team_and_month_with_its_headcount() -> None:
    today = timezone.localdate()
    values = turnover(today.replace(day=1) - datetime.timedelta(days=90), today)
    assert values and all(value.value >= 0 for value in values)
    assert {value.team_id for value in values} <= set(Team.objects.values_list("pk", flat=True))
