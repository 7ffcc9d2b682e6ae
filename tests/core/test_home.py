"""The home page shows each role its own numbers, through the access policy: an agent their
work and CSAT, a lead their team's queue, approvals and overdue items, leaders the headline
outcomes with the change against the previous period. Nothing from another team."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from careloop.care.models import Gesture, GestureKind, GestureStatus
from careloop.conversations.models import Conversation, Status
from careloop.core import calendar
from careloop.core.home import Group
from careloop.core.permissions import Role
from careloop.insights.models import DailyRollup
from careloop.people.models import Team, User, Value
from careloop.people.selectors import current_organisation
from tests.actions.factories import ActionItemFactory
from tests.conversations.factories import ConversationFactory
from tests.feedback.factories import answered, solved_conversation
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def figures_on_home(client: Client) -> dict[str, object]:
    response = client.get(reverse("core:dashboard"))
    assert response.status_code == 200
    return {
        figure.key: figure.value
        for section in response.context["home_sections"]
        for figure in section.figures
    }


def groups_on_home(client: Client) -> set[Group]:
    response = client.get(reverse("core:dashboard"))
    return {section.group for section in response.context["home_sections"]}


def open_conversation(
    assignee: User | None, team: Team | None, *, waiting: bool = True, due_in_minutes: int = 600
) -> Conversation:
    now = timezone.now()
    return ConversationFactory(
        assignee=assignee,
        team=team,
        status=Status.OPEN,
        waiting_since=now if waiting else None,
        resolution_due=now + datetime.timedelta(minutes=due_in_minutes),
    )


def signed_in(client: Client, person: User) -> Client:
    client.force_login(person)
    return client


def test_an_agent_sees_their_own_open_waiting_and_due_soon_work(client: Client) -> None:
    team = TeamFactory()
    agent = UserFactory(role=Role.AGENT, team=team)
    teammate = UserFactory(role=Role.AGENT, team=team)
    open_conversation(agent, team)
    open_conversation(agent, team, waiting=False)
    open_conversation(agent, team, due_in_minutes=30)
    open_conversation(agent, team, due_in_minutes=-30)
    open_conversation(teammate, team, due_in_minutes=30)
    ConversationFactory(assignee=agent, team=team, status=Status.SOLVED)

    figures = figures_on_home(signed_in(client, agent))

    assert figures["my-open"] == 4
    assert figures["my-waiting"] == 3
    assert figures["my-due-soon"] == 2


def test_an_agent_sees_their_own_csat_and_its_change_but_no_team_or_headline_figures(
    client: Client,
) -> None:
    agent = UserFactory(role=Role.AGENT, team=TeamFactory())
    other = UserFactory(role=Role.AGENT)
    answered(solved_conversation(agent=agent), csat=5)
    answered(solved_conversation(agent=agent), csat=2)
    answered(solved_conversation(agent=agent), csat=5, days_ago=40)
    answered(solved_conversation(agent=other), csat=1)

    response = signed_in(client, agent).get(reverse("core:dashboard"))
    csat = next(
        figure
        for section in response.context["home_sections"]
        for figure in section.figures
        if figure.key == "my-csat"
    )

    assert csat.value == 50.0
    assert csat.change == -50.0
    assert csat.trend == "worse"
    assert groups_on_home(client) == {Group.YOUR_WORK}
    assert b"50.0" in response.content


def test_a_lead_sees_their_team_queue_approvals_and_overdue_items_never_another_team(
    client: Client,
) -> None:
    team, other_team = TeamFactory(), TeamFactory()
    lead = UserFactory(role=Role.TEAM_LEAD, team=team)
    agent = UserFactory(role=Role.AGENT, team=team)
    stranger = UserFactory(role=Role.AGENT, team=other_team)
    open_conversation(agent, team)
    open_conversation(None, team)
    open_conversation(stranger, other_team)
    open_conversation(None, other_team)
    for giver, giver_team in ((agent, team), (stranger, other_team), (lead, team)):
        pending_gesture(giver, giver_team, overdue=giver is agent)
    long_ago = calendar.today() - datetime.timedelta(days=3)
    ActionItemFactory(owner=agent, due=long_ago)
    ActionItemFactory(owner=agent)
    ActionItemFactory(owner=stranger, due=long_ago)

    figures = figures_on_home(signed_in(client, lead))

    assert figures["team-queue"] == 2
    assert figures["team-unassigned"] == 1
    # Their own request waits for someone else (four eyes); the other team's is not theirs.
    assert figures["approvals-waiting"] == 1
    assert figures["approvals-overdue"] == 1
    assert figures["overdue-items"] == 1
    assert Group.HEADLINES in groups_on_home(client)


def pending_gesture(agent: User, team: Team, *, overdue: bool) -> Gesture:
    conversation = ConversationFactory(team=team, assignee=agent, status=Status.SOLVED)
    shift = datetime.timedelta(hours=-1 if overdue else 4)
    return Gesture.objects.create(
        kind=GestureKind.REFUND,
        amount=Decimal("80.00"),
        currency="EUR",
        reason="Broken on arrival",
        customer=conversation.customer,
        conversation=conversation,
        agent=agent,
        team=team,
        status=GestureStatus.PENDING,
        approval_due=timezone.now() + shift,
    )


def test_a_cx_leader_sees_the_headline_outcomes_with_the_change_against_last_period(
    client: Client,
) -> None:
    today = calendar.today()
    DailyRollup.objects.create(
        day=today - datetime.timedelta(days=3),
        csat_positive=9,
        csat_total=10,
        first_response_count=2,
        first_response_business_seconds=2 * 3600,
    )
    DailyRollup.objects.create(
        day=today - datetime.timedelta(days=40),
        csat_positive=6,
        csat_total=10,
        first_response_count=1,
        first_response_business_seconds=3 * 3600,
    )
    leader = UserFactory(role=Role.CX_LEADER)

    response = signed_in(client, leader).get(reverse("core:dashboard"))
    headlines = {
        figure.key: figure
        for section in response.context["home_sections"]
        if section.group is Group.HEADLINES
        for figure in section.figures
    }

    assert (headlines["csat"].value, headlines["csat"].change) == (90.0, 30.0)
    assert headlines["csat"].trend == "better"
    first_response = headlines["first_response_business_hours"]
    assert (first_response.value, first_response.change) == (1.0, -2.0)
    assert first_response.trend == "better"
    assert b'data-testid="change-csat"' in response.content


@pytest.mark.parametrize("role", [Role.PEOPLE_PARTNER])
def test_people_who_do_not_work_conversations_see_no_conversation_figures(
    role: Role, client_as: Callable[[Role], Client]
) -> None:
    open_conversation(None, None)
    figures = figures_on_home(client_as(role))
    assert not {"my-open", "my-csat", "team-queue", "approvals-waiting"} & set(figures)
    assert "my-overdue-items" in figures


def test_the_home_page_is_headed_with_the_organisation_and_its_values(client: Client) -> None:
    """Core reads the organisation through what people registered, without importing it."""
    organisation = current_organisation()
    organisation.name = "Harbour Outfitters"
    organisation.save()
    Value.objects.create(organisation=organisation, name="Own the outcome")

    response = signed_in(client, UserFactory(role=Role.AGENT)).get(reverse("core:dashboard"))

    assert response.context["organisation"] == organisation
    assert "Harbour Outfitters" in response.content.decode()
    assert "Own the outcome" in response.content.decode()
