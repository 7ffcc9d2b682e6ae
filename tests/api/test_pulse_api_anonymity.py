"""The pulse API shows no group under the survey's minimum, directly, by filter or by difference."""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import pytest
from django.urls import reverse

from careloop.api.scopes import Scope
from careloop.core.models import AuditEvent
from careloop.core.permissions import Role
from careloop.people.models import Team, User
from careloop.pulse.models import DEFAULT_MIN_GROUP, Survey
from tests.fixtures.api import ClientMaker
from tests.people.factories import UserFactory
from tests.pulse.factories import answer_all, close, first_round, live_survey, next_round, team_of

pytestmark = pytest.mark.django_db


@dataclass
class Pulse:
    survey: Survey
    small: Team  # min − 1 answers: never shown
    edges: list[Team]  # exactly min answers each: one is shown, one hidden to protect small
    wide: Team  # min + 1 answers
    k: int

    @property
    def teams(self) -> list[Team]:
        return [self.small, *self.edges, self.wide]


@pytest.fixture
def pulse() -> Pulse:
    k = DEFAULT_MIN_GROUP
    small, small_people = team_of(k - 1, "Small")
    edge_a, edge_a_people = team_of(k, "Edge A")
    edge_b, edge_b_people = team_of(k, "Edge B")
    wide, wide_people = team_of(k + 1, "Wide")
    survey = live_survey()  # its first round asks everyone employed now
    assert survey.min_group_size == k
    pulse_round = first_round(survey)
    for person in small_people:
        answer_all(pulse_round, person, agreement=1, enps=0)
    for person in edge_a_people + edge_b_people + wide_people:
        answer_all(pulse_round, person, agreement=6, enps=9)
    close(pulse_round)
    return Pulse(survey, small, [edge_a, edge_b], wide, k)


def results_url(survey: Survey) -> str:
    return reverse("api:pulse-results", kwargs={"survey_id": survey.pk})


def get_results(client: Any, survey: Survey, teams: list[int] | None = None) -> Any:
    return client.get(results_url(survey), {"teams": teams} if teams else {})


def team_ids_of(key: str, pulse: Pulse) -> frozenset[int | None]:
    """The teams behind a group key; the organisation covers every team (and the teamless)."""
    if key == "organisation":
        return frozenset([None, *(team.pk for team in pulse.teams)])
    return frozenset(int(part) for part in key.split("-")[1:])


def test_the_smaller_group_never_appears_and_a_group_of_exactly_the_minimum_does(
    pulse: Pulse, api_as: ClientMaker
) -> None:
    response = get_results(api_as(Role.PEOPLE_PARTNER), pulse.survey)

    assert response.status_code == 200
    groups = {group["key"]: group for group in response.json()["groups"]}
    assert f"team-{pulse.small.pk}" not in groups
    assert all(group["label"] != "Small" for group in groups.values())
    assert all(group["responses"] >= pulse.k for group in groups.values())
    # Complementary suppression: one of the two teams of exactly k hides with Small, the other
    # (k answers, the minimum) shows.
    shown_edges = [team for team in pulse.edges if f"team-{team.pk}" in groups]
    assert len(shown_edges) == 1
    assert groups[f"team-{shown_edges[0].pk}"]["responses"] == pulse.k
    # Small is named only among the withheld groups, with a reason and no figure.
    withheld = {entry["label"]: entry["reason"] for entry in response.json()["withheld"]}
    assert "Small" in withheld and set(response.json()["withheld"][0]) == {"label", "reason"}


def test_no_filter_or_difference_of_filters_isolates_the_smaller_group(
    pulse: Pulse, api_as: ClientMaker
) -> None:
    client = api_as(Role.ADMIN)
    shown: dict[frozenset[int | None], int] = {}
    for group in get_results(client, pulse.survey).json()["groups"]:
        shown[team_ids_of(group["key"], pulse)] = group["responses"]
    team_ids = [team.pk for team in pulse.teams]
    for size in range(1, len(team_ids) + 1):
        for chosen in itertools.combinations(team_ids, size):
            response = get_results(client, pulse.survey, list(chosen))
            if pulse.small.pk in chosen:
                assert response.status_code == 403, chosen
                assert "combination is not shown" in response.json()["detail"]
                assert "groups" not in response.json()
                continue
            if response.status_code == 403:
                continue
            assert response.status_code == 200, chosen
            (group,) = response.json()["groups"]
            assert group["responses"] >= pulse.k
            shown[frozenset(chosen)] = group["responses"]
    assert len(shown) > 2  # the organisation, the visible teams and allowed combinations
    # Whatever two answers a client subtracts, what is left is empty or at least k people.
    for wider, narrower in itertools.permutations(shown, 2):
        if narrower < wider:
            left_out = shown[wider] - shown[narrower]
            assert left_out == 0 or left_out >= pulse.k, (wider, narrower)
            assert wider - narrower != {pulse.small.pk}


