"""Demo goodwill: months of gestures across the teams, a few requests for leads to decide on,
and executions by the shop in every state.

Gestures go through the care services, given and decided at moments in the conversations
they belong to, so each books the allowance of its own month.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from careloop.care import execution, services
from careloop.care.models import ExecutionStatus, Gesture, GestureKind, GestureStatus
from careloop.conversations.models import Conversation
from careloop.core.permissions import Role
from careloop.demo.people import first_cx_leader
from careloop.people.models import User

# Enough to fill the reports; a demo of thousands of conversations gets this many at most.
MAX_GESTURES = 400
# (kind, low, high, reasons): what agents typically give, and why.
EVERYDAY_GESTURES = (
    (GestureKind.CREDIT, 5, 60, "Waited far too long for an answer"),
    (GestureKind.REFUND, 10, 150, "Charged twice for the same order"),
    (GestureKind.DISCOUNT, 5, 40, "Next order on us after a rough delivery"),
    (GestureKind.UPGRADE, 0, 0, "Moved to express shipping at no cost"),
    (GestureKind.REPLACEMENT, 20, 120, "Arrived damaged; a new one is on its way"),
    (GestureKind.SWAP, 0, 0, "Wrong size sent; swapped like for like"),
    (GestureKind.NOTE_OR_GIFT, 0, 15, "Handwritten card and a small gift"),
    (GestureKind.CREDIT, 10, 80, "Missed the promised call-back"),
)
SWAP_ITEMS = (
    ("Trail shoes, size 42", "Trail shoes, size 43"),
    ("Blue kettle (dented)", "Blue kettle"),
    ("Vanilla tub", "Pistachio tub"),
)
LARGE_REQUESTS = (
    (GestureKind.REFUND, "2400.00", "Wedding order ruined; full refund of the catering set"),
    (GestureKind.REPLACEMENT, "3100.00", "Replace the whole sofa, not just the broken leg"),
    (GestureKind.CREDIT, "2600.00", "Business customer lost a week of sales to our outage"),
    (GestureKind.REFUND, "2250.00", "Holiday booking cancelled by us twice"),
    (GestureKind.CREDIT, "2100.00", "Subscription billed for a year after cancellation"),
)


def demo_care_exists() -> bool:
    return Gesture.objects.exists()


def _agents_of(conversation: Conversation) -> list[User]:
    return list(
        User.objects.filter(
            team=conversation.team, is_active=True, role__in=(Role.AGENT, Role.TEAM_LEAD)
        ).order_by("pk")
    )


@transaction.atomic
def create_demo_care(seed: int = 7) -> None:
    """Create the demo gestures once; running it again changes nothing."""
    if demo_care_exists():
        return
    rng = random.Random(seed)
    now = timezone.now()
    conversations = list(
        Conversation.objects.filter(team__isnull=False, merged_into__isnull=True)
        .select_related("team", "assignee", "customer")
        .order_by("created_at", "pk")
    )
    if not conversations:
        return
    chosen = rng.sample(
        conversations, k=min(len(conversations), MAX_GESTURES, max(8, len(conversations) // 4))
    )
    chosen.sort(key=lambda conversation: conversation.created_at)
    large = chosen[-len(LARGE_REQUESTS) :]
    everyday = chosen[: len(chosen) - len(large)]
    for index, conversation in enumerate(everyday):
        _everyday_gesture(rng, conversation, index)
    # The older requests were asked (and are decided) in their conversations; the newest two
    # are asked now and wait for a lead.
    asked_before = len(large) - 2
    requests = [
        _large_request(
            conversation, request, _moment(conversation, 2) if index < asked_before else None
        )
        for index, (conversation, request) in enumerate(zip(large, LARGE_REQUESTS, strict=False))
    ]
    _decide(requests, now)
    _execute(rng)


def _granting_agent(rng: random.Random, conversation: Conversation) -> User | None:
    if conversation.assignee is not None and conversation.assignee.team_id == conversation.team_id:
        return conversation.assignee
    agents = [agent for agent in _agents_of(conversation) if agent.role == Role.AGENT]
    return rng.choice(agents) if agents else None


def _moment(conversation: Conversation, hours: float) -> datetime:
    """`hours` into the conversation, or now if that is still to come."""
    return min(conversation.created_at + timedelta(hours=hours), timezone.now())


def _everyday_gesture(rng: random.Random, conversation: Conversation, index: int) -> None:
    agent = _granting_agent(rng, conversation)
    if agent is None:
        return
    kind, low, high, reason = EVERYDAY_GESTURES[index % len(EVERYDAY_GESTURES)]
    items_out, items_in = rng.choice(SWAP_ITEMS) if kind == GestureKind.SWAP else ("", "")
    amount = Decimal(rng.randint(low, high)) if high else Decimal(0)
    services.grant_gesture(
        agent=agent,
        conversation=conversation,
        kind=kind,
        amount=amount,
        reason=reason,
        items_out=items_out,
        items_in=items_in,
        at=_moment(conversation, hours=rng.uniform(0.5, 6)),
    )


def _large_request(
    conversation: Conversation, request: tuple[GestureKind, str, str], at: datetime | None
) -> Gesture:
    kind, amount, reason = request
    agent = _granting_agent(random.Random(conversation.pk), conversation)
    assert agent is not None
    return services.grant_gesture(
        agent=agent,
        conversation=conversation,
        kind=kind,
        amount=Decimal(amount),
        reason=reason,
        at=at,
    )


def _lead_for(gesture: Gesture) -> User | None:
    return (
        User.objects.filter(team=gesture.team, role=Role.TEAM_LEAD, is_active=True)
        .exclude(pk=gesture.agent_id)
        .first()
        or first_cx_leader()
    )


def _decide(requests: list[Gesture], now: datetime) -> None:
    """The oldest are decided (approved, one declined); the newest two stay pending."""
    decided, pending = requests[:-2], requests[-2:]
    for index, gesture in enumerate(decided):
        lead = _lead_for(gesture)
        if lead is None:
            continue
        declined = index == 1
        services.decide_gesture(
            gesture,
            lead=lead,
            approve=not declined,
            reason="A replacement and a call from me will do more here; let's talk."
            if declined
            else "Right call. Thank you for looking after them.",
            at=_moment(gesture.conversation, hours=5),
        )
    if pending:
        # One request is past its SLA, so the queue shows what overdue looks like. A direct
        # write: asked in the past, its conversation (among the newest) might not yet exist.
        Gesture.objects.filter(pk=pending[0].pk).update(approval_due=now - timedelta(hours=3))


def _execute(rng: random.Random) -> None:
    """Most executed by the shop; some failed, some sent and awaiting a result, some pending."""
    waiting = list(
        Gesture.objects.filter(
            execution_status=ExecutionStatus.PENDING,
            status__in=(GestureStatus.GRANTED, GestureStatus.APPROVED),
        ).order_by("created_at", "pk")
    )
    for index, gesture in enumerate(waiting):
        age = timezone.now() - gesture.created_at
        if index == len(waiting) - 1 or age < timedelta(hours=1):
            continue  # the newest stays pending
        roll = rng.random()
        # The shop's side of delivery (a failed or unanswered webhook) has no service to call
        # without a receiver; these two states are written as deliver() would leave them.
        if index % 9 == 4 or roll < 0.08:
            Gesture.objects.filter(pk=gesture.pk).update(
                execution_status=ExecutionStatus.FAILED,
                delivery_attempts=execution.MAX_ATTEMPTS,
                last_delivery_error="HTTP 503 from the receiver",
            )
        elif index % 9 == 7 or roll < 0.15:
            Gesture.objects.filter(pk=gesture.pk).update(
                execution_status=ExecutionStatus.SENT, delivery_attempts=1
            )
        else:
            execution.record_result(
                gesture,
                succeeded=True,
                reference=f"SHOP-{rng.randint(100000, 999999)}",
                detail="",
            )
