from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
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


def _turnover_table_team_by_team(
    until: datetime.date,
) -> tuple[list[selectors.TurnoverColumn], list[selectors.TurnoverRow]]:
    """The roster page's table as it was first computed: each team and month on its own."""
    columns = []
    for team in [None, *Team.objects.all()]:
        series = selectors.turnover_series(team, until)
        columns.append(
            selectors.TurnoverColumn(
                team, series, selectors.annual_turnover(series), selectors.headcount_on(team, until)
            )
        )
    rows = [
        selectors.TurnoverRow(month.label, [column.series[index] for column in columns])
        for index, month in enumerate(columns[0].series)
    ]
    return columns, rows


def _roster_event(team: Team, on: datetime.date, change: str, reason: str = "") -> None:
    RosterEvent.objects.create(
        team=team, person_name=f"Person on {on}", change=change, on=on, reason=reason
    )


def test_the_turnover_table_equals_each_team_and_month_computed_on_its_own() -> None:
    frontline, billing, shrunk, empty = (
        TeamFactory(name=name) for name in ("Frontline", "Billing", "Shrunk", "Empty")
    )
    for team, size in ((frontline, 6), (billing, 3), (shrunk, 1)):
        for _ in range(size):
            UserFactory(team=team)
    # Counted nowhere: someone who left, a customer and an employee without a team.
    UserFactory(team=frontline, is_active=False)
    UserFactory(team=billing, role=Role.CUSTOMER)
    UserFactory(team=None)
    until = datetime.date(2026, 5, 20)
    for team, on, change, reason in [
        (frontline, datetime.date(2025, 3, 9), "left", "voluntary"),  # before the twelve months
        (frontline, datetime.date(2025, 6, 1), "left", "voluntary"),  # the first month's first day
        (frontline, datetime.date(2025, 9, 14), "joined", ""),
        (frontline, datetime.date(2026, 1, 31), "left", "involuntary"),
        (billing, datetime.date(2025, 11, 3), "left", "voluntary"),
        (billing, datetime.date(2025, 11, 28), "left", "involuntary"),
        (billing, datetime.date(2026, 5, 20), "joined", ""),  # on the day itself
        (billing, datetime.date(2026, 5, 21), "left", "voluntary"),  # after it, this month
        (frontline, datetime.date(2026, 7, 2), "joined", ""),  # in a later month
        # More joiners later than members today: the headcount before them stops at nought.
        (shrunk, datetime.date(2026, 2, 10), "joined", ""),
        (shrunk, datetime.date(2026, 3, 10), "joined", ""),
        (shrunk, datetime.date(2026, 4, 10), "left", "voluntary"),
        (shrunk, datetime.date(2026, 6, 10), "joined", ""),
    ]:
        _roster_event(team, on, change, reason)

    columns, rows = selectors.turnover_table(until)

    assert (columns, rows) == _turnover_table_team_by_team(until)
    assert [column.team for column in columns] == [None, billing, empty, frontline, shrunk]
    assert [row.label for row in rows][0::11] == ["Jun 2025", "May 2026"]
    assert [column.headcount for column in columns] == [9, 4, 0, 5, 0]
    assert all(column.annual for column in columns if column.team not in (None, empty))


def _roster_page_queries(client: Client, teams: int) -> tuple[int, int]:
    """The queries of `turnover_table` and of the whole roster page with `teams` teams."""
    for number in range(Team.objects.count(), teams):
        team = TeamFactory(name=f"Team {number:03}")
        UserFactory(team=team)
        _roster_event(
            team, datetime.date.today() - datetime.timedelta(days=40), "left", "voluntary"
        )
    assert Team.objects.count() == teams
    with CaptureQueriesContext(connection) as table:
        selectors.turnover_table(datetime.date.today())
    with CaptureQueriesContext(connection) as page:
        assert client.get(reverse("pulse:roster")).status_code == 200
    return len(table), len(page)


def test_the_roster_page_makes_as_many_queries_for_thirty_teams_as_for_three(
    client: Client,
) -> None:
    client.force_login(UserFactory(role=Role.PEOPLE_PARTNER, team=TeamFactory(name="Team 000")))
    client.get(reverse("pulse:roster"))  # the session and the like, read once

    table_with_three, page_with_three = _roster_page_queries(client, 3)
    table_with_thirty, page_with_thirty = _roster_page_queries(client, 30)

    assert table_with_three == table_with_thirty == 3
    assert page_with_three == page_with_thirty
