from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from careloop.care import selectors, services
from careloop.care.models import (
    AllowanceLedger,
    Booking,
    ExecutionStatus,
    Gesture,
    GestureStatus,
    LedgerScope,
)
from careloop.conversations.models import Conversation
from careloop.core import calendar
from careloop.core.audit import audit_events_for
from careloop.core.permissions import Role
from careloop.people.models import Team, User
from tests.conversations.factories import ConversationFactory
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def grant(agent: User, conversation: Conversation, kind: str, amount: str, **extra: str):  # type: ignore[no-untyped-def]
    return services.grant_gesture(
        agent=agent,
        conversation=conversation,
        kind=kind,
        amount=Decimal(amount),
        reason=extra.pop("reason", "Parcel arrived crushed"),
        **extra,
    )


def test_a_credit_within_the_allowance_is_granted_at_once_and_booked_to_the_team(
    agent: User, conversation: Conversation, team: Team
) -> None:
    gesture = grant(agent, conversation, "credit", "25.00")
    assert gesture.status == GestureStatus.GRANTED
    assert gesture.within_allowance
    assert gesture.booking == Booking.CARE_INVESTMENT
    assert gesture.team == team
    assert gesture.currency == "EUR"
    assert gesture.execution_status == ExecutionStatus.PENDING
    assert [event.action for event in audit_events_for(gesture)] == ["gesture.granted"]
    assert selectors.headroom_for(agent, conversation).per_incident_left == Decimal("1975.00")


def test_a_like_for_like_swap_is_booked_as_a_swap_at_no_cost(
    agent: User, conversation: Conversation
) -> None:
    gesture = grant(
        agent, conversation, "swap", "0", items_out="Vanilla scoop", items_in="Pistachio scoop"
    )
    assert gesture.status == GestureStatus.GRANTED
    assert (gesture.booking, gesture.cost) == (Booking.SWAP, Decimal("0"))
    assert not AllowanceLedger.objects.filter(granted__gt=0).exists()


def test_a_swap_never_carries_a_cost_and_names_its_items(
    agent: User, conversation: Conversation
) -> None:
    with pytest.raises(ValidationError, match="costs nothing"):
        grant(agent, conversation, "swap", "12.00", items_out="A", items_in="B")
    with pytest.raises(ValidationError, match="Name the item"):
        grant(agent, conversation, "swap", "0", items_out="A")


