"""SLA targets and measurements, all in business time with calendar figures beside them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from careloop.conversations.business_time import BusinessCalendar
from careloop.conversations.models import (
    Channel,
    ChannelSla,
    Conversation,
    Priority,
    SlaPolicy,
    Status,
)

# Used until an admin sets policies: minutes of business time.
DEFAULT_TARGETS: dict[str, tuple[int, int, int]] = {
    Priority.URGENT: (60, 60, 8 * 60),
    Priority.HIGH: (2 * 60, 2 * 60, 16 * 60),
    Priority.NORMAL: (4 * 60, 4 * 60, 24 * 60),
    Priority.LOW: (8 * 60, 8 * 60, 40 * 60),
}


# Used until a lead sets channel targets: (first, next) response in business minutes. A chat
# customer is on the page now, so their answers are due in minutes; other channels follow
# the priority targets (hours).
DEFAULT_CHANNEL_TARGETS: dict[str, tuple[int | None, int | None]] = {
    Channel.CHAT: (3, 3),
}


def channel_policy_for(channel: str, stored: dict[str, ChannelSla] | None = None) -> ChannelSla:
    """The channel's stored targets, else its defaults (`stored`: the rows already read)."""
    if stored is None:
        policy = ChannelSla.objects.filter(channel=channel).first()
    else:
        policy = stored.get(channel)
    if policy is not None:
        return policy
    first, following = DEFAULT_CHANNEL_TARGETS.get(channel, (None, None))
    return ChannelSla(
        channel=channel, first_response_minutes=first, next_response_minutes=following
    )


def response_targets(priority: str, channel: str) -> tuple[int, int]:
    """First and next response targets in business minutes: the tighter of the priority's
    and the channel's."""
    return _tighter(policy_for(priority), channel_policy_for(channel))


def _tighter(policy: SlaPolicy, channel_policy: ChannelSla) -> tuple[int, int]:
    first, following = policy.first_response_minutes, policy.next_response_minutes
    if channel_policy.first_response_minutes:
        first = min(first, channel_policy.first_response_minutes)
    if channel_policy.next_response_minutes:
        following = min(following, channel_policy.next_response_minutes)
    return first, following


def policy_for(priority: str, stored: dict[str, SlaPolicy] | None = None) -> SlaPolicy:
    """The priority's stored targets, else its defaults (`stored`: the rows already read)."""
    if stored is None:
        policy = SlaPolicy.objects.filter(priority=priority).first()
    else:
        policy = stored.get(priority)
    if policy is not None:
        return policy
    first, following, resolution = DEFAULT_TARGETS[priority]
    return SlaPolicy(
        priority=priority,
        first_response_minutes=first,
        next_response_minutes=following,
        resolution_minutes=resolution,
    )


@dataclass(frozen=True)
class DueTargets:
    """First response, next response and resolution targets, in business minutes."""

    first_response_minutes: int
    next_response_minutes: int
    resolution_minutes: int


def due_targets(priority: str, channel: str) -> DueTargets:
    first, following = response_targets(priority, channel)
    return DueTargets(first, following, policy_for(priority).resolution_minutes)


@dataclass(frozen=True)
class SlaRules:
    """Every priority's and channel's targets, read in two queries: what a batch of new
    conversations (or one) needs, without a query per conversation."""

    policies: dict[str, SlaPolicy]
    channel_policies: dict[str, ChannelSla]

    @classmethod
    def load(cls) -> SlaRules:
        stored = {policy.priority: policy for policy in SlaPolicy.objects.all()}
        stored_channels = {policy.channel: policy for policy in ChannelSla.objects.all()}
        return cls(
            policies={priority: policy_for(priority, stored) for priority in Priority},
            channel_policies={
                channel: channel_policy_for(channel, stored_channels) for channel in Channel
            },
        )

    def response_targets(self, priority: str, channel: str) -> tuple[int, int]:
        return _tighter(self.policies[priority], self.channel_policies[channel])

    def due_targets(self, priority: str, channel: str) -> DueTargets:
        first, following = self.response_targets(priority, channel)
        return DueTargets(first, following, self.policies[priority].resolution_minutes)


def refresh_due_times(
    conversation: Conversation, calendar: BusinessCalendar, targets: DueTargets | None = None
) -> None:
    """Set the due times the current state implies (the caller saves). Callers setting many
    conversations at once (an import) pass the targets they looked up once."""
    targets = targets or due_targets(conversation.priority, conversation.channel)
    first_minutes, next_minutes = targets.first_response_minutes, targets.next_response_minutes

    conversation.first_response_due = (
        calendar.add_seconds(conversation.created_at, first_minutes * 60)
        if conversation.first_response_at is None
        else conversation.first_response_due
    )
    if conversation.first_response_at is not None and conversation.waiting_since is not None:
        conversation.next_response_due = calendar.add_seconds(
            conversation.waiting_since, next_minutes * 60
        )
    else:
        conversation.next_response_due = None
    # Time on hold does not count against resolution.
    conversation.resolution_due = calendar.add_seconds(
        conversation.created_at,
        targets.resolution_minutes * 60 + conversation.paused_business_seconds,
    )


def record_first_response(
    conversation: Conversation, calendar: BusinessCalendar, replied_at: datetime
) -> None:
    conversation.first_response_at = replied_at
    conversation.first_response_seconds = int(
        (replied_at - conversation.created_at).total_seconds()
    )
    conversation.first_response_business_seconds = calendar.seconds_between(
        conversation.created_at, replied_at
    )


def record_resolution(
    conversation: Conversation, calendar: BusinessCalendar, solved_at: datetime
) -> None:
    """Full resolution time: creation to the latest solve; business time leaves out holds."""
    conversation.solved_at = solved_at
    if conversation.first_solved_at is None:
        conversation.first_solved_at = solved_at
    conversation.resolution_seconds = int((solved_at - conversation.created_at).total_seconds())
    conversation.resolution_business_seconds = max(
        calendar.seconds_between(conversation.created_at, solved_at)
        - conversation.paused_business_seconds,
        0,
    )


def pause_clock(conversation: Conversation, at: datetime) -> None:
    if conversation.paused_since is None:
        conversation.paused_since = at


def resume_clock(conversation: Conversation, calendar: BusinessCalendar, at: datetime) -> None:
    """Leaving "on hold" moves every running due time later by the business time spent on hold."""
    if conversation.paused_since is None:
        return
    paused = calendar.seconds_between(conversation.paused_since, at)
    conversation.paused_business_seconds += paused
    if conversation.waiting_since is not None:
        # The customer's wait restarts after the hold, minus nothing: the hold was on us, not them.
        conversation.waiting_since = conversation.waiting_since + timedelta(
            seconds=(at - conversation.paused_since).total_seconds()
        )
    conversation.paused_since = None


def is_breached(conversation: Conversation, now: datetime) -> bool:
    if conversation.status == Status.ON_HOLD:
        return False
    dues = [
        conversation.first_response_due if conversation.first_response_at is None else None,
        conversation.next_response_due if conversation.waiting_since else None,
        conversation.resolution_due if not conversation.is_finished else None,
    ]
    return any(due is not None and due < now for due in dues)
