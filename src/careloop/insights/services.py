"""Writes for insights: the customer journey map (roll-ups are maintained in rollups.py)."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max

from careloop.conversations.models import Tag
from careloop.core.audit import record_audit
from careloop.insights.models import JourneyStage, Touchpoint
from careloop.people.models import User


def add_stage(*, name: str, description: str, by: User) -> JourneyStage:
    last = JourneyStage.objects.aggregate(last=Max("position"))["last"]
    stage = JourneyStage.objects.create(
        name=name, description=description, position=0 if last is None else last + 1
    )
    record_audit(by, "insights.journey_stage_added", stage, summary=name)
    return stage


def update_stage(stage: JourneyStage, *, name: str, description: str, by: User) -> JourneyStage:
    stage.name, stage.description = name, description
    stage.save(update_fields=["name", "description"])
    record_audit(by, "insights.journey_stage_changed", stage, summary=name)
    return stage


def remove_stage(stage: JourneyStage, *, by: User) -> None:
    record_audit(by, "insights.journey_stage_removed", stage, summary=stage.name)
    stage.delete()


@transaction.atomic
def save_touchpoint(
    *,
    stage: JourneyStage,
    name: str,
    description: str,
    tag_names: Iterable[str],
    channel: str,
    by: User,
    touchpoint: Touchpoint | None = None,
) -> Touchpoint:
    """Add a touchpoint to a stage, or change one; unknown tags are created."""
    if touchpoint is None:
        last = stage.touchpoints.aggregate(last=Max("position"))["last"]
        touchpoint = Touchpoint(stage=stage, position=0 if last is None else last + 1)
    touchpoint.name, touchpoint.description, touchpoint.channel = name, description, channel
    touchpoint.save()
    touchpoint.tags.set([Tag.objects.get_or_create(name=tag)[0] for tag in tag_names])
    record_audit(by, "insights.touchpoint_saved", touchpoint, summary=f"{stage.name}: {name}")
    return touchpoint


def remove_touchpoint(touchpoint: Touchpoint, *, by: User) -> None:
    record_audit(by, "insights.touchpoint_removed", touchpoint, summary=touchpoint.name)
    touchpoint.delete()
