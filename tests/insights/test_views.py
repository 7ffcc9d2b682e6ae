from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse

from careloop.core import calendar
from careloop.core.audit import AuditEvent
from careloop.core.permissions import Role
from careloop.insights import rollups
from careloop.insights.models import DailyRollup
from careloop.insights.sources import (
    CultureValue,
    register_culture_source,
    unregister_culture_source,
)
from tests.people.factories import TEST_PASSWORD, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def lead_client(client: Client) -> Client:
    lead = UserFactory(role=Role.TEAM_LEAD)
    client.login(email=lead.email, password=TEST_PASSWORD)
    return client


def _rollup(**counters: int) -> DailyRollup:
    return DailyRollup.objects.create(
        day=calendar.today(), team=TeamFactory(name="Trail"), channel="email", **counters
    )


def test_dashboard_shows_figures_with_definitions_and_response_rates(lead_client: Client) -> None:
    _rollup(csat_positive=3, csat_total=4, post_surveys_sent=8, conversations_created=5)
    page = lead_client.get(reverse("insights:dashboard")).content.decode()
    assert 'data-testid="value-csat">75.0' in page
    assert 'Response rate: <span data-testid="value-csat_response_rate">50.0 %' in page
    assert "<details><summary>Definition</summary>" in page
    assert 'id="insights-series"' in page
    assert "<script>" not in page  # strict CSP: data travels in json_script only


def test_each_tile_shows_its_change_against_the_previous_period(lead_client: Client) -> None:
    current = _rollup(csat_positive=3, csat_total=4, first_response_count=1)
    DailyRollup.objects.filter(pk=current.pk).update(first_response_business_seconds=3600)
    DailyRollup.objects.create(
        day=current.day - datetime.timedelta(days=35),
        team=current.team,
        channel="email",
        csat_positive=1,
        csat_total=2,
        first_response_count=1,
        first_response_business_seconds=3 * 3600,
    )

    response = lead_client.get(reverse("insights:dashboard"), {"period": "30"})
    rows = response.context["rows"]
    page = response.content.decode()

    assert (rows["csat"]["change"], rows["csat"]["trend"]) == (25.0, "better")
    assert rows["first_response_business_hours"]["change"] == -2.0
    assert rows["first_response_business_hours"]["trend"] == "better"
    assert rows["nps"]["change"] is None
    assert "▲ +25.0 points against the previous period (better)" in page


def test_filters_narrow_to_a_team_and_a_channel(lead_client: Client) -> None:
    row = _rollup(csat_positive=1, csat_total=1)
    DailyRollup.objects.create(day=row.day, team=TeamFactory(), channel="chat", csat_total=1)
    page = lead_client.get(
        reverse("insights:dashboard"), {"team": row.team_id, "channel": "email", "period": "7"}
    ).content.decode()
    assert 'data-testid="value-csat">100.0' in page


def test_a_backwards_period_is_refused_with_a_clear_message(lead_client: Client) -> None:
    page = lead_client.get(
        reverse("insights:dashboard"), {"start": "2026-03-05", "end": "2026-03-01"}
    ).content.decode()
    assert "The end date comes before the start date." in page


