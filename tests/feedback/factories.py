"""Helpers for the voice-of-the-customer tests: solved conversations and answered surveys."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone

from careloop.conversations.models import Channel, Conversation, Customer, Status
from careloop.conversations.services.assignment import assign
from careloop.conversations.services.conversations import change_status, receive_customer_message
from careloop.feedback.models import SurveyInvitation, SurveyKind, SurveyResponse
from careloop.feedback.services import surveys
from careloop.people.models import User
from tests.conversations.factories import CustomerFactory


def solved_conversation(
    *,
    customer: Customer | None = None,
    agent: User | None = None,
    channel: Channel = Channel.EMAIL,
    subject: str = "Where is my parcel?",
    at: datetime | None = None,
) -> Conversation:
    """A conversation answered by `agent` and solved, without running on-commit subscribers."""
    at = at or timezone.now()
    message = receive_customer_message(
        customer or CustomerFactory(),
        channel=channel,
        body_text="My parcel has not arrived.",
        subject=subject,
        at=at,
    )
    conversation = message.conversation
    if agent is not None:
        assign(conversation, agent, actor=agent)
    change_status(conversation, Status.SOLVED, actor=agent, at=at)
    conversation.refresh_from_db()
    return conversation


def sent_invitation(
    conversation: Conversation | None = None,
    *,
    kind: str = SurveyKind.POST_RESOLUTION,
    customer: Customer | None = None,
    now: datetime | None = None,
) -> SurveyInvitation:
    """An invitation already sent (its link is the last SurveyLink made)."""
    now = now or timezone.now()
    if conversation is not None:
        invitation = surveys.schedule_post_resolution_survey(conversation, now=now)
        assert invitation is not None
    else:
        invitation = SurveyInvitation.objects.create(
            kind=kind, customer=customer or CustomerFactory(), send_after=now
        )
    SurveyInvitation.objects.filter(pk=invitation.pk).update(send_after=now)
    invitation.refresh_from_db()
    assert surveys.send_survey(invitation, now=now), invitation.skip_reason
    invitation.refresh_from_db()
    return invitation


def answered(
    conversation: Conversation, *, csat: int = 5, ces: int = 6, comment: str = "", days_ago: int = 0
) -> SurveyResponse:
    now = timezone.now() - timedelta(days=days_ago)
    invitation = sent_invitation(conversation, now=now)
    return surveys.submit_answers(invitation, csat=csat, ces=ces, comment=comment, now=now)
