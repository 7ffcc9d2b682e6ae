"""The insights figures through the API: every metric with its definition, culture by policy."""

from __future__ import annotations

import datetime
from collections.abc import Iterator

import pytest
from django.urls import reverse

from careloop.api.scopes import Scope
from careloop.core import calendar
from careloop.core.permissions import Role
from careloop.insights.definitions import METRICS
from careloop.insights.models import DailyRollup
from careloop.insights.sources import (
    MIN_GROUP,
    CultureValue,
    register_culture_source,
    unregister_culture_source,
)
from careloop.people.models import Team
from tests.fixtures.api import ClientMaker
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

METRICS_URL = "api:insights-metrics"


@pytest.fixture
def teams() -> Iterator[dict[str, Team]]:
    """Two teams with customer figures today, and a culture measure each (Meadow's too few)."""
    own, other, small = TeamFactory(name="Harbour"), TeamFactory(name="Meadow"), TeamFactory()
    month = calendar.first_of_month(calendar.today())
    values = [
        CultureValue(own.pk, month, 5.5, MIN_GROUP),
        CultureValue(other.pk, month, 4.0, MIN_GROUP + 3),
        CultureValue(small.pk, month, 1.0, MIN_GROUP - 1),
    ]
    register_culture_source("test-safety", "Test safety", lambda first, last: values, "Testing.")
    for team, positive in ((own, 3), (other, 1)):
        DailyRollup.objects.create(
            day=calendar.today(), team=team, channel="email", csat_positive=positive, csat_total=4
        )
    yield {"own": own, "other": other, "small": small}
    unregister_culture_source("test-safety")


def test_every_dashboard_metric_comes_with_its_definition_and_value(
    teams: dict[str, Team], api_as: ClientMaker
) -> None:
    response = api_as(Role.CX_LEADER).get(reverse(METRICS_URL))

    assert response.status_code == 200
    metrics = {row["key"]: row for row in response.json()["metrics"]}
    assert set(metrics) == set(METRICS)
    assert metrics["csat"]["value"] == 50.0  # 4 of 8 answers rated 4 or 5
    assert metrics["csat"]["definition"] == METRICS["csat"][2]
    assert {"nps", "ces", "first_response_business_hours", "resolution_hours"} <= set(metrics)
    assert metrics["first_response_hours"]["lower_is_better"]
    today = calendar.today()
    assert response.json()["period"] == {
        "first": str(today - datetime.timedelta(days=29)),
        "last": str(today),
    }


def test_a_team_and_period_narrow_the_figures(teams: dict[str, Team], api_as: ClientMaker) -> None:
    client = api_as(Role.CX_LEADER)
    own = client.get(reverse(METRICS_URL), {"team": teams["own"].pk})
    last_year = client.get(
        reverse(METRICS_URL),
        {"end": str(calendar.today() - datetime.timedelta(days=365)), "days": 7},
    )
    unknown_team = client.get(reverse(METRICS_URL), {"team": 10**12})
    too_long = client.get(reverse(METRICS_URL), {"days": 5000})
    ancient = client.get(reverse(METRICS_URL), {"end": "0001-01-01"})
    empty_or_odd = [
        client.get(reverse(METRICS_URL), query).status_code
        for query in ({"end": ""}, {"days": ""}, {"days": "7.0"}, {"team": "²"})
    ]

    csat = {row["key"]: row["value"] for row in own.json()["metrics"]}["csat"]
    assert csat == 75.0
    assert {row["key"]: row["value"] for row in last_year.json()["metrics"]}["csat"] is None
    assert unknown_team.status_code == 404
    assert too_long.status_code == 400 and ancient.status_code == 400
    assert empty_or_odd == [400, 400, 400, 400]


def test_a_lead_sees_culture_figures_of_their_own_team_only(
    teams: dict[str, Team], api_as: ClientMaker
) -> None:
    lead = UserFactory(role=Role.TEAM_LEAD, team=teams["own"])

    mine = api_as(owner=lead).get(reverse(METRICS_URL)).json()["team_culture"]
    filtered_to_other = api_as(owner=lead).get(reverse(METRICS_URL), {"team": teams["other"].pk})
    everyone = api_as(Role.PEOPLE_PARTNER).get(reverse(METRICS_URL)).json()["team_culture"]

    assert [row["team"] for row in mine] == ["Harbour"]
    (measure,) = [m for m in mine[0]["measures"] if m["key"] == "test-safety"]
    assert measure == {
        "key": "test-safety",
        "label": "Test safety",
        "definition": "Testing.",
        "value": 5.5,
    }
    assert filtered_to_other.json()["team_culture"] == []
    by_team = {row["team"]: {m["key"]: m["value"] for m in row["measures"]} for row in everyone}
    assert by_team["Meadow"]["test-safety"] == 4.0
    # Below the privacy minimum nothing is shown, to anyone.
    assert by_team[teams["small"].name]["test-safety"] is None


def test_insights_need_the_scope_and_a_role_that_reads_them(
    teams: dict[str, Team], api_as: ClientMaker
) -> None:
    assert api_as(Role.AGENT).get(reverse(METRICS_URL)).status_code == 403
    without_scope = api_as(Role.ADMIN, scopes=[Scope.PULSE_READ])
    assert without_scope.get(reverse(METRICS_URL)).status_code == 403