def test_a_lead_of_the_small_team_sees_the_organisation_only_and_cannot_filter_to_it(
    pulse: Pulse, api_as: ClientMaker
) -> None:
    lead = UserFactory(role=Role.TEAM_LEAD, team=pulse.small)
    client = api_as(owner=lead)

    keys = [group["key"] for group in get_results(client, pulse.survey).json()["groups"]]
    refused = get_results(client, pulse.survey, [pulse.small.pk])
    other_team = get_results(client, pulse.survey, [pulse.wide.pk])

    assert keys == ["organisation"]
    assert refused.status_code == 403
    assert "combination is not shown" in refused.json()["detail"]
    assert other_team.status_code == 403
    assert "their own team" in other_team.json()["detail"]
    # Another team's withheld groups are not the lead's to read.
    labels = {entry["label"] for entry in get_results(client, pulse.survey).json()["withheld"]}
    assert labels <= {"Small", "Whole organisation"}


def test_no_pulse_endpoint_answer_holds_a_group_under_the_minimum(
    pulse: Pulse, api_as: ClientMaker
) -> None:
    client = api_as(Role.ADMIN)
    answers = [
        client.get(reverse("api:pulse-surveys")).json(),
        get_results(client, pulse.survey).json(),
        client.get(results_url(pulse.survey), {"round": 1}).json(),
        client.get(reverse("api:insights-metrics"), {"days": 30}).json(),
    ]

    def counts(value: Any) -> list[int]:
        if isinstance(value, dict):
            found = [value["responses"]] if "responses" in value else []
            return found + [n for inner in value.values() for n in counts(inner)]
        if isinstance(value, list):
            return [n for inner in value for n in counts(inner)]
        return []

    assert all(n >= pulse.k for answer in answers for n in counts(answer))
    # Insights' team culture (pulse psychological safety, eNPS…) shows nothing for Small.
    culture = {row["team"]: row["measures"] for row in answers[-1]["team_culture"]}
    assert all(measure["value"] is None for measure in culture.get("Small", []))


def test_a_team_whose_membership_moved_by_one_is_withheld_for_the_round(
    pulse: Pulse, api_as: ClientMaker
) -> None:
    UserFactory(team=pulse.wide)  # one joiner: comparing rounds would point to them
    second = next_round(pulse.survey)
    for person in User.objects.filter(team__in=pulse.teams, is_active=True):
        answer_all(second, person)
    close(second)

    response = get_results(api_as(Role.ADMIN), pulse.survey, None)

    assert response.json()["round"]["number"] == second.number
    keys = {group["key"] for group in response.json()["groups"]}
    assert f"team-{pulse.wide.pk}" not in keys
    assert any(entry["label"] == "Wide" for entry in response.json()["withheld"])


def test_results_need_the_pulse_scope_and_a_role_that_reads_results(
    pulse: Pulse, api_as: ClientMaker
) -> None:
    without_scope = api_as(Role.ADMIN, scopes=[Scope.INSIGHTS_READ])
    agent = api_as(Role.AGENT)

    assert get_results(without_scope, pulse.survey).status_code == 403
    assert get_results(agent, pulse.survey).status_code == 403
    assert agent.get(reverse("api:pulse-surveys")).status_code == 403


def test_reading_results_is_audited_like_the_page(pulse: Pulse, api_as: ClientMaker) -> None:
    get_results(api_as(Role.PEOPLE_PARTNER), pulse.survey)

    assert AuditEvent.objects.filter(action="pulse.results_viewed").exists()
