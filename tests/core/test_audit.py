from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from careloop.core.audit import audit_events_for, audit_log, record_audit
from careloop.core.permissions import Role
from careloop.people.models import User
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_entry_keeps_who_did_what_to_which_object() -> None:
    reader = UserFactory(role=Role.PEOPLE_PARTNER)
    other = UserFactory()
    record_audit(reader, "person.read", other, summary="opened profile")
    [event] = audit_events_for(other)
    assert (event.actor, event.actor_label, event.actor_role) == (
        reader,
        reader.email,
        "people_partner",
    )
    assert (event.action, event.target_type, event.target_id) == (
        "person.read",
        "people.user",
        str(other.pk),
    )


def test_the_trail_outlives_the_actor() -> None:
    reader = UserFactory()
    record_audit(reader, "person.read")
    email = reader.email
    User.objects.filter(pk=reader.pk).delete()
    [event] = audit_log()
    assert event.actor is None and event.actor_label == email


def test_system_entries_have_no_actor() -> None:
    event = record_audit(None, "retention.purge", summary="12 messages")
    assert event.actor is None and event.actor_label == ""


def test_admins_read_the_log_filtered_by_domain(client_as: Callable[[Role], Client]) -> None:
    record_audit(None, "concern.read")
    record_audit(None, "gesture.approved")
    page = client_as(Role.ADMIN).get(reverse("core:audit-log"), {"q": "concern."})
    assert page.status_code == 200
    assert b"concern.read" in page.content and b"gesture.approved" not in page.content


def test_changes_in_the_django_admin_are_audited(client_as: Callable[[Role], Client]) -> None:
    from careloop.people.models import Team

    client = client_as(Role.ADMIN)
    team = Team.objects.create(name="Night shift", slug="night-shift")
    client.post(
        reverse("admin:people_team_change", args=[team.pk]),
        {"name": "Night owls", "slug": "night-shift", "description": "", "auto_assign": ""},
    )
    [event] = audit_log(action_prefix="admin.")
    assert (event.action, event.target_type, event.target_id) == (
        "admin.changed",
        "people.team",
        str(team.pk),
    )


def test_role_changes_and_api_keys_are_audited() -> None:
    from careloop.api.services import create_api_key, revoke_api_key
    from careloop.people.services import change_role_and_team

    admin = UserFactory(role=Role.ADMIN)
    person = UserFactory(role=Role.AGENT)
    change_role_and_team(person, role=Role.TEAM_LEAD, team=person.team, actor=admin)
    key, _ = create_api_key(name="Shop", owner=person, scopes=["care:read"], created_by=admin)
    revoke_api_key(key, actor=admin)
    assert [event.action for event in audit_log()] == [
        "api_key.revoked",
        "api_key.created",
        "person.role_changed",
    ]


def test_additions_and_deletions_of_several_in_the_django_admin_are_audited(
    client_as: Callable[[Role], Client],
) -> None:
    from careloop.people.models import Team

    client = client_as(Role.ADMIN)
    client.post(
        reverse("admin:people_team_add"),
        {"name": "Early birds", "slug": "early-birds", "description": "", "auto_assign": ""},
    )
    added = Team.objects.get(slug="early-birds")
    other = Team.objects.create(name="Weekend", slug="weekend")
    client.post(
        reverse("admin:people_team_changelist"),
        {"action": "delete_selected", "_selected_action": [added.pk, other.pk], "post": "yes"},
    )
    assert not Team.objects.filter(pk__in=[added.pk, other.pk]).exists()
    assert sorted(
        (event.action, event.target_id) for event in audit_log(action_prefix="admin.")
    ) == [
        ("admin.added", str(added.pk)),
        ("admin.deleted", str(added.pk)),
        ("admin.deleted", str(other.pk)),
    ]
