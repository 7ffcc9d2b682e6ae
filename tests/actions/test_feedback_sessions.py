from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from careloop.actions import selectors, services
from careloop.actions.models import ActionItem, FeedbackSession
from careloop.core.permissions import Role
from careloop.people.models import User
from tests.actions.factories import FeedbackSessionFactory
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def test_a_lead_schedules_a_recurring_session_with_a_person(client: Client) -> None:
    lead, person = UserFactory(role=Role.TEAM_LEAD), UserFactory()
    response = signed_in(client, lead).post(
        reverse("actions:session-create"),
        {
            "title": "One-to-one",
            "person": person.pk,
            "next_on": "2030-03-01",
            "recurrence_days": 14,
        },
    )
    session = FeedbackSession.objects.get()
    assert response["Location"] == reverse("actions:session", kwargs={"session_id": session.pk})
    assert (session.lead, session.person, session.next_on) == (
        lead,
        person,
        datetime.date(2030, 3, 1),
    )


def test_a_session_is_with_a_person_or_a_team_not_both(client: Client) -> None:
    response = signed_in(client, UserFactory(role=Role.TEAM_LEAD)).post(
        reverse("actions:session-create"),
        {
            "title": "Mixed",
            "person": UserFactory().pk,
            "team": TeamFactory().pk,
            "next_on": "2030-03-01",
            "recurrence_days": 7,
        },
    )
    assert response.status_code == 200
    assert "Choose either one person or one team" in response.content.decode()
    assert not FeedbackSession.objects.exists()
    with pytest.raises(ValidationError):
        services.create_feedback_session(
            lead=UserFactory(), title="Nobody", next_on=datetime.date(2030, 1, 1)
        )


def test_both_sides_add_to_the_agenda_beforehand(client: Client) -> None:
    session = FeedbackSessionFactory()
    url = reverse("actions:session", kwargs={"session_id": session.pk})
    signed_in(client, session.person).post(url, {"agenda-text": "Weekend rota <b>fairness</b>"})
    signed_in(client, session.lead).post(url, {"agenda-text": "Your QA scores"})

    agenda = list(session.agenda_items.values_list("author", "text"))
    assert agenda == [
        (session.person.pk, "Weekend rota <b>fairness</b>"),
        (session.lead.pk, "Your QA scores"),
    ]
    body = client.get(url).content.decode()
    assert "Weekend rota &lt;b&gt;fairness&lt;/b&gt;" in body


def test_a_session_is_visible_only_to_its_participants(client: Client) -> None:
    team = TeamFactory()
    one_to_one = FeedbackSessionFactory()
    team_session = FeedbackSessionFactory(person=None, team=team)
    member, outsider = UserFactory(team=team), UserFactory(role=Role.CX_LEADER)

    assert list(selectors.sessions_for(member)) == [team_session]
    assert not selectors.sessions_for(outsider).exists()
    client = signed_in(client, outsider)
    url = reverse("actions:session", kwargs={"session_id": one_to_one.pk})
    assert client.get(url).status_code == 404
    assert client.post(url, {"agenda-text": "Snooping"}).status_code == 404
    assert not one_to_one.agenda_items.exists()
    with pytest.raises(PermissionDenied):
        services.add_agenda_item(one_to_one, author=outsider, text="Snooping")


def test_the_lead_records_notes_and_actions_go_into_the_ledger(client: Client) -> None:
    session = FeedbackSessionFactory(next_on=datetime.date(2030, 3, 1), recurrence_days=14)
    url = reverse("actions:session", kwargs={"session_id": session.pk})
    signed_in(client, session.lead).post(
        url,
        {
            "record-notes": "Talked about the rota.",
            "record-actions": "Swap two Saturday shifts\n\nShadow a senior on refunds",
        },
    )
    session.refresh_from_db()
    assert session.notes == "Talked about the rota."
    assert session.next_on == datetime.date(2030, 3, 15)
    items = ActionItem.objects.order_by("pk")
    assert [item.title for item in items] == [
        "Swap two Saturday shifts",
        "Shadow a senior on refunds",
    ]
    assert {(i.owner, i.source_kind, i.source_id, i.source_label) for i in items} == {
        (session.person, "feedback_session", session.pk, session.title)
    }


def test_only_the_lead_records_the_session(client: Client) -> None:
    session = FeedbackSessionFactory()
    url = reverse("actions:session", kwargs={"session_id": session.pk})
    response = signed_in(client, session.person).post(
        url, {"record-notes": "All good", "record-actions": "Give me a raise"}
    )
    assert response.status_code == 403
    assert not ActionItem.objects.exists()


def test_recording_a_late_session_schedules_the_next_one_after_today() -> None:
    today = datetime.date(2030, 3, 20)
    session = FeedbackSessionFactory(next_on=datetime.date(2030, 3, 1), recurrence_days=7)
    assert services.next_session_date(session, today) == datetime.date(2030, 3, 22)
    session.next_on = today
    assert services.next_session_date(session, today) == datetime.date(2030, 3, 27)
