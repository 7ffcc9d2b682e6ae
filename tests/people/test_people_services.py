from __future__ import annotations

from datetime import time

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from careloop.core.permissions import Role
from careloop.people import services
from careloop.people.selectors import current_organisation, teams_with_members
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_organisation_settings_replace_values_and_hours_in_order() -> None:
    organisation = current_organisation()
    services.update_organisation(
        organisation,
        name="Acme Care",
        time_zone="Europe/Berlin",
        values=["Listen first", "  ", "Own the outcome", "Listen first"],
        opening_hours=[services.OpeningHours(0, time(9), time(17))],
    )
    services.update_organisation(
        organisation,
        name="Acme Care",
        time_zone="Europe/Berlin",
        values=["Own the outcome", "Be kind"],
        opening_hours=[
            services.OpeningHours(1, time(8), time(16)),
            services.OpeningHours(2, time(8), time(16)),
        ],
    )
    organisation.refresh_from_db()
    assert organisation.time_zone == "Europe/Berlin"
    assert [value.name for value in organisation.values.all()] == ["Own the outcome", "Be kind"]
    assert [hours.weekday for hours in organisation.business_hours.all()] == [1, 2]


def test_organisation_rejects_an_unknown_time_zone() -> None:
    with pytest.raises(ValidationError):
        services.update_organisation(
            current_organisation(), name="X", time_zone="Mars/Olympus", values=[], opening_hours=[]
        )


def test_there_is_one_organisation_however_often_it_is_asked_for() -> None:
    assert current_organisation().pk == current_organisation().pk


def test_team_slugs_stay_unique_for_similar_names() -> None:
    first = services.create_team(name="Frontline")
    second = services.create_team(name="Front-line")
    assert first.slug == "frontline"
    assert second.slug == "front-line"
    third = services.create_team(name="Frontline!")
    assert third.slug == "frontline-2"


def test_adding_a_person_invites_them_by_email_once(django_capture_on_commit_callbacks) -> None:
    team = TeamFactory()
    with django_capture_on_commit_callbacks(execute=True):
        person = services.add_person(
            email="New.Agent@Example.test",
            full_name="New Agent",
            role=Role.AGENT,
            team=team,
            actor=UserFactory(role=Role.PEOPLE_PARTNER),
        )
    person.refresh_from_db()
    assert person.email == "new.agent@example.test"
    assert not person.has_usable_password()
    assert person.invitation_sent_at is not None
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new.agent@example.test"]
    assert "/accounts/password/reset/key/" in mail.outbox[0].body


def test_only_the_admin_role_reaches_django_admin_rights() -> None:
    person, admin = UserFactory(role=Role.AGENT), UserFactory(role=Role.ADMIN)
    assert not person.is_staff and not person.is_superuser
    services.change_role_and_team(person, role=Role.ADMIN, team=None, actor=admin)
    person.refresh_from_db()
    assert person.is_staff and person.is_superuser
    services.change_role_and_team(person, role=Role.TEAM_LEAD, team=None, actor=admin)
    person.refresh_from_db()
    assert not person.is_staff and not person.is_superuser


def test_leavers_drop_out_of_team_lists_but_keep_their_record() -> None:
    team = TeamFactory()
    stays = UserFactory(team=team)
    leaves = UserFactory(team=team)
    services.deactivate_person(leaves)
    listed = next(t for t in teams_with_members() if t.pk == team.pk)
    assert listed.member_count == 1
    assert listed.active_members == [stays]
    leaves.refresh_from_db()
    assert leaves.team == team
