from __future__ import annotations

from collections.abc import Callable

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from careloop.core.permissions import Role
from careloop.people.models import Team, User
from careloop.people.selectors import current_organisation
from tests.people.factories import TeamFactory

pytestmark = pytest.mark.django_db


def hours_post(open_days: dict[int, tuple[str, str]]) -> dict[str, str]:
    data = {
        "hours-TOTAL_FORMS": "7",
        "hours-INITIAL_FORMS": "7",
        "hours-MIN_NUM_FORMS": "7",
        "hours-MAX_NUM_FORMS": "7",
    }
    for day in range(7):
        data[f"hours-{day}-weekday"] = str(day)
        if day in open_days:
            data[f"hours-{day}-is_open"] = "on"
            data[f"hours-{day}-opens"], data[f"hours-{day}-closes"] = open_days[day]
    return data


def test_admin_saves_organisation_settings(client_as: Callable[[Role], Client]) -> None:
    response = client_as(Role.ADMIN).post(
        reverse("people:organisation"),
        {
            "name": "Harbour Care",
            "time_zone": "America/New_York",
            "values": "Listen first\nOwn the outcome",
            **hours_post({0: ("08:00", "16:00"), 4: ("09:00", "13:00")}),
        },
    )
    assert response.status_code == 302
    organisation = current_organisation()
    assert organisation.name == "Harbour Care"
    assert [str(h) for h in organisation.business_hours.all()] == [
        "Monday 08:00–16:00",
        "Friday 09:00–13:00",
    ]
    assert [v.name for v in organisation.values.all()] == ["Listen first", "Own the outcome"]


def test_opening_after_closing_is_refused_and_nothing_changes(
    client_as: Callable[[Role], Client],
) -> None:
    before = current_organisation().name
    response = client_as(Role.ADMIN).post(
        reverse("people:organisation"),
        {
            "name": "Changed",
            "time_zone": "UTC",
            "values": "",
            **hours_post({0: ("17:00", "09:00")}),
        },
    )
    assert response.status_code == 200
    assert "Opening time must be before closing time." in response.content.decode()
    assert current_organisation().name == before


def test_people_partner_adds_a_person_who_is_invited(
    client_as: Callable[[Role], Client], django_capture_on_commit_callbacks
) -> None:
    team = TeamFactory(name="Billing", slug="billing")
    with django_capture_on_commit_callbacks(execute=True):
        response = client_as(Role.PEOPLE_PARTNER).post(
            reverse("people:person-add"),
            {
                "full_name": "Noor Aziz",
                "email": "noor@example.test",
                "role": "team_lead",
                "team": team.pk,
            },
        )
    assert response.status_code == 302
    person = User.objects.get(email="noor@example.test")
    assert (person.role, person.team) == (Role.TEAM_LEAD, team)
    assert mail.outbox[-1].to == ["noor@example.test"]


def test_the_customer_role_cannot_be_given_to_an_employee(
    client_as: Callable[[Role], Client],
) -> None:
    response = client_as(Role.ADMIN).post(
        reverse("people:person-add"),
        {"full_name": "Not Staff", "email": "c@example.test", "role": "customer"},
    )
    assert response.status_code == 200
    assert not User.objects.filter(email="c@example.test").exists()


def test_a_duplicate_email_is_refused_with_a_clear_message(
    client_as: Callable[[Role], Client],
) -> None:
    client = client_as(Role.ADMIN)
    payload = {"full_name": "Ana", "email": "ana@example.test", "role": "agent"}
    client.post(reverse("people:person-add"), payload)
    response = client.post(reverse("people:person-add"), {**payload, "email": "ANA@example.test"})
    assert "already here" in response.content.decode()
    assert User.objects.filter(email__iexact="ana@example.test").count() == 1


def test_team_names_are_unique_ignoring_case(client_as: Callable[[Role], Client]) -> None:
    client = client_as(Role.ADMIN)
    client.post(reverse("people:team-create"), {"name": "Escalations"})
    response = client.post(reverse("people:team-create"), {"name": "escalations"})
    assert response.status_code == 200
    assert Team.objects.filter(name__iexact="escalations").count() == 1


def test_team_page_escapes_names(client_as: Callable[[Role], Client]) -> None:
    TeamFactory(name="<script>alert(1)</script>", slug="xss")
    body = client_as(Role.AGENT).get(reverse("people:teams")).content.decode()
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body


def test_admin_lists_holidays_and_bad_lines_are_explained(
    client_as: Callable[[Role], Client],
) -> None:
    client = client_as(Role.ADMIN)
    base = {"name": "Harbour Care", "time_zone": "UTC", "values": "", **hours_post({})}
    client.post(
        reverse("people:organisation"),
        {**base, "holidays": "2026-12-25 Christmas Day\n\n2027-01-01 New Year"},
    )
    organisation = current_organisation()
    assert [str(h) for h in organisation.holidays.all()] == [
        "Christmas Day (2026-12-25)",
        "New Year (2027-01-01)",
    ]
    response = client.post(reverse("people:organisation"), {**base, "holidays": "25/12 Xmas"})
    assert "Line 1: start with a date written as YYYY-MM-DD." in response.content.decode()
    assert organisation.holidays.count() == 2
