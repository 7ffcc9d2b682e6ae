"""Surveys, answers and recovery tasks through the API, under the feedback pages' rules."""

from __future__ import annotations

import json
from itertools import count
from typing import Any

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from careloop.api.scopes import Scope
from careloop.core.audit import audit_events_for
from careloop.core.permissions import Role
from careloop.feedback.models import RecoveryContact, RecoveryTask
from careloop.people.models import Team, User
from tests.core.test_row_access import _recovery_task
from tests.fixtures.api import ClientMaker, KeyMaker
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

_keys = count()


def post(client: APIClient, url: str, data: dict[str, Any]) -> Any:
    return client.post(
        url,
        json.dumps(data),
        content_type="application/json",
        headers={"Idempotency-Key": f"f{next(_keys)}"},
    )


def ids(response: Any) -> list[int]:
    assert response.status_code == 200, response.json()
    return sorted(row["id"] for row in response.json()["results"])


@pytest.fixture
def team() -> Team:
    return TeamFactory()


@pytest.fixture
def agent(team: Team) -> User:
    return UserFactory(role=Role.AGENT, team=team)


def test_answers_and_surveys_are_read_by_every_inbox_role_as_on_the_overview(
    api_as: ClientMaker, agent: User
) -> None:
    mine = _recovery_task(agent, agent.team).response
    elsewhere = _recovery_task(UserFactory(team=TeamFactory()), None).response
    client = api_as(owner=agent)
    assert ids(client.get(reverse("api:survey-answers"))) == sorted([mine.pk, elsewhere.pk])
    one = client.get(reverse("api:survey-answer", args=[mine.pk])).json()
    assert (one["csat"], one["detractor"], one["agent_email"]) == (1, True, agent.email)
    surveys = client.get(reverse("api:surveys")).json()["results"]
    assert sorted(row["answer"] for row in surveys) == sorted([mine.pk, elsewhere.pk])
    assert api_as(Role.PEOPLE_PARTNER).get(reverse("api:survey-answers")).status_code == 403


def test_reading_customers_answers_is_audited_with_the_key(make_key: KeyMaker, agent: User) -> None:
    answer = _recovery_task(agent, agent.team).response
    key, secret = make_key(owner=agent)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get(reverse("api:survey-answer", args=[answer.pk])).status_code == 200
    [read] = audit_events_for(key).filter(action="api_key.read")
    assert read.actor == agent
    assert f"/survey-answers/{answer.pk}/" in read.summary


def test_an_agents_key_sees_only_their_own_recovery_tasks(
    api_as: ClientMaker, agent: User, team: Team
) -> None:
    own = _recovery_task(agent, team)
    teammates = _recovery_task(UserFactory(role=Role.AGENT, team=team), team)
    _recovery_task(UserFactory(role=Role.AGENT, team=TeamFactory()), None)
    agent_api = api_as(owner=agent)
    url = reverse("api:recovery-tasks")
    assert ids(agent_api.get(url)) == [own.pk]
    assert agent_api.get(url, {"scope": "team"}).status_code == 403
    assert agent_api.get(reverse("api:recovery-task", args=[teammates.pk])).status_code == 404
    lead_api = api_as(owner=UserFactory(role=Role.TEAM_LEAD, team=team))
    assert ids(lead_api.get(url)) == [own.pk, teammates.pk]
    assert ids(lead_api.get(url, {"scope": "mine"})) == []


def test_the_recovery_list_filters_by_status(api_as: ClientMaker, agent: User) -> None:
    still_open = _recovery_task(agent, agent.team)
    closed = _recovery_task(agent, agent.team)
    RecoveryTask.objects.filter(pk=closed.pk).update(status=RecoveryTask.Status.CLOSED)
    client = api_as(owner=agent)
    assert ids(client.get(reverse("api:recovery-tasks"), {"status": "open"})) == [still_open.pk]
    assert ids(client.get(reverse("api:recovery-tasks"), {"status": "closed"})) == [closed.pk]


def test_the_owner_logs_a_contact_then_closes_the_task_with_its_causes(
    api_as: ClientMaker, agent: User
) -> None:
    task = _recovery_task(agent, agent.team)
    client = api_as(owner=agent)
    contacted = post(
        client,
        reverse("api:recovery-task-contacts", args=[task.pk]),
        {"channel": "phone", "note": "Apologised; courier found it", "reached": True},
    )
    assert contacted.status_code == 201, contacted.json()
    assert contacted.json()["status"] == "contacted"
    assert RecoveryContact.objects.get().by == agent
    closed = post(
        client,
        reverse("api:recovery-task-close", args=[task.pk]),
        {"outcome": "recovered", "note": "Happy again", "causes": ["late delivery"]},
    )
    assert closed.status_code == 200, closed.json()
    task.refresh_from_db()
    assert (task.status, task.outcome, task.closed_by) == ("closed", "recovered", agent)
    assert closed.json()["causes"] == ["Late delivery"]
    again = post(
        client, reverse("api:recovery-task-close", args=[task.pk]), {"outcome": "no_reply"}
    )
    assert again.status_code == 409


def test_closing_without_a_cause_is_refused_unless_nobody_replied(
    api_as: ClientMaker, agent: User
) -> None:
    task = _recovery_task(agent, agent.team)
    client = api_as(owner=agent)
    url = reverse("api:recovery-task-close", args=[task.pk])
    refused = post(client, url, {"outcome": "not_recovered"})
    assert refused.status_code == 400
    assert "cause" in json.dumps(refused.json())
    assert post(client, url, {"outcome": "no_reply"}).status_code == 200


def test_another_agents_task_cannot_be_closed_and_writes_need_the_write_scope(
    api_as: ClientMaker, agent: User
) -> None:
    task = _recovery_task(UserFactory(role=Role.AGENT, team=agent.team), agent.team)
    url = reverse("api:recovery-task-close", args=[task.pk])
    assert post(api_as(owner=agent), url, {"outcome": "no_reply"}).status_code == 404
    own = _recovery_task(agent, agent.team)
    read_only = api_as(owner=agent, scopes=[Scope.FEEDBACK_READ])
    response = post(
        read_only, reverse("api:recovery-task-close", args=[own.pk]), {"outcome": "no_reply"}
    )
    assert response.status_code == 403
    assert "feedback:write" in response.json()["detail"]
    task.refresh_from_db()
    own.refresh_from_db()
    assert not task.is_closed and not own.is_closed
