from __future__ import annotations

import datetime

import pytest

from careloop.core import calendar
from careloop.demo.initiatives import DEMO_INITIATIVES, create_demo_initiatives, lifted_csat
from careloop.initiatives.models import Initiative
from tests.people.factories import TeamFactory

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_real_a_null_and_a_too_early_initiative_once() -> None:
    for name in ("Frontline Europe", "Frontline Nordics", "Care Escalations"):
        TeamFactory(name=name)
    assert create_demo_initiatives() == 3
    assert create_demo_initiatives() == 0
    today = calendar.first_of_month(calendar.today())
    starts = sorted(Initiative.objects.values_list("start", flat=True))
    assert starts[-1] == today and starts[0] == calendar.add_months(today, -5)


def test_only_the_real_initiative_lifts_its_teams_answers_after_its_start() -> None:
    today = calendar.today()
    before = calendar.add_months(calendar.first_of_month(today), -6)
    after = calendar.first_of_month(today) - datetime.timedelta(days=1)
    lifted = [lifted_csat("Frontline Europe", after, 2, key) for key in range(2000)]
    share = sum(score == 5 for score in lifted) / len(lifted)
    assert share == pytest.approx(DEMO_INITIATIVES[0].csat_lift, abs=0.04)
    assert {lifted_csat("Frontline Europe", before, 2, key) for key in range(200)} == {2}
    assert {lifted_csat("Frontline Nordics", after, 2, key) for key in range(200)} == {2}
    assert {lifted_csat("Frontline Europe", after, 4, key) for key in range(200)} == {4}
