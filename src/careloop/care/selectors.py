"""Reads about gestures and allowances: what an agent may grant, what waits for whom."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from careloop.care.models import (
    ZERO,
    Allowance,
    AllowanceLedger,
    CareSettings,
    ExecutionStatus,
    Gesture,
    GestureStatus,
    LedgerScope,
)
from careloop.conversations.models import Conversation
from careloop.core import calendar
from careloop.core.home import Figure
from careloop.core.permissions import Action, Reach, can, may, reach, restrict
from careloop.people.models import Team, User
from careloop.people.selectors import employees


def care_settings() -> CareSettings:
    """The organisation's goodwill settings, created with defaults on first use."""
    found = CareSettings.objects.order_by("pk").first()
    return found if found is not None else CareSettings.objects.create()


def period_label(day: datetime.date) -> str:
    """Allowance periods are calendar months in the organisation's time zone."""
    return f"{day:%Y-%m}"


def ledger_key(scope: LedgerScope, owner_id: int, day: datetime.date | None = None) -> str:
    if scope == LedgerScope.INCIDENT:
        return f"incident:{owner_id}"
    assert day is not None
    return f"{scope.value}:{owner_id}:{period_label(day)}"


@dataclass(frozen=True)
class Limits:
    per_incident: Decimal
    agent_period: Decimal
    team_period: Decimal


def limits_for(agent: User, team: Team | None) -> Limits:
    """The allowance that applies: the agent's override, then the team's, then the default."""
    defaults = care_settings()
    agent_override = Allowance.objects.filter(agent=agent).first()
    team_override = Allowance.objects.filter(team=team).first() if team else None
    per_incident = next(
        (
            value
            for value in (
                agent_override.per_incident_limit if agent_override else None,
                team_override.per_incident_limit if team_override else None,
            )
            if value is not None
        ),
        defaults.per_incident_limit,
    )
    agent_period = (
        agent_override.period_limit
        if agent_override and agent_override.period_limit is not None
        else defaults.agent_period_limit
    )
    team_period = (
        team_override.period_limit
        if team_override and team_override.period_limit is not None
        else defaults.team_period_limit
    )
    return Limits(per_incident, agent_period, team_period)


def granted_in(key: str) -> Decimal:
    row = AllowanceLedger.objects.filter(key=key).first()
    return row.granted if row else ZERO


def team_of(agent: User, conversation: Conversation) -> Team | None:
    """Gestures are the care investment of the conversation's team, else the agent's."""
    return conversation.team or agent.team


@dataclass(frozen=True)
class Headroom:
    """What an agent can still grant on one conversation without asking anyone."""

    available: Decimal
    per_incident_left: Decimal
    agent_period_left: Decimal
    team_period_left: Decimal


def headroom_for(agent: User, conversation: Conversation) -> Headroom:
    team = team_of(agent, conversation)
    limits = limits_for(agent, team)
    today = calendar.today()
    incident_left = limits.per_incident - granted_in(
        ledger_key(LedgerScope.INCIDENT, conversation.pk)
    )
    agent_left = limits.agent_period - granted_in(ledger_key(LedgerScope.AGENT, agent.pk, today))
    team_left = (
        limits.team_period - granted_in(ledger_key(LedgerScope.TEAM, team.pk, today))
        if team
        else limits.team_period
    )
    lefts = [max(ZERO, value) for value in (incident_left, agent_left, team_left)]
    return Headroom(min(lefts), *lefts)


def gestures() -> QuerySet[Gesture]:
    return Gesture.objects.select_related("agent", "team", "customer", "conversation", "decided_by")


def gestures_on(conversation: Conversation) -> QuerySet[Gesture]:
    return gestures().filter(conversation=conversation)


def earlier_for_customer(conversation: Conversation, limit: int = 5) -> QuerySet[Gesture]:
    """The customer's gestures on other conversations, newest first, for context."""
    return (
        gestures()
        .filter(customer_id=conversation.customer_id)
        .exclude(conversation=conversation)
        .order_by("-created_at")[:limit]
    )


