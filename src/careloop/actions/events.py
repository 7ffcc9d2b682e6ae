"""What action items tell subscribers (core.events): the payloads, built from rows."""

from __future__ import annotations

from careloop.actions.models import ActionItem
from careloop.core import events
from careloop.core.links import absolute_url_for


def publish_done(item: ActionItem) -> None:
    events.publish(
        events.ACTION_ITEM_DONE,
        events.ActionItemData(
            id=item.pk,
            title=item.title,
            kind=item.kind,
            source_kind=item.source_kind,
            owner_id=item.owner_id,
            due=item.due.isoformat(),
            completed_at=events.stamp(item.completed_at),
            url=absolute_url_for("actions:item", item.pk),
        ),
        team_id=getattr(item.owner, "team_id", None),
    )
