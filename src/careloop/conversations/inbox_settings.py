"""Inbox settings that leads own: SLA targets, routing and saved replies."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from django.db import transaction
from django.db.models import Manager

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
    _store_targets(SlaPolicy.objects, "priority", targets)


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
    _store_targets(ChannelSla.objects, "channel", targets)


def _store_targets(
    rows: Manager[Any], key: str, targets: Iterable[SlaTargets] | Iterable[ChannelTargets]
) -> None:
    """One row per target, found by its `key` field and holding the target's minutes; this
    process reads the inbox rules afresh once the change is committed."""
    for target in targets:
        minutes = asdict(target)
        rows.update_or_create(**{key: minutes.pop(key)}, defaults=minutes)
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
