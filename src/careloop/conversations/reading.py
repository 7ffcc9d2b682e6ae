"""The empathy engine as the inbox uses it: reading customers, scoring sent replies.

Scoring never stands between a customer and their stored message: it runs after commit as a
task, a failure leaves the message unscored, and `score_unscored_messages` retries.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from careloop.conversations.models import Conversation, Message, ReplyScoreDispute
from careloop.conversations.services import figures
from careloop.core.permissions import Action, may
from careloop.empathy import engine
from careloop.empathy.coach import Coaching, coach_reply_to
from careloop.empathy.heads import MECHANISMS
from careloop.empathy.language import detect_language
from careloop.people.models import User

logger = logging.getLogger(__name__)


def read_message(message: Message) -> bool:
    """Store the emotion reading of one customer message; False if it could not be read."""
    return read_messages([message]) == 1


def read_messages(messages: Sequence[Message]) -> int:
    """Read customer messages in one call to the engine and store the readings; how many
    were stored. A batch the engine fails on is read one message at a time, so one unreadable
    message never holds back the others; it stays unread and is retried later."""
    if not messages:
        return 0
    languages = [detect_language(message.body_text) for message in messages]
    english = [m for m, language in zip(messages, languages, strict=True) if language.is_english]
    try:
        readings = iter(engine.read_customer_messages([m.body_text for m in english]))
    except Exception:  # the messages are safe; they stay unscored and are retried later
        if len(messages) > 1:
            return sum(read_messages([message]) for message in messages)
        logger.exception("Reading customer message %s failed; it will be retried", messages[0].pk)
        return 0
    stored = []
    for message, language in zip(messages, languages, strict=True):
        if language.is_english:
            reading = next(readings)
            stored.append(
                figures.MessageReading(message, _stored_emotions(reading), reading.distress)
            )
        else:
            # The models read English only: say so instead of reading it as English.
            not_read = {"not_read": language.name, "language": language.code}
            stored.append(figures.MessageReading(message, not_read, None))
    figures.record_message_readings(stored)
    return len(messages)


def _stored_emotions(reading: engine.MessageReading) -> dict[str, object]:
    return {
        "labels": reading.scaled,
        "present": list(reading.present),
        "groups": reading.groups,
        "phrases": [
            {"text": p.text, "start": p.start, "end": p.end, "weight": p.weight}
            for p in reading.distress_phrases
        ],
    }


@dataclass(frozen=True)
class ReadingRound:
    claimed: int
    read: int


def read_unread_messages(limit: int, *, stored_before: datetime | None = None) -> ReadingRound:
    """Claim up to `limit` unread customer messages, oldest first, read them in one batch
    and store the readings, all in one transaction.

    On PostgreSQL the claim skips rows another reader holds (FOR UPDATE SKIP LOCKED), so
    workers share a backlog without reading a message twice; SQLite runs one writing
    transaction at a time (careloop opens them IMMEDIATE), which serialises claims the same
    way. A reader that dies mid-batch leaves its messages unread for the next one.
    """
    with transaction.atomic():
        unread = Message.objects.filter(author_kind=Message.Author.CUSTOMER, scored_at__isnull=True)
        if stored_before is not None:
            unread = unread.filter(created_at__lte=stored_before)
        claimed = list(unread.select_for_update(skip_locked=True).order_by("pk")[:limit])
        return ReadingRound(claimed=len(claimed), read=read_messages(claimed))


def retry_cutoff() -> datetime:
    """Messages stored before this and still unread were missed: the periodic sweep reads
    them (the reading asked for when each was stored gets this head start)."""
    return timezone.now() - timedelta(seconds=settings.CARELOOP_SCORING_RETRY_AFTER_S)


def last_customer_text(conversation: Conversation) -> str:
    latest = (
        conversation.messages.filter(author_kind=Message.Author.CUSTOMER)
        .order_by("-created_at", "-pk")
        .first()
    )
    return latest.body_text if latest else ""


def coach_draft(conversation: Conversation, draft: str) -> Coaching:
    return coach_reply_to(last_customer_text(conversation), draft)


def score_sent_reply(message: Message) -> bool:
    """Store the coach's score of a reply that went out (private to the agent and coach)."""
    if message.author_kind != Message.Author.AGENT or message.is_internal_note:
        return False
    try:
        coaching = coach_draft(message.conversation, message.body_text)
    except Exception:
        logger.exception("Scoring reply %s failed", message.pk)
        return False
    if coaching.not_scored:
        return False
    message.reply_score = reply_score_of(coaching)
    message.save(update_fields=["reply_score"])
    return True


def reply_score_of(coaching: Coaching) -> dict[str, object]:
    """What is kept of the coach's reading of a sent reply."""
    return {
        **coaching.levels,
        "empathy": coaching.empathy,
        "need": coaching.need,
        "policy_walls": [flag.category for flag in coaching.walls],
    }


def may_see_reply_score(viewer: User, message: Message) -> bool:
    """An agent's scores are theirs and their coach's (see Action.SEE_REPLY_SCORES)."""
    if message.author_id is None or message.reply_score is None:
        return False
    return may(viewer, Action.SEE_REPLY_SCORES, message)


def dispute_score(
    message: Message, agent: User, mechanism: str, agent_level: int, note: str = ""
) -> ReplyScoreDispute:
    """The author marks a mechanism's score as wrong; the disagreement feeds retraining."""
    if message.author_id != agent.pk or not message.reply_score:
        raise PermissionError("Only the author of a scored reply can dispute its score.")
    if mechanism not in MECHANISMS or agent_level not in (0, 1, 2):
        raise ValueError("Unknown mechanism or level.")
    return ReplyScoreDispute.objects.create(
        message=message,
        agent=agent,
        mechanism=mechanism,
        model_level=int(message.reply_score[mechanism]),
        agent_level=agent_level,
        note=note[:500],
    )
