"""Who is told: the closest people who may act on a row, from the same policy as access."""

from __future__ import annotations

import pytest

from careloop.core.permissions import Action, holders, recipients
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_a_teams_lead_is_told_before_anyone_above_them() -> None:
    billing = TeamFactory()
    lead = UserFactory(role="team_lead", team=billing)
    UserFactory(role="team_lead", team=TeamFactory())
    UserFactory(role="cx_leader", team=None)
    assert recipients(Action.WORK_RECOVERY, billing.pk) == [lead]


def test_without_a_lead_the_cx_leaders_are_told_and_admins_only_as_the_last_resort() -> None:
    leaderless = TeamFactory()
    cx = UserFactory(role="cx_leader", team=None)
    admin = UserFactory(role="admin", team=None)
    assert recipients(Action.APPROVE_GESTURES, leaderless.pk) == [cx]
    cx.is_active = False
    cx.save()
    assert recipients(Action.APPROVE_GESTURES, leaderless.pk) == [admin]


def test_people_who_may_not_act_are_never_told() -> None:
    team = TeamFactory()
    UserFactory(role="agent", team=team)
    UserFactory(role="people_partner", team=team)
    assert recipients(Action.HANDLE_CONCERNS, team.pk) == []
    assert list(holders(Action.HANDLE_CONCERNS)) == []
