from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.urls import reverse

from careloop.core.permissions import Role
from careloop.people.models import Team
from careloop.pulse.models import RosterEvent
from careloop.pulse.selectors import roster as selectors
from careloop.pulse.services import roster as services
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

GOOD_CSV = """date,team,name,change,reason,note
2026-03-02,Frontline,Ana Silva,left,voluntary,moved city
2026-03-20,frontline,Ben Okoro,joined,,
2026-03-25,Frontline,Cara Diaz,leaver,involuntary,
"""


@pytest.fixture
def frontline() -> object:
    team = TeamFactory(name="Frontline", slug="frontline")
    for _ in range(10):
        UserFactory(team=team)
    return team


def test_a_csv_imports_joiners_and_leavers(frontline: object) -> None:
    result = services.import_roster_csv(GOOD_CSV, by=UserFactory(role=Role.PEOPLE_PARTNER))
    assert (result.created, result.errors) == (3, [])
    assert RosterEvent.objects.filter(change="left").count() == 2


def test_a_bad_row_stops_the_import_and_is_named_with_its_fault(frontline: object) -> None:
    text = GOOD_CSV + "2026-13-01,Nowhere,,stayed,\n2026-04-01,Frontline,Dee,left,\n"
    result = services.import_roster_csv(text, by=UserFactory(role=Role.PEOPLE_PARTNER))
    assert result.created == 0
    assert RosterEvent.objects.count() == 0
    assert result.errors[0].startswith("Row 5:")
    assert "not a date" in result.errors[0] and "no team called 'Nowhere'" in result.errors[0]
    assert "the name is empty" in result.errors[0] and "not joined or left" in result.errors[0]
    assert result.errors[1] == "Row 6: a leaver needs reason voluntary or involuntary."


def test_a_file_without_the_needed_columns_is_refused(frontline: object) -> None:
    result = services.import_roster_csv("when,who\n2026-01-01,Ana\n", by=UserFactory())
    assert result.errors and "Missing column(s): date, team, name, change" in result.errors[0]


def test_monthly_turnover_is_leavers_over_average_headcount(frontline: object) -> None:
    services.import_roster_csv(GOOD_CSV, by=UserFactory(role=Role.PEOPLE_PARTNER))
    march = selectors.monthly_turnover(frontline, 2026, 3)
    # Today 10; at the end of March 10 (nothing later), at its start 10 − 1 joiner + 2 leavers.
    assert march.average_headcount == (11 + 10) / 2
    assert (march.leavers, march.voluntary, march.involuntary, march.joiners) == (2, 1, 1, 1)
    assert march.rate == round(100 * 2 / 10.5, 1)
    series = selectors.turnover_series(frontline, datetime.date(2026, 6, 30), months=6)
    assert selectors.annual_turnover(series) == march.rate
    assert selectors.annualised_turnover(series) == round(march.rate * 12 / 6, 1)


def test_the_roster_page_shows_row_errors_after_a_failed_import(
    frontline: object, client: Client
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client.force_login(UserFactory(role=Role.PEOPLE_PARTNER))
    upload = SimpleUploadedFile(
        "roster.csv", b"date,team,name,change\nyesterday,Frontline,Al,left\n"
    )
    response = client.post(reverse("pulse:roster-import"), {"file": upload}, follow=True)
    assert b"Row 2:" in response.content
    assert RosterEvent.objects.count() == 0


def test_a_people_partner_records_a_leaver_on_the_roster_page(
    frontline: object, client: Client
) -> None:
    client.force_login(UserFactory(role=Role.PEOPLE_PARTNER))
    response = client.post(
        reverse("pulse:roster"),
        {
            "team": frontline.pk,  # type: ignore[attr-defined]
            "person_name": "Ana Silva",
            "change": "left",
            "on": "2026-05-04",
            "reason": "",
        },
    )
    assert response.status_code == 200
    assert b"voluntary or involuntary" in response.content
    client.post(
        reverse("pulse:roster"),
        {
            "team": frontline.pk,  # type: ignore[attr-defined]
            "person_name": "Ana Silva",
            "change": "left",
            "on": "2026-05-04",
            "reason": "voluntary",
        },
    )
    assert RosterEvent.objects.get().reason == "voluntary"


def test_turnover_of_every_team_at_once_equals_each_team_month_on_its_own() -> None:
    teams = [TeamFactory(name="Frontline"), TeamFactory(name="Billing"), TeamFactory(name="Empty")]
    for team, size in zip(teams, (7, 5, 0), strict=True):
        for _ in range(size):
            UserFactory(team=team)
    partner = UserFactory(role=Role.PEOPLE_PARTNER)
    today = datetime.date.today()
    for offset, (team, change, reason) in enumerate(
        [
            (teams[0], "left", "voluntary"),
            (teams[0], "joined", ""),
            (teams[1], "left", "involuntary"),
            (teams[0], "left", "voluntary"),
            (teams[1], "joined", ""),
            (teams[1], "left", "voluntary"),
        ]
    ):
        services.record_roster_event(
            services.RosterEventDraft(
                team=team,
                person_name=f"Person {offset}",
                change=change,
                on=today - datetime.timedelta(days=25 * offset + 3),
                reason=reason,
            ),
            by=partner,
        )
    months = selectors.last_months(today, 8)
    grouped = selectors.monthly_turnover_by_team(months)
    assert len(grouped) == len(months) * Team.objects.count()
    for team in teams:
        for year, month in months:
            assert grouped[(team.pk, year, month)] == selectors.monthly_turnover(team, year, month)
    assert any(result.leavers for result in grouped.values())
