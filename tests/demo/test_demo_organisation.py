from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from careloop.conversations.models import Customer
from careloop.core.permissions import Role
from careloop.demo.organisation import DEMO_PASSWORD, create_demo_organisation
from careloop.people.models import Team, User
from careloop.people.selectors import current_organisation

pytestmark = pytest.mark.django_db


def test_demo_organisation_has_every_role_teams_and_customers() -> None:
    create_demo_organisation(conversations=20)
    roles = set(User.objects.values_list("role", flat=True))
    assert roles == {role.value for role in Role} - {Role.CUSTOMER.value}
    assert Team.objects.count() == 4
    for team in Team.objects.all():
        assert team.members.filter(role=Role.TEAM_LEAD).count() == 1
        assert team.members.filter(role=Role.AGENT).count() >= 6
    assert Customer.objects.count() >= 300
    organisation = current_organisation()
    assert organisation.values.count() == 5
    assert organisation.business_hours.count() == 6


def test_demo_is_created_once_however_often_it_runs() -> None:
    create_demo_organisation(conversations=20)
    counts = (User.objects.count(), Team.objects.count(), Customer.objects.count())
    create_demo_organisation(conversations=20)
    assert (User.objects.count(), Team.objects.count(), Customer.objects.count()) == counts


def test_demo_command_prints_logins_that_work(client: Client) -> None:
    out = StringIO()
    call_command("demo", no_serve=True, conversations=20, stdout=out)
    printed = out.getvalue()
    assert DEMO_PASSWORD in printed
    admin_email = next(
        line.split()[-1] for line in printed.splitlines() if line.strip().startswith("Admin:")
    )
    response = client.post(
        reverse("account_login"), {"login": admin_email, "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("people:organisation")).status_code == 200
