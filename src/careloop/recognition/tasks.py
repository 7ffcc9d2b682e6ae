"""Background work for recognition: customer praise becomes suggested stories."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from functools import partial
from typing import TYPE_CHECKING

from django.db import transaction
from django.tasks import task
from django.template.loader import render_to_string
from django.utils import timezone

from careloop.conversations.models import Message
from careloop.core.email_headers import send_mail
from careloop.core.links import absolute_url_for
from careloop.recognition import services
from careloop.recognition.models import StoryStatus, SuccessStory

if TYPE_CHECKING:
    from careloop.feedback.models import SurveyResponse

SWEEP_DAYS = 7


def surface_praise_in_messages_read(message_ids: Sequence[int]) -> None:
    """Subscriber of customer_messages_read: a message just read may praise an agent, only
    where an agent already replied (praise needs someone to praise); each is looked at by its
    own task after commit."""
    candidates = list(
        Message.objects.filter(
            pk__in=message_ids,
            author_kind=Message.Author.CUSTOMER,
            emotions__isnull=False,
            conversation__public_reply_count__gt=0,
        ).values_list("pk", flat=True)
    )
    for message_id in candidates:
        transaction.on_commit(partial(surface_praise_in_message.enqueue, message_id))


def surface_praise_in_survey_answer(response: SurveyResponse) -> None:
    """Subscriber of survey_answered: a comment about a conversation may be praise too."""
    if response.comment.strip() and response.conversation_id is not None:
        surface_praise_in_survey_comment.enqueue(response.pk)


@task()
def surface_praise_in_message(message_id: int) -> bool:
    """Suggest a story if this customer message praises an agent. Safe to run twice."""
    message = (
        Message.objects.select_related("conversation")
        .filter(pk=message_id, author_kind=Message.Author.CUSTOMER)
        .first()
    )
    return message is not None and services.suggest_from_message(message) is not None


@task()
def surface_praise_in_survey_comment(response_id: int) -> bool:
    """Suggest a story if a survey comment praises the agent. Safe to run twice."""
    from careloop.feedback.models import SurveyResponse

    response = SurveyResponse.objects.select_related("conversation").filter(pk=response_id).first()
    if response is None or response.conversation is None:
        return False
    story = services.suggest_from_customer_words(
        response.comment,
        response.conversation,
        "Survey comment",
        source_key=f"survey-response:{response.pk}",
    )
    return story is not None


@task()
def surface_recent_customer_praise() -> int:
    """The periodic sweep: read messages of the last week for praise not yet suggested.

    Idempotent: one story per message, so a message is never suggested twice.
    """
    since = timezone.now() - datetime.timedelta(days=SWEEP_DAYS)
    considered = SuccessStory.objects.filter(
        source_key__startswith="message:", created_at__gte=since
    ).values_list("source_key", flat=True)
    known = {int(key.split(":", 1)[1]) for key in considered}
    messages = (
        Message.objects.filter(
            author_kind=Message.Author.CUSTOMER,
            is_internal_note=False,
            scored_at__isnull=False,
            created_at__gte=since,
            emotions__groups__grateful__gte=0.5,
        )
        .exclude(pk__in=known)
        .select_related("conversation")
        .order_by("pk")
    )
    return sum(services.suggest_from_message(message) is not None for message in messages)


@task()
def notify_agent_of_story(story_id: int) -> bool:
    """Email the agent that a story about them waits for their consent. Sends once."""
    story = (
        SuccessStory.objects.select_related("agent")
        .filter(pk=story_id, status=StoryStatus.AWAITING_CONSENT)
        .first()
    )
    if story is None or not story.agent.is_active or not services.claim_agent_notification(story):
        return False
    story_url = absolute_url_for("recognition:story", pk=story.pk)
    try:
        send_mail(
            subject="A customer's words about your work: share them?",
            message=render_to_string(
                "recognition/consent_email.txt", {"story": story, "story_url": story_url}
            ),
            from_email=None,
            recipient_list=[story.agent.email],
        )
    except Exception:
        services.release_agent_notification(story)
        raise
    return True
