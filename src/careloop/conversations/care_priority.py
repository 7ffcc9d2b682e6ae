"""Care priority: who should be answered next, and why.

The score blends how upset the customer is, how long they have waited in business time against
their SLA target (per channel: a chat's target is minutes), how close or past the SLA due time
is, their recent history, whether they wait on a live channel and the priority set by hand.
Each part is a `Contribution` with its points, a plain-language reason and its computation; the
score is exactly their sum, so the inbox can show why a conversation sits where it does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from careloop.conversations.business_time import BusinessCalendar
from careloop.conversations.models import Channel, Conversation, Priority
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
# Live channels: the customer is on the page now and leaves if nobody answers.
CHANNEL_POINTS = {Channel.CHAT: 15.0}
NOTABLE_DISTRESS = 0.35


class Factor(StrEnum):
    """The parts of the score, in the order the breakdown lists them."""

    DISTRESS = "distress"
    WAITING = "waiting"
    SLA = "sla"
    HISTORY = "history"
    CHANNEL = "channel"
    PRIORITY = "priority"

    @property
    def label(self) -> str:
        return FACTOR_LABELS[self]


FACTOR_LABELS = {
    Factor.DISTRESS: "Distress",
    Factor.WAITING: "Waiting",
    Factor.SLA: "SLA",
    Factor.HISTORY: "History",
    Factor.CHANNEL: "Channel",
    Factor.PRIORITY: "Priority",
}


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
    channel: Channel = Channel.EMAIL
    # The language of the customer's latest message when the engine could not read it.
    distress_not_read: str = ""


@dataclass(frozen=True)
class Contribution:
    """What one factor adds to the score, why, and how it was computed."""

    factor: Factor
    points: float
    reason: str
    computation: str

    def as_dict(self) -> dict[str, str | float]:
        return {
            "factor": self.factor.value,
            "label": self.factor.label,
            "points": self.points,
            "reason": self.reason,
            "computation": self.computation,
        }


@dataclass
class CarePriority:
    """The score is exactly the sum of its contributions, each rounded to one decimal as shown."""

    contributions: list[Contribution] = field(default_factory=list)

    def add(self, factor: Factor, points: float, reason: str, computation: str) -> None:
        self.contributions.append(Contribution(factor, round(points, 1), reason, computation))

    @property
    def score(self) -> float:
        return round(sum(part.points for part in self.contributions), 1)

    @property
    def reasons(self) -> list[str]:
        """Plain-language reasons, the largest contribution first."""
        return [part.reason for part in self.ranked() if part.reason]

    def ranked(self) -> list[Contribution]:
        return sorted(self.contributions, key=lambda part: -abs(part.points))

    def breakdown(self) -> list[dict[str, str | float]]:
        return [part.as_dict() for part in self.ranked()]


def distress_words(distress: float) -> str:
    if distress >= 0.75:
        return "very upset"
    if distress >= 0.5:
        return "upset"
    if distress >= NOTABLE_DISTRESS:
        return "somewhat uneasy"
    return "calm"


def score(signals: CareSignals) -> CarePriority:
    """Turn the signals into a score with one contribution per factor, highest first."""
    result = CarePriority()
    if signals.distress is not None:
        result.add(
            Factor.DISTRESS,
            DISTRESS_WEIGHT * signals.distress,
            f"Customer sounds {distress_words(signals.distress)} (distress {signals.distress:.2f})",
            f"{DISTRESS_WEIGHT:g} × distress {signals.distress:.2f}",
        )
    elif signals.distress_not_read:
        # Said plainly rather than guessed: the models read English only.
        result.add(
            Factor.DISTRESS,
            0.0,
            f"Distress not read: {signals.distress_not_read}",
            f"not scored: the empathy models read English; this message is "
            f"{signals.distress_not_read}",
        )

    if signals.target_business_seconds:
        waited = signals.waited_business_seconds / signals.target_business_seconds
        ratio = min(waited, WAITING_CAP)
        result.add(
            Factor.WAITING,
            WAITING_WEIGHT * ratio,
            f"Waiting {describe_duration(signals.waited_business_seconds)} of a "
            f"{describe_duration(signals.target_business_seconds)} target (business hours)",
            f"{WAITING_WEIGHT:g} × {describe_duration(signals.waited_business_seconds)} "
            f"waited ÷ {describe_duration(signals.target_business_seconds)} target"
            f" = {WAITING_WEIGHT:g} × {ratio:.2f}"
            + (f" (capped at {WAITING_CAP:g} targets)" if waited > WAITING_CAP else ""),
        )

    if signals.seconds_until_due is not None:
        if signals.seconds_until_due < 0:
            result.add(
                Factor.SLA,
                BREACHED_POINTS,
                f"SLA breached {describe_duration(-signals.seconds_until_due)} ago",
                f"{BREACHED_POINTS:g} for a breached target",
            )
        elif signals.seconds_until_due <= due_soon_seconds(signals.target_business_seconds):
            result.add(
                Factor.SLA,
                DUE_SOON_POINTS,
                f"SLA due in {describe_duration(signals.seconds_until_due)}",
                f"{DUE_SOON_POINTS:g} for a target due within "
                f"{describe_duration(due_soon_seconds(signals.target_business_seconds))}",
            )

    if signals.same_problem_contacts:
        contacts = min(signals.same_problem_contacts, REPEAT_CONTACT_CAP)
        result.add(
            Factor.HISTORY,
            REPEAT_CONTACT_POINTS * contacts,
            f"Contact number {signals.same_problem_contacts + 1} about the same problem in 30 days",
            f"{REPEAT_CONTACT_POINTS:g} × {contacts} earlier contact"
            f"{'s' if contacts > 1 else ''} about the same problem"
            + (
                f" (capped at {REPEAT_CONTACT_CAP})"
                if contacts < signals.same_problem_contacts
                else ""
            ),
        )
    elif signals.recent_contacts:
        result.add(
            Factor.HISTORY,
            REPEAT_CONTACT_POINTS / 2,
            f"{signals.recent_contacts} other conversation"
            f"{'s' if signals.recent_contacts > 1 else ''} in 30 days",
            f"{REPEAT_CONTACT_POINTS / 2:g} for other conversations in 30 days",
        )
    if signals.reopened:
        result.add(
            Factor.HISTORY,
            REOPENED_POINTS,
            "Reopened after being solved",
            f"{REOPENED_POINTS:g} for a reopened conversation",
        )

    channel_points = CHANNEL_POINTS.get(signals.channel, 0.0)
    if channel_points and signals.target_business_seconds:
        result.add(
            Factor.CHANNEL,
            channel_points,
            f"{Channel(signals.channel).label}: the customer is waiting live",
            f"{channel_points:g} for a live channel",
        )

    priority_points = PRIORITY_POINTS[signals.priority]
    if priority_points:
        result.add(
            Factor.PRIORITY,
            priority_points,
            f"Marked {signals.priority.label.lower()} priority",
            f"{priority_points:g} for {signals.priority.label.lower()} priority",
        )
    return result


def due_soon_seconds(target_business_seconds: int | None) -> int:
    """ "Due soon" is the last hour of an hours-long target, the last half of a short one."""
    if target_business_seconds is None:
        return DUE_SOON_SECONDS
    return min(DUE_SOON_SECONDS, target_business_seconds // 2)


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
        channel=Channel(conversation.channel),
        distress_not_read=conversation.distress_not_read,
    )
