"""Care priority: who should be answered next, and why.

The score blends how upset the customer is, how long they have waited in business time against
their SLA target, how close or past the SLA due time is, and their recent history. Every part
that adds to the score also adds a plain-language reason, so the inbox can say why a
conversation sits where it does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from careloop.conversations.business_time import BusinessCalendar
from careloop.conversations.models import Conversation, Priority
from careloop.core.durations import describe_duration

# Weights are points on a 0..100-ish scale; distress and waiting matter most by design.
DISTRESS_WEIGHT = 40.0
WAITING_WEIGHT = 25.0  # per SLA target waited, capped at two targets
WAITING_CAP = 2.0
DUE_SOON_POINTS = 10.0
BREACHED_POINTS = 20.0
REPEAT_CONTACT_POINTS = 8.0
REPEAT_CONTACT_CAP = 2
REOPENED_POINTS = 8.0
PRIORITY_POINTS = {
    Priority.URGENT: 20.0,
    Priority.HIGH: 10.0,
    Priority.NORMAL: 0.0,
    Priority.LOW: -5.0,
}
DUE_SOON_SECONDS = 3600
NOTABLE_DISTRESS = 0.35


@dataclass(frozen=True)
class CareSignals:
    """Facts about one conversation that care priority weighs."""

    distress: float | None
    waited_business_seconds: int
    target_business_seconds: int | None
    seconds_until_due: int | None
    recent_contacts: int
    same_problem_contacts: int
    reopened: bool
    priority: Priority


@dataclass
class CarePriority:
    score: float = 0.0
    reasons: list[str] = field(default_factory=list)

    def add(self, points: float, reason: str) -> None:
        self.score += points
        if reason:
            self.reasons.append(reason)


def distress_words(distress: float) -> str:
    if distress >= 0.75:
        return "very upset"
    if distress >= 0.5:
        return "upset"
    return "somewhat uneasy"


def score(signals: CareSignals) -> CarePriority:
    """Turn the signals into a score with reasons, highest first in the inbox."""
    result = CarePriority()
    if signals.distress is not None and signals.distress >= NOTABLE_DISTRESS:
        result.add(
            DISTRESS_WEIGHT * signals.distress,
            f"Customer sounds {distress_words(signals.distress)} (distress {signals.distress:.2f})",
        )
    elif signals.distress is not None:
        result.add(DISTRESS_WEIGHT * signals.distress, "")

    if signals.target_business_seconds:
        ratio = min(signals.waited_business_seconds / signals.target_business_seconds, WAITING_CAP)
        result.add(
            WAITING_WEIGHT * ratio,
            f"Waiting {describe_duration(signals.waited_business_seconds)} of a "
            f"{describe_duration(signals.target_business_seconds)} target (business hours)",
        )

    if signals.seconds_until_due is not None:
        if signals.seconds_until_due < 0:
            result.add(
                BREACHED_POINTS,
                f"SLA breached {describe_duration(-signals.seconds_until_due)} ago",
            )
        elif signals.seconds_until_due <= DUE_SOON_SECONDS:
            result.add(
                DUE_SOON_POINTS, f"SLA due in {describe_duration(signals.seconds_until_due)}"
            )

    if signals.same_problem_contacts:
        contacts = min(signals.same_problem_contacts, REPEAT_CONTACT_CAP)
        result.add(
            REPEAT_CONTACT_POINTS * contacts,
            f"Contact number {signals.same_problem_contacts + 1} about the same problem in 30 days",
        )
    elif signals.recent_contacts:
        result.add(
            REPEAT_CONTACT_POINTS / 2,
            f"{signals.recent_contacts} other conversation"
            f"{'s' if signals.recent_contacts > 1 else ''} in 30 days",
        )

    if signals.reopened:
        result.add(REOPENED_POINTS, "Reopened after being solved")

    priority_points = PRIORITY_POINTS[signals.priority]
    if priority_points:
        result.add(priority_points, f"Marked {signals.priority.label.lower()} priority")

    result.score = round(result.score, 2)
    return result


def signals_for(
    conversation: Conversation,
    calendar: BusinessCalendar,
    now: datetime,
    recent_contacts: int,
    same_problem_contacts: int,
) -> CareSignals:
    waiting = conversation.is_waiting_on_us and conversation.waiting_since is not None
    waited = (
        calendar.seconds_between(conversation.waiting_since, now)
        if waiting and conversation.waiting_since
        else 0
    )
    due = (
        conversation.first_response_due
        if conversation.first_response_at is None
        else (conversation.next_response_due)
    )
    target = None
    if waiting and due is not None and conversation.waiting_since is not None:
        target = calendar.seconds_between(conversation.waiting_since, due) or None
    seconds_until_due = None
    if waiting and due is not None:
        seconds_until_due = (
            calendar.seconds_between(now, due) if due > now else -calendar.seconds_between(due, now)
        )
    return CareSignals(
        distress=conversation.distress,
        waited_business_seconds=waited,
        target_business_seconds=target,
        seconds_until_due=seconds_until_due,
        recent_contacts=recent_contacts,
        same_problem_contacts=same_problem_contacts,
        reopened=conversation.reopen_count > 0,
        priority=Priority(conversation.priority),
    )
