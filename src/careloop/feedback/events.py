"""What voice of the customer tells subscribers (core.events): the payloads, built from rows."""

from __future__ import annotations

from careloop.core import events
from careloop.core.links import absolute_url_for
from careloop.feedback.models import Concern, RecoveryTask, SurveyResponse


def publish_survey_answer(response: SurveyResponse) -> None:
    events.publish(
        events.SURVEY_ANSWERED,
        events.SurveyAnswerData(
            id=response.pk,
            kind=response.kind,
            customer_id=response.customer_id,
            conversation_id=response.conversation_id,
            team_id=response.team_id,
            agent_id=response.agent_id,
            csat=response.csat,
            ces=response.ces,
            nps=response.nps,
            comment=response.comment,
            is_detractor=response.is_detractor,
            answered_at=response.answered_at.isoformat(),
        ),
        team_id=response.team_id,
    )


def publish_recovery(event: events.EventType[events.RecoveryData], task: RecoveryTask) -> None:
    events.publish(
        event,
        events.RecoveryData(
            id=task.pk,
            survey_response_id=task.response_id,
            customer_id=task.customer_id,
            team_id=task.team_id,
            owner_id=task.owner_id,
            status=task.status,
            outcome=task.outcome,
            due_at=task.due_at.isoformat(),
            closed_at=events.stamp(task.closed_at),
            url=absolute_url_for("feedback:recovery", task.pk),
        ),
        team_id=task.team_id,
    )


def publish_concern(concern: Concern) -> None:
    """That a concern arrived, and nothing of what it says or who raised it."""
    events.publish(
        events.CONCERN_RECEIVED,
        events.ConcernData(
            id=concern.pk,
            category=concern.category,
            raised_on=concern.raised_on.isoformat(),
            first_response_due=events.stamp(concern.first_response_due),
            url=absolute_url_for("feedback:concern", concern.pk),
        ),
    )
