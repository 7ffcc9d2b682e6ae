"""Authority that cannot be self-granted: who may give which role, and the trail it leaves."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse

from careloop.core.audit import audit_events_for
from careloop.core.permissions import Role, grantable_roles
from careloop.people import services
from careloop.people.forms import PersonForm
from careloop.people.models import User
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def new_person(role: str) -> dict[str, str]:
    return {"full_name": "New Person", "email": "new.person@example.test", "role": role}


def test_a_people_partner_offers_agent_team_lead_and_people_partner_only() -> None:
    partner = UserFactory(role=Role.PEOPLE_PARTNER)
    offered = [value for value, _ in PersonForm(granted_by=partner).fields["role"].choices]
    assert offered == ["agent", "team_lead", "people_partner"]
    assert grantable_roles(partner) == [Role.AGENT, Role.TEAM_LEAD, Role.PEOPLE_PARTNER]


def test_an_admin_offers_every_employee_role() -> None:
    admin = UserFactory(role=Role.ADMIN)
    offered = [value for value, _ in PersonForm(granted_by=admin).fields["role"].choices]
    assert offered == ["agent", "team_lead", "people_partner", "cx_leader", "admin"]


@pytest.mark.parametrize("role", ["admin", "cx_leader"])
def test_a_forged_post_cannot_make_an_admin_or_cx_leader_as_a_people_partner(
    client: Client, role: str
) -> None:
    partner = UserFactory(role=Role.PEOPLE_PARTNER)
    response = signed_in(client, partner).post(reverse("people:person-add"), new_person(role))
    assert response.status_code == 200
    assert "role" in response.context["form"].errors
    assert not User.objects.filter(email="new.person@example.test").exists()


@pytest.mark.parametrize("role", [Role.ADMIN, Role.CX_LEADER])
def test_the_service_refuses_a_role_above_the_people_partners_own(role: Role) -> None:
    partner = UserFactory(role=Role.PEOPLE_PARTNER)
    with pytest.raises(PermissionDenied):
        services.add_person(
            email="new.person@example.test", full_name="X", role=role, team=None, actor=partner
        )
    agent = UserFactory(role=Role.AGENT)
    with pytest.raises(PermissionDenied):
        services.change_role_and_team(agent, role=role, team=None, actor=partner)
    agent.refresh_from_db()
    assert agent.role == Role.AGENT
    assert not User.objects.filter(email="new.person@example.test").exists()


def test_an_admin_makes_an_admin(client: Client) -> None:
    admin = UserFactory(role=Role.ADMIN)
    response = signed_in(client, admin).post(reverse("people:person-add"), new_person("admin"))
    assert response.status_code == 302
    made = User.objects.get(email="new.person@example.test")
    assert (made.role, made.is_superuser) == (Role.ADMIN, True)


def test_team_leads_give_no_role_at_all(client_as: Callable[[Role], Client]) -> None:
    lead = UserFactory(role=Role.TEAM_LEAD)
    assert grantable_roles(lead) == []
    client = client_as(Role.TEAM_LEAD)
    assert client.get(reverse("people:person-add")).status_code == 403
    assert client.post(reverse("people:person-add"), new_person("cx_leader")).status_code == 403
    with pytest.raises(PermissionDenied):
        services.add_person(
            email="x@example.test", full_name="X", role=Role.AGENT, team=None, actor=lead
        )
    with pytest.raises(PermissionDenied):
        services.change_role_and_team(
            UserFactory(role=Role.AGENT), role=Role.CX_LEADER, team=None, actor=lead
        )


@pytest.mark.parametrize("role", [Role.PEOPLE_PARTNER, Role.ADMIN])
def test_nobody_changes_their_own_role(role: Role) -> None:
    person = UserFactory(role=role)
    lower = Role.AGENT
    with pytest.raises(PermissionDenied, match="own role"):
        services.change_role_and_team(person, role=lower, team=None, actor=person)
    person.refresh_from_db()
    assert person.role == role


def test_a_people_partner_cannot_demote_someone_ranked_above_them() -> None:
    partner = UserFactory(role=Role.PEOPLE_PARTNER)
    for senior in (UserFactory(role=Role.ADMIN), UserFactory(role=Role.CX_LEADER)):
        with pytest.raises(PermissionDenied):
            services.change_role_and_team(senior, role=Role.AGENT, team=None, actor=partner)


def test_a_role_change_is_audited_with_who_whom_from_and_to() -> None:
    partner = UserFactory(role=Role.PEOPLE_PARTNER)
    person = UserFactory(role=Role.AGENT, email="sam@example.test")
    services.change_role_and_team(person, role=Role.TEAM_LEAD, team=person.team, actor=partner)
    [event] = audit_events_for(person)
    assert (event.action, event.actor, event.actor_role) == (
        "person.role_changed",
        partner,
        "people_partner",
    )
    assert event.target_id == str(person.pk)
    assert event.summary == "sam@example.test: role agent → team_lead"


def test_a_role_change_in_the_django_admin_is_audited_and_never_ones_own(client: Client) -> None:
    admin = UserFactory(role=Role.ADMIN)
    person = UserFactory(role=Role.AGENT, email="kim@example.test", team=None)
    signed_in(client, admin)
    own_page = client.get(reverse("admin:people_user_change", args=[admin.pk]))
    assert "role" not in own_page.context["adminform"].form.fields
    client.post(
        reverse("admin:people_user_change", args=[person.pk]),
        {
            "email": person.email,
            "full_name": person.full_name,
            "role": "team_lead",
            "team": "",
            "is_active": "on",
        },
    )
    person.refresh_from_db()
    assert person.role == Role.TEAM_LEAD
    [change] = [e for e in audit_events_for(person) if e.action == "person.role_changed"]
    assert (change.actor, change.summary) == (admin, "kim@example.test: role agent → team_lead")