def gestures_by(agent: User) -> QuerySet[Gesture]:
    """An agent's own gestures, for their own follow-up; never summed into a figure."""
    return gestures().filter(agent=agent)


def visible_to(user: User) -> QuerySet[Gesture]:
    """The gestures `user` sees: their own, their team's as a lead, all for CX leadership."""
    return restrict(gestures(), user, Action.SEE_GESTURES)


def approval_queue(user: User) -> QuerySet[Gesture]:
    """Requests waiting for this lead, the longest overdue first; never their own."""
    return (
        restrict(gestures(), user, Action.APPROVE_GESTURES)
        .filter(status=GestureStatus.PENDING)
        .order_by("approval_due", "pk")
    )


def approval_figures(user: User) -> list[Figure]:
    """The home page's count of requests waiting for this person's decision, and how many of
    them are past their approval SLA."""
    waiting = approval_queue(user)
    url = reverse("care:home")
    return [
        Figure("approvals-waiting", "Approvals waiting", waiting.count(), url=url),
        Figure(
            "approvals-overdue",
            "Approvals past their SLA",
            waiting.filter(approval_due__lt=timezone.now()).count(),
            url=url,
        ),
    ]


def recently_decided(user: User, limit: int = 20) -> QuerySet[Gesture]:
    return (
        visible_to(user)
        .filter(status__in=(GestureStatus.APPROVED, GestureStatus.DECLINED))
        .order_by("-decided_at")[:limit]
    )


def reconciliation(user: User, state: str = "") -> QuerySet[Gesture]:
    """Gestures on their way to (or back from) the shop, for leads to reconcile."""
    shown = visible_to(user).exclude(
        execution_status__in=(ExecutionStatus.NOT_YET, ExecutionStatus.BY_HAND)
    )
    if state in ExecutionStatus.values:
        shown = shown.filter(execution_status=state)
    return shown.order_by("-created_at")


def execution_counts(user: User) -> dict[str, int]:
    base = visible_to(user)
    return {
        state: base.filter(execution_status=state).count()
        for state in (
            ExecutionStatus.PENDING,
            ExecutionStatus.SENT,
            ExecutionStatus.EXECUTED,
            ExecutionStatus.FAILED,
        )
    }


def to_execute() -> QuerySet[Gesture]:
    """Gestures a shop or billing system should carry out (for the pull API)."""
    return (
        gestures()
        .filter(execution_status__in=(ExecutionStatus.PENDING, ExecutionStatus.SENT))
        .order_by("created_at", "pk")
    )


def allowance_overrides_for(user: User) -> QuerySet[Allowance]:
    """The team and agent allowances `user` may change: never one that applies to themselves."""
    overrides = Allowance.objects.select_related("team", "agent", "agent__team", "updated_by")
    return restrict(overrides, user, Action.MANAGE_ALLOWANCES)


def may_edit_defaults(user: User) -> bool:
    """The organisation's defaults bind every team: only those who reach every team set them."""
    return reach(user, Action.MANAGE_ALLOWANCES) is Reach.ORGANISATION


def teams_for_allowances(user: User) -> QuerySet[Team]:
    """Teams whose allowance `user` may set: not their own team's, which binds them too."""
    allowed = [
        team.pk
        for team in Team.objects.all()
        if may(user, Action.MANAGE_ALLOWANCES, Allowance(team=team))
    ]
    return Team.objects.filter(pk__in=allowed)


def agents_for_allowances(user: User) -> QuerySet[User]:
    """People who grant gestures and whose own allowance `user` may set: never `user`."""
    allowed = [
        person.pk
        for person in employees().filter(is_active=True)
        if can(person, Action.GRANT_GESTURES)
        and may(user, Action.MANAGE_ALLOWANCES, Allowance(agent=person))
    ]
    return employees().filter(pk__in=allowed)