def test_csv_export_lists_every_metric_with_its_definition_and_is_audited(
    client: Client,
) -> None:
    _rollup(reopened=1, conversations_solved=4)
    client.force_login(UserFactory(role=Role.CX_LEADER))
    response = client.get(reverse("insights:export"), {"period": "30"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    blank = rows.index([])
    by_metric = {row[0]: row for row in rows[1:blank]}
    assert rows[blank + 1][:3] == ["from", "Conversations", "CSAT"]
    culture = rows.index([], blank + 1)
    assert culture == blank + 3  # one week with data
    assert rows[culture + 1][:2] == ["team", "Team empathy (coach's reply scores)"]
    assert "Trail" in [row[0] for row in rows[culture + 2 :]]
    assert by_metric["Reopen rate"][1] == "25.0"
    assert by_metric["Reopen rate"][7].startswith("Conversations first solved")
    assert AuditEvent.objects.filter(action="insights.export").count() == 1


def test_agents_do_not_see_insights(client: Client) -> None:
    agent = UserFactory(role=Role.AGENT)
    client.login(email=agent.email, password=TEST_PASSWORD)
    assert client.get(reverse("insights:dashboard")).status_code == 403


def test_culture_page_explains_itself_without_enough_data(lead_client: Client) -> None:
    page = lead_client.get(reverse("insights:culture")).content.decode()
    assert "Correlation is not causation" in page
    assert 'data-testid="correlation-n">0<' in page


def test_definitions_page_lists_retention(lead_client: Client) -> None:
    page = lead_client.get(reverse("insights:definitions")).content.decode()
    assert "(E − N) ÷ S × 100" in page
    assert 'id="one_touch_rate"' in page


def test_a_custom_period_counts_its_retention_in_a_request_of_its_own(
    lead_client: Client,
) -> None:
    from careloop.conversations.models import Channel
    from careloop.conversations.services.conversations import receive_customer_message
    from careloop.insights import selectors
    from tests.conversations.factories import CustomerFactory

    for _ in range(3):
        receive_customer_message(CustomerFactory(), channel=Channel.EMAIL, body_text="Hello")
    rollups.rebuild(3)
    today = calendar.today()
    # Eleven days: no preset has that length, so nothing rolled it up.
    custom = {"start": str(today - datetime.timedelta(days=10)), "end": str(today)}

    page = lead_client.get(reverse("insights:dashboard"), custom).content.decode()
    assert 'hx-get="/insights/retention/?' in page
    assert 'data-testid="value-retention"' not in page
    figure = lead_client.get(reverse("insights:retention"), custom).content.decode()
    counted = selectors.retention(
        selectors.Scope(
            datetime.date.fromisoformat(custom["start"]), datetime.date.fromisoformat(custom["end"])
        )
    )
    assert counted.at_end == 3
    assert f"{counted.at_end} at the end, {counted.new} new" in figure

    preset = lead_client.get(reverse("insights:dashboard"), {"period": "30"}).content.decode()
    assert 'data-testid="value-retention"' in preset
    assert "hx-get" not in preset.split('data-testid="metric-retention"')[1].split("</article>")[0]


@pytest.fixture
def two_teams_culture() -> Iterator[dict[str, object]]:
    """Culture values (and next-month outcomes) for two teams over the last five months."""
    own, other = TeamFactory(name="Harbour"), TeamFactory(name="Meadow")
    this_month = calendar.today().replace(day=1)
    months = [this_month]
    while len(months) < 6:
        months.insert(0, (months[0] - datetime.timedelta(days=1)).replace(day=1))
    values = []
    for index, month in enumerate(months):
        for team, base in ((own, 0.3), (other, 0.8)):
            values.append(CultureValue(team.pk, month, base + 0.01 * index, 6))
            DailyRollup.objects.create(
                day=month + datetime.timedelta(days=3),
                team=team,
                channel="email",
                csat_positive=3 + index,
                csat_total=10,
            )
    register_culture_source("test-safety", "Test safety", lambda first, last: values)
    yield {"own": own, "other": other}
    unregister_culture_source("test-safety")


def test_a_lead_sees_culture_figures_of_their_own_team_only(
    client: Client, two_teams_culture: dict
) -> None:
    """Finding 10: every team's psychological safety and eNPS reached every team lead."""
    own, other = two_teams_culture["own"], two_teams_culture["other"]
    client.force_login(UserFactory(role=Role.TEAM_LEAD, team=own))

    page = client.get(reverse("insights:dashboard"))
    assert [row.team for row in page.context["team_culture"]] == [own]
    for chart in page.context["culture_charts"]["charts"]:
        assert [dataset["label"] for dataset in chart["datasets"]] == ["Harbour"]
    assert "Meadow" not in page.content.decode().split('data-testid="team-culture"')[1]
    filtered = client.get(reverse("insights:dashboard"), {"team": other.pk})
    assert filtered.context["team_culture"] == []

    rows = list(csv.reader(io.StringIO(client.get(reverse("insights:export")).content.decode())))
    teams_in_culture_table = [row[0] for row in rows[_culture_header(rows) + 1 :]]
    assert teams_in_culture_table == ["Harbour"]

    analytics_page = client.get(reverse("insights:culture"), {"culture": "test-safety"})
    assert analytics_page.context["points"]
    assert {point.team_id for point in analytics_page.context["points"]} == {own.pk}
    assert set(analytics_page.context["teams"]) == {own.pk}


def test_culture_leaders_see_every_team(client: Client, two_teams_culture: dict) -> None:
    client.force_login(UserFactory(role=Role.PEOPLE_PARTNER, team=None))
    page = client.get(reverse("insights:dashboard"))
    assert {row.team.name for row in page.context["team_culture"]} >= {"Harbour", "Meadow"}
    rows = list(csv.reader(io.StringIO(client.get(reverse("insights:export")).content.decode())))
    assert {"Harbour", "Meadow"} <= {row[0] for row in rows[_culture_header(rows) + 1 :]}


def _culture_header(rows: list[list[str]]) -> int:
    return next(i for i, row in enumerate(rows) if row[:1] == ["team"])


@pytest.mark.parametrize("query", [{}, {"outcome": "csat"}])
def test_the_analytics_period_shown_is_the_period_computed(
    lead_client: Client, query: dict[str, str]
) -> None:
    page = lead_client.get(reverse("insights:culture"), query).content.decode()

    assert '<option value="12" selected>12 months</option>' in page
    assert '<option value="6" selected>' not in page
