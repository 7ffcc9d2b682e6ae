"""What team voice tells subscribers (core.events): ideas, never who suggested them."""

from __future__ import annotations

from careloop.core import events
from careloop.core.links import absolute_url_for
from careloop.pulse.models import Idea


def publish_idea(event: events.EventType[events.IdeaData], idea: Idea) -> None:
    events.publish(
        event,
        events.IdeaData(
            id=str(idea.pk),
            title=idea.title,
            status=idea.status,
            team_id=idea.team_id,
            submitted_on=idea.submitted_on.isoformat(),
            respond_by=idea.respond_by.isoformat(),
            responded_on=events.stamp(idea.responded_on),
            url=absolute_url_for("pulse:idea", idea.pk),
        ),
        team_id=idea.team_id,
    )
