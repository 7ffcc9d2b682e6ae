"""Parallel grants against one allowance, on PostgreSQL: row locks keep the sum within it."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from decimal import Decimal

import pytest
from django.db import connection, connections

from careloop.care import selectors, services
from careloop.care.models import Gesture, GestureStatus
from careloop.core import calendar
from careloop.core.permissions import Role
from careloop.people.models import Team, User
from tests.conversations.factories import ConversationFactory
from tests.people.factories import UserFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="Needs concurrent writers with row locks: runs on PostgreSQL (DATABASE_URL).",
    ),
]

PARALLEL = 8


def _grant_in_parallel(grants: list[tuple[User, int, str]]) -> list[str]:
    barrier = threading.Barrier(len(grants))

    def one(agent: User, conversation_pk: int, amount: str) -> str:
        try:
            conversation = ConversationFactory._meta.model.objects.get(pk=conversation_pk)
            barrier.wait(timeout=30)
            gesture = services.grant_gesture(
                agent=agent,
                conversation=conversation,
                kind="credit",
                amount=Decimal(amount),
                reason="Late delivery",
            )
            return str(gesture.status)
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(grants)) as pool:
        return list(pool.map(lambda args: one(*args), grants))


def test_parallel_gestures_cannot_overspend_the_agents_monthly_allowance() -> None:
    team = Team.objects.create(name="Parallel", slug="parallel")
    agent = UserFactory(role=Role.AGENT, team=team)
    services.set_allowance(
        by=UserFactory(role=Role.ADMIN),
        agent=agent,
        per_incident_limit=None,
        period_limit=Decimal("100"),
    )
    conversations = [ConversationFactory(team=team).pk for _ in range(PARALLEL)]

    statuses = _grant_in_parallel([(agent, pk, "30.00") for pk in conversations])

    assert statuses.count(GestureStatus.GRANTED) == 3
    assert statuses.count(GestureStatus.PENDING) == PARALLEL - 3
    key = selectors.ledger_key(selectors.LedgerScope.AGENT, agent.pk, calendar.today())
    assert selectors.granted_in(key) == Decimal("90.00")


def test_parallel_gestures_on_one_incident_by_different_agents_stay_within_its_allowance() -> None:
    team = Team.objects.create(name="Incident", slug="incident")
    agents = [UserFactory(role=Role.AGENT, team=team) for _ in range(PARALLEL)]
    conversation = ConversationFactory(team=team)

    statuses = _grant_in_parallel([(agent, conversation.pk, "700.00") for agent in agents])

    granted = Gesture.objects.filter(conversation=conversation, status=GestureStatus.GRANTED)
    assert statuses.count(GestureStatus.GRANTED) == granted.count() == 2  # 2 × 700 ≤ 2000
    assert selectors.granted_in(f"incident:{conversation.pk}") == Decimal("1400.00")
