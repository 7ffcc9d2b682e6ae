"""Inbox settings that leads own: SLA targets, routing and saved replies."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db import transaction

from careloop.conversations import sla
from careloop.conversations.models import Channel, ChannelSla, Priority, SavedReply, SlaPolicy
from careloop.conversations.rules import forget_rules
from careloop.people.models import Team
from careloop.people.selectors import current_organisation


@dataclass(frozen=True)
class SlaTargets:
    priority: Priority
    first_response_minutes: int
    next_response_minutes: int
    resolution_minutes: int


def current_sla_targets() -> list[SlaTargets]:
    targets = []
    for priority in Priority:
        policy = sla.policy_for(priority)
        targets.append(
            SlaTargets(
                priority,
                policy.first_response_minutes,
                policy.next_response_minutes,
                policy.resolution_minutes,
            )
        )
    return targets


@transaction.atomic
def save_sla_targets(targets: Iterable[SlaTargets]) -> None:
    """New targets apply to due times computed from now on; past breaches stay as they were."""
    for target in targets:
        SlaPolicy.objects.update_or_create(
            priority=target.priority,
            defaults={
                "first_response_minutes": target.first_response_minutes,
                "next_response_minutes": target.next_response_minutes,
                "resolution_minutes": target.resolution_minutes,
            },
        )
    transaction.on_commit(forget_rules)


@dataclass(frozen=True)
class ChannelTargets:
    """A channel's response targets in business minutes; None follows the priority targets."""

    channel: Channel
    first_response_minutes: int | None
    next_response_minutes: int | None


def current_channel_targets() -> list[ChannelTargets]:
    targets = []
    for channel in Channel:
        policy = sla.channel_policy_for(channel)
        targets.append(
            ChannelTargets(channel, policy.first_response_minutes, policy.next_response_minutes)
        )
    return targets


@transaction.atomic
def save_channel_targets(targets: Iterable[ChannelTargets]) -> None:
    """Like priority targets, new channel targets apply to due times computed from now on."""
    for target in targets:
        ChannelSla.objects.update_or_create(
            channel=target.channel,
            defaults={
                "first_response_minutes": target.first_response_minutes,
                "next_response_minutes": target.next_response_minutes,
            },
        )
    transaction.on_commit(forget_rules)


@transaction.atomic
def save_routing(default_team: Team | None, auto_assign_teams: Iterable[Team]) -> None:
    organisation = current_organisation()
    organisation.default_team = default_team
    organisation.save(update_fields=["default_team"])
    chosen = {team.pk for team in auto_assign_teams}
    Team.objects.filter(pk__in=chosen).update(auto_assign=True)
    Team.objects.exclude(pk__in=chosen).update(auto_assign=False)
    transaction.on_commit(forget_rules)


def saved_replies() -> list[SavedReply]:
    return list(SavedReply.objects.select_related("team"))


def save_saved_reply(
    saved_reply: SavedReply | None, *, title: str, body: str, team: Team | None
) -> SavedReply:
    """Create a saved reply (`saved_reply` None) or change one."""
    saved_reply = saved_reply or SavedReply()
    saved_reply.title, saved_reply.body, saved_reply.team = title.strip(), body, team
    saved_reply.save()
    return saved_reply
