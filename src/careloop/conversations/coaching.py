"""The empathy engine as the inbox uses it: reading customers, coaching replies.

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
from careloop.empathy.language import detect_language, not_read_language
from careloop.empathy.policy_walls import find_policy_walls
from careloop.empathy.rules import Flag
from careloop.people.models import User

logger = logging.getLogger(__name__)

MECHANISMS = ("emotional_reactions", "interpretations", "explorations")
LEVEL_WORDS = ("none", "weak", "strong")


def read_message(message: Message) -> bool:
    """Store the emotion reading of one customer message; False if it could not be read."""
    return read_messages([message]) == 1


def read_messages(messages: Sequence[Message]) -> int:
    """Read customer messages in one call to the engine and store the readings; how many
    were stored. A batch the engine fails on is read one message at a time, so one unreadable
    message never holds back the others; it stays unread and is retried later."""
    if not messages:
        return 0
    texts = [message.body_text for message in messages]
    try:
        readings = engine.read_customer_messages(texts)
    except Exception:  # the messages are safe; they stay unscored and are retried later
        if len(messages) > 1:
            return sum(read_messages([message]) for message in messages)
        logger.exception("Reading customer message %s failed; it will be retried", messages[0].pk)
        return 0
    stored = []
    for message, reading in zip(messages, readings, strict=True):
        language = detect_language(message.body_text)
        if language.is_english:
            stored.append(
                figures.MessageReading(message, _stored_emotions(reading), reading.distress)
            )
        else:
            # The models read English only: say so instead of storing their guess.
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


@dataclass(frozen=True)
class Coaching:
    """What the composer shows next to a draft."""

    levels: dict[str, int]
    empathy: float
    need: str
    customer_distress: float
    walls: list[Flag]
    suggestion: str
    # The language of the customer's message or the draft when it isn't English: nothing is
    # scored then ("empathy not scored: Spanish").
    not_scored: str = ""

    @property
    def level_words(self) -> dict[str, str]:
        return {name: LEVEL_WORDS[level] for name, level in self.levels.items()}


def suggestion_for(levels: dict[str, int], need: str, walls: list[Flag]) -> str:
    """One concrete next step, the most important first."""
    if walls:
        return walls[0].prompt
    if need == "needed-and-missing":
        if levels["emotional_reactions"] == 0:
            return (
                "The customer sounds upset: name the feeling before the fix, e.g. "
                "“I'm sorry, that sounds really frustrating.”"
            )
        return "Show you understood their situation in your own words before the next step."
    if levels["explorations"] == 0 and need != "not-needed":
        return "Ask one open question about what they need, so they feel heard."
    return "Clear and caring. Say what happens next and when."


def coach_draft(conversation: Conversation, draft: str) -> Coaching:
    return coach_reply_to(last_customer_text(conversation), draft)


def coach_reply_to(customer_text: str, draft: str) -> Coaching:
    """The coach's reading of `draft` as an answer to `customer_text`."""
    language = not_read_language(customer_text, draft)
    if language:
        return Coaching(
            levels={},
            empathy=0.0,
            need="not-scored",
            customer_distress=0.0,
            walls=[],
            suggestion="",
            not_scored=language,
        )
    score = engine.score_reply(customer_text, draft)
    levels = {
        "emotional_reactions": score.emotional_reactions,
        "interpretations": score.interpretations,
        "explorations": score.explorations,
    }
    walls = find_policy_walls(draft)
    return Coaching(
        levels=levels,
        empathy=score.empathy,
        need=score.need,
        customer_distress=score.customer_distress,
        walls=walls,
        suggestion=suggestion_for(levels, score.need, walls),
    )


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
