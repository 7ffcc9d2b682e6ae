from __future__ import annotations

import datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from pytest_django import DjangoAssertNumQueries

from careloop.care import services
from careloop.care.models import Allowance, ExecutionStatus, Gesture, GestureStatus
from careloop.conversations.models import Conversation
from careloop.core.permissions import Role
from careloop.people.models import Team, User
from tests.conversations.factories import ConversationFactory
from tests.people.factories import TeamFactory, UserFactory

pytestmark = pytest.mark.django_db


def signed_in(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def test_an_agent_grants_a_credit_from_the_conversation_in_one_step(
    client: Client, agent: User, conversation: Conversation
) -> None:
    page = signed_in(client, agent).get(
        reverse("conversations:conversation", args=[conversation.pk])
    )
    # The page asks htmx for the panel, which offers the grant.
    assert reverse("care:conversation-panel", args=[conversation.pk]).encode() in page.content
    panel = client.get(reverse("care:conversation-panel", args=[conversation.pk]))
    assert b'data-testid="goodwill-panel"' in panel.content
    assert reverse("care:grant", args=[conversation.pk]).encode() in panel.content

    response = client.post(
        reverse("care:grant", args=[conversation.pk]),
        {"kind": "credit", "amount": "20.00", "reason": "Courier was late"},
        follow=True,
    )
    gesture = Gesture.objects.get()
    assert gesture.status == GestureStatus.GRANTED
    assert "granted. No approval needed." in response.content.decode()


def test_a_bad_amount_is_answered_on_the_form(
    client: Client, agent: User, conversation: Conversation
) -> None:
    response = signed_in(client, agent).post(
        reverse("care:grant", args=[conversation.pk]),
        {
            "kind": "swap",
            "amount": "5",
            "reason": "Wrong flavour",
            "items_out": "a",
            "items_in": "b",
        },
    )
    assert response.status_code == 200
    assert "costs nothing" in response.content.decode()
    assert not Gesture.objects.exists()


def test_agent_facing_pages_never_total_what_an_agent_gave_away(
    client: Client, agent: User, team: Team
) -> None:
    for amount in ("111.11", "222.22"):
        services.grant_gesture(
            agent=agent,
            conversation=ConversationFactory(team=team),
            kind="credit",
            amount=Decimal(amount),
            reason="Sorry",
        )
    signed_in(client, agent)
    pages = [
        client.get(reverse("care:home")),
        client.get(reverse("core:dashboard")),
        client.get(reverse("care:grant", args=[ConversationFactory(team=team).pk])),
    ]
    for page in pages:
        text = page.content.decode()
        assert "333.33" not in text
        assert "given away" not in text.lower()


def test_a_lead_approves_from_the_queue_and_the_agent_sees_the_decline_reason(
    client: Client, agent: User, lead: User, conversation: Conversation
) -> None:
    approve_me, decline_me = (
        services.grant_gesture(
            agent=agent,
            conversation=conversation,
            kind="refund",
            amount=Decimal(amount),
            reason="Ruined anniversary dinner",
        )
        for amount in ("2500", "3000")
    )
    Gesture.objects.filter(pk=decline_me.pk).update(
        approval_due=timezone.now() - datetime.timedelta(hours=1)
    )
    queue = signed_in(client, lead).get(reverse("care:approvals")).content.decode()
    assert "Ruined anniversary dinner" in queue
    assert "overdue" in queue

    client.post(reverse("care:decide", args=[approve_me.pk]), {"decision": "approve"})
    client.post(
        reverse("care:decide", args=[decline_me.pk]),
        {"decision": "decline", "reason": "A replacement fixes this better"},
    )
    assert Gesture.objects.get(pk=approve_me.pk).status == GestureStatus.APPROVED
    assert Gesture.objects.get(pk=decline_me.pk).status == GestureStatus.DECLINED

    home = signed_in(client, agent).get(reverse("care:home")).content.decode()
    assert "A replacement fixes this better" in home


def test_a_lead_of_another_team_cannot_see_or_decide_the_request(
    client: Client, agent: User, conversation: Conversation
) -> None:
    gesture = services.grant_gesture(
        agent=agent, conversation=conversation, kind="refund", amount=Decimal("2500"), reason="x"
    )
    stranger = UserFactory(role=Role.TEAM_LEAD, team=TeamFactory())
    signed_in(client, stranger)
    assert client.get(reverse("care:gesture", args=[gesture.pk])).status_code == 404
    assert (
        client.post(reverse("care:decide", args=[gesture.pk]), {"decision": "approve"}).status_code
        == 404
    )
    assert Gesture.objects.get().status == GestureStatus.PENDING


def test_a_team_lead_sets_an_agents_allowance_on_the_settings_page(
    client: Client, agent: User, lead: User
) -> None:
    response = signed_in(client, lead).post(
        reverse("care:allowances"),
        {"override": "1", "override-agent": agent.pk, "override-per_incident_limit": "300"},
        follow=True,
    )
    assert "Allowance saved." in response.content.decode()
    assert Allowance.objects.get(agent=agent).per_incident_limit == Decimal("300.00")


def test_a_cx_leader_changes_the_organisation_defaults(client: Client) -> None:
    signed_in(client, UserFactory(role=Role.CX_LEADER)).post(
        reverse("care:allowances"),
        {
            "settings": "1",
            "settings-currency": "GBP",
            "settings-per_incident_limit": "1500",
            "settings-agent_period_limit": "4000",
            "settings-team_period_limit": "15000",
            "settings-approval_sla_minutes": "120",
            "settings-webhook_url": "",
        },
    )
    response = client.get(reverse("care:allowances"))
    assert response.context["settings"].per_incident_limit == Decimal("1500.00")
    assert response.context["settings"].currency == "GBP"


def test_reconciliation_lists_failed_executions_and_retries_them(
    client: Client, agent: User, lead: User, conversation: Conversation
) -> None:
    gesture = services.grant_gesture(
        agent=agent, conversation=conversation, kind="refund", amount=Decimal("12"), reason="x"
    )
    Gesture.objects.filter(pk=gesture.pk).update(
        execution_status=ExecutionStatus.FAILED, last_delivery_error="HTTP 500 from the receiver"
    )
    page = signed_in(client, lead).get(reverse("care:reconciliation"), {"state": "failed"})
    assert "HTTP 500 from the receiver" in page.content.decode()
    assert page.context["counts"]["failed"] == 1
    client.post(reverse("care:retry", args=[gesture.pk]))
    assert Gesture.objects.get().execution_status == ExecutionStatus.PENDING


def test_the_outcome_report_shows_gestures_by_type_and_team(
    client: Client, agent: User, lead: User, conversation: Conversation
) -> None:
    services.grant_gesture(
        agent=agent, conversation=conversation, kind="credit", amount=Decimal("15"), reason="x"
    )
    report = signed_in(client, lead).get(reverse("care:outcomes"))
    rows = report.context["rows"]
    assert [(row.team, row.kind, row.cost) for row in rows] == [
        ("Returns", "Credit", Decimal("15.00"))
    ]


def test_a_lead_resolves_a_failed_execution_by_hand_with_a_reference(
    client: Client, agent: User, lead: User, conversation: Conversation
) -> None:
    gesture = services.grant_gesture(
        agent=agent, conversation=conversation, kind="refund", amount=Decimal("12"), reason="x"
    )
    Gesture.objects.filter(pk=gesture.pk).update(execution_status=ExecutionStatus.FAILED)
    signed_in(client, lead)
    client.post(reverse("care:resolve", args=[gesture.pk]), {"reference": ""})
    assert Gesture.objects.get().execution_status == ExecutionStatus.FAILED
    client.post(reverse("care:resolve", args=[gesture.pk]), {"reference": "MANUAL-77"})
    resolved = Gesture.objects.get()
    assert (resolved.execution_status, resolved.external_reference) == (
        ExecutionStatus.EXECUTED,
        "MANUAL-77",
    )


def test_the_conversation_panel_shows_the_customers_earlier_gestures(
    client: Client,
    agent: User,
    team: Team,
    django_assert_max_num_queries: type[DjangoAssertNumQueries],
) -> None:
    earlier = ConversationFactory(team=team)
    services.grant_gesture(
        agent=agent, conversation=earlier, kind="credit", amount=Decimal("17.50"), reason="x"
    )
    now = ConversationFactory(team=team, customer=earlier.customer)
    signed_in(client, agent)
    # The middleware's 3, the conversation, and the panel's own 9 (gestures, allowances, ledgers).
    with django_assert_max_num_queries(13):
        page = client.get(reverse("care:conversation-panel", args=[now.pk]))
    assert "Earlier for this customer" in page.content.decode()
    assert "Credit 17.50 EUR" in page.content.decode()
    assert "Up to 2000.00 EUR without asking anyone." in page.content.decode()


def test_the_conversation_panel_is_for_those_who_may_grant_and_use_the_inbox(
    client: Client, conversation: Conversation
) -> None:
    url = reverse("care:conversation-panel", args=[conversation.pk])
    assert client.get(url).status_code == 302  # signed out: to the sign-in page
    partner = UserFactory(role=Role.PEOPLE_PARTNER)
    assert signed_in(client, partner).get(url).status_code == 403


def test_the_conversation_panel_of_a_missing_conversation_is_not_found(
    client: Client, agent: User
) -> None:
    url = reverse("care:conversation-panel", args=[999])
    assert signed_in(client, agent).get(url).status_code == 404


def test_a_declined_earlier_gesture_shows_that_it_was_declined(
    client: Client, agent: User, lead: User, team: Team
) -> None:
    earlier = ConversationFactory(team=team)
    refund = services.grant_gesture(
        agent=agent, conversation=earlier, kind="refund", amount=Decimal("2500"), reason="x"
    )
    services.decide_gesture(refund, lead=lead, approve=False, reason="Too much")
    now = ConversationFactory(team=team, customer=earlier.customer)

    panel = signed_in(client, agent).get(reverse("care:conversation-panel", args=[now.pk]))
    grant_page = client.get(reverse("care:grant", args=[now.pk]))

    assert "Refund 2500.00 EUR</a> declined" in panel.content.decode()
    assert "Refund 2500.00 EUR</a> — Declined" in grant_page.content.decode()


def test_the_grant_page_title_is_plain_text(client: Client, agent: User, team: Team) -> None:
    earlier = ConversationFactory(team=team)
    services.grant_gesture(
        agent=agent, conversation=earlier, kind="credit", amount=Decimal("5"), reason="x"
    )
    now = ConversationFactory(team=team, customer=earlier.customer)

    page = signed_in(client, agent).get(reverse("care:grant", args=[now.pk])).content.decode()

    title = page.split("<title>")[1].split("</title>")[0]
    assert title == f"Goodwill for #{now.pk} · careloop"


def test_a_pending_request_names_who_asked_not_who_granted(
    client: Client, agent: User, conversation: Conversation
) -> None:
    pending = services.grant_gesture(
        agent=agent, conversation=conversation, kind="refund", amount=Decimal("2500"), reason="x"
    )
    small = services.grant_gesture(
        agent=agent, conversation=conversation, kind="credit", amount=Decimal("5"), reason="y"
    )
    signed_in(client, agent)

    pending_page = client.get(reverse("care:gesture", args=[pending.pk])).content.decode()
    granted_page = client.get(reverse("care:gesture", args=[small.pk])).content.decode()

    assert "Granted by" not in pending_page
    assert "<dt>Asked by</dt><dd>Sam Agent" in pending_page
    assert "<dt>Granted by</dt><dd>Sam Agent" in granted_page
