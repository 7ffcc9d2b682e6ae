"""Nobody raises their own limits, and a gesture above the allowance needs a second person."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from careloop.care import selectors, services, tasks
from careloop.care.forms import AllowanceForm
from careloop.care.models import Allowance, Gesture, GestureStatus
from careloop.core.permissions import Role
from careloop.people.models import Team, User
from tests.conversations.factories import ConversationFactory
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def refund(giver: User, team: Team, amount: str = "9000.00") -> Gesture:
    return services.grant_gesture(
        agent=giver,
        conversation=ConversationFactory(team=team),
        kind="refund",
        amount=Decimal(amount),
        reason="Wedding cake never arrived",
    )


@pytest.mark.parametrize("target", ["own team", "themselves"])
def test_a_lead_cannot_raise_an_allowance_that_applies_to_their_own_gestures(
    lead: User, team: Team, target: str
) -> None:
    whose: dict[str, Any] = {"team": team} if target == "own team" else {"agent": lead}
    with pytest.raises(PermissionDenied, match="own"):
        services.set_allowance(
            by=lead, per_incident_limit=Decimal("10000"), period_limit=None, **whose
        )
    assert not Allowance.objects.exists()


def test_a_lead_cannot_reset_their_own_teams_lower_allowance_to_the_default(
    lead: User, team: Team
) -> None:
    cx_leader = UserFactory(role=Role.CX_LEADER, team=None)
    allowance = services.set_allowance(
        by=cx_leader, team=team, per_incident_limit=Decimal("100"), period_limit=None
    )
    with pytest.raises(PermissionDenied):
        services.remove_allowance(allowance, by=lead)
    assert Allowance.objects.filter(pk=allowance.pk).exists()


def test_the_allowance_form_offers_a_lead_only_their_other_agents(
    lead: User, agent: User, team: Team
) -> None:
    form = AllowanceForm(lead=lead)
    assert list(form.fields["team"].queryset) == []
    assert list(form.fields["agent"].queryset) == [agent]


def test_a_forged_allowance_post_for_the_leads_own_team_or_self_changes_nothing(
    client: Client, lead: User, team: Team
) -> None:
    signed_in(client, lead)
    for field, value in (("override-team", team.pk), ("override-agent", lead.pk)):
        client.post(
            reverse("care:allowances"),
            {"override": "1", field: value, "override-per_incident_limit": "10000"},
        )
    assert not Allowance.objects.exists()
    own_team = services.set_allowance(
        by=UserFactory(role=Role.ADMIN, team=None),
        team=team,
        per_incident_limit=Decimal("100"),
        period_limit=None,
    )
    page = client.get(reverse("care:allowances"))
    assert own_team not in page.context["overrides"]
    response = client.post(reverse("care:allowances"), {"remove": own_team.pk})
    assert response.status_code == 404
    assert Allowance.objects.filter(pk=own_team.pk).exists()


def test_a_cx_leader_in_a_team_does_not_set_that_teams_allowance(team: Team) -> None:
    member = UserFactory(role=Role.CX_LEADER, team=team)
    with pytest.raises(PermissionDenied):
        services.set_allowance(by=member, team=team, per_incident_limit=None, period_limit=None)
    assert team not in selectors.teams_for_allowances(member)


def test_a_leads_9000_refund_waits_for_a_cx_leader_and_the_lead_cannot_approve_it(
    client: Client, lead: User, team: Team, django_capture_on_commit_callbacks: Any
) -> None:
    cx_leader = UserFactory(role=Role.CX_LEADER, team=None)
    for whose in ({"team": team}, {"agent": lead}):
        with pytest.raises(PermissionDenied):
            services.set_allowance(
                by=lead, per_incident_limit=Decimal("10000"), period_limit=None, **whose
            )
    with django_capture_on_commit_callbacks(execute=True):
        gesture = refund(lead, team)
    assert gesture.status == GestureStatus.PENDING
    # The lead is the only approver on their team: the request goes on to CX leadership.
    assert mail.outbox[-1].to == [cx_leader.email]
    assert list(selectors.approval_queue(lead)) == []
    assert list(selectors.approval_queue(cx_leader)) == [gesture]
    with pytest.raises(PermissionDenied):
        services.decide_gesture(gesture, lead=lead, approve=True, reason="")
    page = signed_in(client, lead).get(reverse("care:gesture", args=[gesture.pk]))
    assert page.context["may_decide"] is False
    client.post(reverse("care:decide", args=[gesture.pk]), {"decision": "approve"})
    assert Gesture.objects.get(pk=gesture.pk).status == GestureStatus.PENDING
    approved = services.decide_gesture(gesture, lead=cx_leader, approve=True, reason="")
    assert (approved.status, approved.decided_by) == (GestureStatus.APPROVED, cx_leader)


def test_a_request_is_announced_to_the_other_lead_and_never_to_its_giver(
    lead: User, agent: User, team: Team, django_capture_on_commit_callbacks: Any
) -> None:
    second_lead = UserFactory(role=Role.TEAM_LEAD, team=team)
    with django_capture_on_commit_callbacks(execute=True):
        refund(lead, team)
    assert mail.outbox[-1].to == [second_lead.email]
    with django_capture_on_commit_callbacks(execute=True):
        refund(agent, team)
    assert sorted(mail.outbox[-1].to) == sorted([lead.email, second_lead.email])


def test_an_overdue_request_is_never_escalated_to_its_giver(team: Team) -> None:
    giver = UserFactory(role=Role.CX_LEADER, team=team)
    other = UserFactory(role=Role.CX_LEADER, team=None)
    gesture = refund(giver, team, amount="25000.00")
    Gesture.objects.filter(pk=gesture.pk).update(
        approval_due=timezone.now() - datetime.timedelta(minutes=1)
    )
    mail.outbox.clear()
    assert tasks.escalate_overdue_requests.call() == 1
    assert [message.to for message in mail.outbox] == [[other.email]]
