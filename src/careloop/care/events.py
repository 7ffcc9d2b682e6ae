"""What goodwill tells subscribers (core.events): the payloads, built from rows."""

from __future__ import annotations

from careloop.care.models import Gesture, GestureStatus
from careloop.core import events
from careloop.core.links import absolute_url_for


def publish_gesture(gesture: Gesture) -> None:
    """Granted within the allowance, waiting for approval, or decided: its status says which."""
    if gesture.decided_at is not None:
        event = events.GESTURE_DECIDED
    elif gesture.status == GestureStatus.PENDING:
        event = events.GESTURE_REQUESTED
    else:
        event = events.GESTURE_GRANTED
    events.publish(
        event,
        events.GestureData(
            id=gesture.pk,
            kind=gesture.kind,
            amount=str(gesture.amount),
            currency=gesture.currency,
            status=gesture.status,
            within_allowance=gesture.within_allowance,
            conversation_id=gesture.conversation_id,
            customer_id=gesture.customer_id,
            agent_id=gesture.agent_id,
            team_id=gesture.team_id,
            approval_due=events.stamp(gesture.approval_due),
            decided_by_id=gesture.decided_by_id,
            decided_at=events.stamp(gesture.decided_at),
            url=absolute_url_for("care:gesture", gesture.pk),
        ),
        team_id=gesture.team_id,
    )
