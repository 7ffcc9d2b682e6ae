from __future__ import annotations

import pytest

from careloop.conversations.models import Customer
from careloop.core.permissions import Role
from careloop.demo.organisation import create_demo_organisation
from careloop.people.models import Team, User
from careloop.people.selectors import current_organisation
from tests.demo.shared import CONVERSATIONS

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("demo")]


def test_demo_organisation_has_every_role_teams_and_customers() -> None:
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == {role.value for role in Role} - {Role.CUSTOMER.value}
    assert Team.objects.count() == 6
    for team in Team.objects.all():
        assert team.members.filter(role=Role.TEAM_LEAD).count() == 1
        assert team.members.filter(role=Role.AGENT).count() >= 6
    assert Customer.objects.count() >= 300
    organisation = current_organisation()
    assert organisation.values.count() == 5
    assert organisation.business_hours.count() == 6


def test_demo_is_created_once_however_often_it_runs() -> None:
    create_demo_organisation(conversations=CONVERSATIONS)
    counts = (User.objects.count(), Team.objects.count(), Customer.objects.count())
    create_demo_organisation(conversations=CONVERSATIONS)
    assert (User.objects.count(), Team.objects.count(), Customer.objects.count()) == counts