@pytest.mark.parametrize(
    ("amount", "message"),
    [("-1", "negative"), ("1.005", "two decimal"), ("0", "needs an amount")],
)
def test_bad_amounts_get_a_clear_error(
    agent: User, conversation: Conversation, amount: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        grant(agent, conversation, "refund", amount)


def test_a_gesture_needs_a_reason_and_a_known_kind(agent: User, conversation: Conversation) -> None:
    with pytest.raises(ValidationError, match="Say why"):
        grant(agent, conversation, "credit", "5", reason="  ")
    with pytest.raises(ValidationError, match="Unknown kind"):
        grant(agent, conversation, "cash_in_envelope", "5")


def test_a_gesture_over_the_incident_allowance_waits_for_lead_approval(
    agent: User, lead: User, conversation: Conversation, django_capture_on_commit_callbacks: Any
) -> None:
    grant(agent, conversation, "credit", "1500.00")
    with django_capture_on_commit_callbacks(execute=True):
        gesture = grant(agent, conversation, "refund", "600.00")
    assert gesture.status == GestureStatus.PENDING
    assert not gesture.within_allowance
    assert gesture.approval_due is not None
    assert gesture.execution_status == ExecutionStatus.NOT_YET
    assert selectors.granted_in(f"incident:{conversation.pk}") == Decimal("1500.00")
    assert list(selectors.approval_queue(lead)) == [gesture]
    assert mail.outbox[-1].to == [lead.email]
    assert "above the allowance" in mail.outbox[-1].body


def test_the_agents_monthly_allowance_counts_across_conversations(agent: User, team: Team) -> None:
    services.set_allowance(
        by=UserFactory(role=Role.CX_LEADER),
        agent=agent,
        per_incident_limit=None,
        period_limit=Decimal("100"),
    )
    first = grant(agent, ConversationFactory(team=team), "credit", "60")
    second = grant(agent, ConversationFactory(team=team), "credit", "60")
    assert (first.status, second.status) == (GestureStatus.GRANTED, GestureStatus.PENDING)


def test_a_gesture_given_in_an_earlier_month_books_that_months_allowance(
    agent: User, team: Team
) -> None:
    services.set_allowance(
        by=UserFactory(role=Role.CX_LEADER),
        agent=agent,
        per_incident_limit=None,
        period_limit=Decimal("100"),
    )
    earlier = timezone.now() - datetime.timedelta(days=62)
    old = services.grant_gesture(
        agent=agent,
        conversation=ConversationFactory(team=team),
        kind="credit",
        amount=Decimal("60"),
        reason="Waited too long",
        at=earlier,
    )
    assert old.created_at == earlier
    assert selectors.granted_in(
        selectors.ledger_key(LedgerScope.AGENT, agent.pk, calendar.local_date(earlier))
    ) == Decimal("60")
    # This month's allowance is untouched by it.
    assert grant(agent, ConversationFactory(team=team), "credit", "60").status == "granted"


def test_a_request_decided_in_the_past_keeps_when_it_was_asked_and_decided(
    agent: User, lead: User, conversation: Conversation
) -> None:
    asked = timezone.now() - datetime.timedelta(days=20)
    gesture = services.grant_gesture(
        agent=agent,
        conversation=conversation,
        kind="refund",
        amount=Decimal("2500.00"),
        reason="Wedding order ruined",
        at=asked,
    )
    assert gesture.approval_due is not None and asked < gesture.approval_due < timezone.now()
    decided = asked + datetime.timedelta(hours=3)
    approved = services.decide_gesture(gesture, lead=lead, approve=True, reason="", at=decided)
    assert approved.decided_at == decided


def test_the_teams_monthly_allowance_is_shared_by_its_agents(team: Team) -> None:
    services.set_allowance(
        by=UserFactory(role=Role.ADMIN),
        team=team,
        per_incident_limit=None,
        period_limit=Decimal("80"),
    )
    one, other = UserFactory(team=team), UserFactory(team=team)
    assert grant(one, ConversationFactory(team=team), "credit", "50").status == "granted"
    assert grant(other, ConversationFactory(team=team), "credit", "50").status == "pending"


def test_a_lead_approves_and_the_gesture_goes_to_execution_without_using_the_allowance(
    agent: User, lead: User, conversation: Conversation
) -> None:
    gesture = grant(agent, conversation, "refund", "2500.00")
    approved = services.decide_gesture(gesture, lead=lead, approve=True, reason="")
    assert approved.status == GestureStatus.APPROVED
    assert approved.decided_by == lead
    assert approved.execution_status == ExecutionStatus.PENDING
    assert selectors.granted_in(f"incident:{conversation.pk}") == Decimal("0")
    assert "gesture.approved" in [e.action for e in audit_events_for(gesture)]
    with pytest.raises(ValidationError, match="already been decided"):
        services.decide_gesture(gesture, lead=lead, approve=False, reason="Too late")


def test_a_decline_needs_a_reason_which_the_agent_sees(
    agent: User, lead: User, conversation: Conversation
) -> None:
    gesture = grant(agent, conversation, "refund", "2500.00")
    with pytest.raises(ValidationError, match="Say why you decline"):
        services.decide_gesture(gesture, lead=lead, approve=False, reason="")
    services.decide_gesture(gesture, lead=lead, approve=False, reason="Offer a replacement instead")
    mine = selectors.gestures_by(agent).get()
    assert mine.status == GestureStatus.DECLINED
    assert mine.decision_reason == "Offer a replacement instead"


def test_only_a_lead_of_the_gestures_team_decides_and_never_on_their_own_request(
    agent: User, conversation: Conversation, lead: User
) -> None:
    gesture = grant(agent, conversation, "refund", "2500.00")
    other_lead = UserFactory(role=Role.TEAM_LEAD, team=TeamFactory())
    for outsider in (agent, other_lead):
        with pytest.raises(PermissionDenied):
            services.decide_gesture(gesture, lead=outsider, approve=True, reason="")
    own = grant(lead, ConversationFactory(team=lead.team), "refund", "2500.00")
    with pytest.raises(PermissionDenied):
        services.decide_gesture(own, lead=lead, approve=True, reason="")
    assert (
        services.decide_gesture(
            gesture, lead=UserFactory(role=Role.CX_LEADER), approve=True, reason=""
        ).status
        == GestureStatus.APPROVED
    )


def test_people_partners_do_not_grant_gestures(conversation: Conversation) -> None:
    with pytest.raises(PermissionDenied):
        grant(UserFactory(role=Role.PEOPLE_PARTNER), conversation, "credit", "5")


def test_team_leads_set_allowances_only_for_their_own_team_and_never_the_defaults(
    lead: User, agent: User
) -> None:
    services.set_allowance(
        by=lead, agent=agent, per_incident_limit=Decimal("50"), period_limit=None
    )
    assert selectors.limits_for(agent, agent.team).per_incident == Decimal("50.00")
    stranger = UserFactory(team=TeamFactory())
    with pytest.raises(PermissionDenied):
        services.set_allowance(by=lead, agent=stranger, per_incident_limit=None, period_limit=None)
    with pytest.raises(PermissionDenied):
        services.update_care_settings(
            services.CareDefaults(
                currency="USD",
                per_incident_limit=Decimal("1"),
                agent_period_limit=Decimal("1"),
                team_period_limit=Decimal("1"),
                approval_sla_minutes=60,
                webhook_url="",
            ),
            by=lead,
        )


def test_cx_leaders_set_the_defaults_and_currency(agent: User, conversation: Conversation) -> None:
    services.update_care_settings(
        services.CareDefaults(
            currency="usd",
            per_incident_limit=Decimal("10"),
            agent_period_limit=Decimal("100"),
            team_period_limit=Decimal("1000"),
            approval_sla_minutes=60,
            webhook_url="https://shop.example.test/hooks/careloop",
        ),
        by=UserFactory(role=Role.CX_LEADER),
    )
    settings = selectors.care_settings()
    assert settings.currency == "USD"
    assert len(settings.webhook_secret) == 64
    gesture = grant(agent, conversation, "credit", "11")
    assert (gesture.status, gesture.currency) == (GestureStatus.PENDING, "USD")
    with pytest.raises(ValidationError, match="three-letter"):
        services.update_care_settings(
            services.CareDefaults(
                currency="EURO",
                per_incident_limit=Decimal("1"),
                agent_period_limit=Decimal("1"),
                team_period_limit=Decimal("1"),
                approval_sla_minutes=60,
                webhook_url="",
            ),
            by=UserFactory(role=Role.ADMIN),
        )


def test_an_overdue_request_is_escalated_to_the_cx_leaders_once(
    agent: User, conversation: Conversation
) -> None:
    from careloop.care import tasks

    cx_leader = UserFactory(role=Role.CX_LEADER)
    gesture = grant(agent, conversation, "refund", "2500.00")
    assert tasks.escalate_overdue_requests.call() == 0
    Gesture.objects.filter(pk=gesture.pk).update(
        approval_due=timezone.now() - datetime.timedelta(minutes=1)
    )
    mail.outbox.clear()
    assert tasks.escalate_overdue_requests.call() == 1
    assert tasks.escalate_overdue_requests.call() == 0
    assert [message.to for message in mail.outbox] == [[cx_leader.email]]
    assert "past its approval SLA" in mail.outbox[0].body
    assert "gesture.escalated" in [e.action for e in audit_events_for(gesture)]


def test_a_leads_own_request_goes_to_the_cx_leaders(
    lead: User, team: Team, django_capture_on_commit_callbacks: Any
) -> None:
    cx_leader = UserFactory(role=Role.CX_LEADER)
    with django_capture_on_commit_callbacks(execute=True):
        grant(lead, ConversationFactory(team=team), "refund", "2500.00")
    assert mail.outbox[-1].to == [cx_leader.email]
