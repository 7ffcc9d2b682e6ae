"""Writes for recognition: kudos, and success stories from suggestion to consent.

A story's customer words are copied verbatim when it is made and never change; everything
else a person writes about it can be edited until the agent has decided.
"""

from __future__ import annotations

import datetime
import hashlib
import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from careloop.conversations.models import Conversation, Message
from careloop.core.audit import record_audit
from careloop.empathy.engine import read_customer_message
from careloop.people.models import User, Value
from careloop.people.selectors import current_organisation
from careloop.recognition import praise
from careloop.recognition.models import Kudos, StoryOrigin, StoryStatus, SuccessStory
from careloop.recognition.selectors import agents_who_replied

logger = logging.getLogger(__name__)

MAX_KUDOS_LENGTH = 1000
CUSTOMER_MESSAGE_LABEL = "Customer message"


def give_kudos(
    *,
    giver: User,
    receiver: User,
    value: Value,
    message: str,
    conversation: Conversation | None = None,
    at: datetime.datetime | None = None,
) -> Kudos:
    """Thank a colleague for living one of the organisation's values; `at` (default now) is
    when, for recorded history."""
    message = message.strip()
    if not message:
        raise ValidationError("Say what you are thanking them for.")
    if len(message) > MAX_KUDOS_LENGTH:
        raise ValidationError(f"Keep kudos under {MAX_KUDOS_LENGTH} characters.")
    if giver.pk == receiver.pk:
        raise ValidationError("Kudos are for someone else.")
    if not receiver.is_active or not receiver.is_employee:
        raise ValidationError("Kudos go to a current colleague.")
    if value.organisation_id != current_organisation().pk:
        raise ValidationError("Choose one of the organisation's values.")
    return Kudos.objects.create(
        giver=giver,
        receiver=receiver,
        value=value,
        value_name=value.name,
        message=message,
        conversation=conversation,
        created_at=at or timezone.now(),
    )


# --- customer praise, surfaced automatically ------------------------------------------------


def suggest_from_message(
    message: Message, *, at: datetime.datetime | None = None
) -> SuccessStory | None:
    """A suggested story for the agent a customer's message praises; None if it is no praise.

    Safe to run twice: one story per message. Uses the stored emotion reading when there is
    one, else reads the message now. `at` (default now) is when it was suggested.
    """
    if message.author_kind != Message.Author.CUSTOMER or message.is_internal_note:
        return None
    source_key = f"message:{message.pk}"
    existing = SuccessStory.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing
    agents = agents_who_replied(message.conversation, before=message.created_at)
    if not agents:
        return None
    if message.emotions:
        found = praise.find_praise(
            message.body_text,
            groups=message.emotions.get("groups", {}),
            present=message.emotions.get("present", []),
            distress=message.distress or 0.0,
            agent_names=[agent.full_name for agent in agents],
        )
    else:
        found = praise.find_praise(
            message.body_text,
            read_customer_message(message.body_text),
            agent_names=[agent.full_name for agent in agents],
        )
    if found is None:
        return None
    return _suggest(
        agent=_praised_agent(agents, found.named),
        conversation=message.conversation,
        words=message.body_text,
        source_label=CUSTOMER_MESSAGE_LABEL,
        source_key=source_key,
        evidence_message=message,
        at=at,
    )


def suggest_from_customer_words(
    text: str, conversation: Conversation, source_label: str, *, source_key: str = ""
) -> SuccessStory | None:
    """A suggested story from customer words kept outside the conversation (a survey comment).

    The feedback app calls this with the comment, the conversation it was about and a label
    such as "CSAT survey comment". Safe to call twice with the same words: one story.
    """
    text = text.strip()
    source_label = source_label.strip()[:80] or "Customer feedback"
    if not text:
        return None
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    source_key = (source_key or f"words:{conversation.pk}:{digest}")[:120]
    existing = SuccessStory.objects.filter(source_key=source_key).first()
    if existing is not None:
        return existing
    agents = agents_who_replied(conversation)
    if not agents:
        return None
    found = praise.find_praise(
        text, read_customer_message(text), agent_names=[agent.full_name for agent in agents]
    )
    if found is None:
        return None
    return _suggest(
        agent=_praised_agent(agents, found.named),
        conversation=conversation,
        words=text,
        source_label=source_label,
        source_key=source_key,
        evidence_message=None,
        at=None,
    )


def _praised_agent(agents: list[User], named: str) -> User:
    """The agent the customer named, else the one who replied last before the praise."""
    return next((agent for agent in agents if agent.full_name == named), agents[-1])


def _suggest(
    *,
    agent: User,
    conversation: Conversation,
    words: str,
    source_label: str,
    source_key: str,
    evidence_message: Message | None,
    at: datetime.datetime | None,
) -> SuccessStory:
    subject = conversation.subject or f"conversation #{conversation.pk}"
    try:
        with transaction.atomic():
            story = SuccessStory.objects.create(
                agent=agent,
                conversation=conversation,
                evidence_message=evidence_message,
                customer_words=words,
                source_label=source_label,
                source_key=source_key,
                origin=StoryOrigin.CUSTOMER_PRAISE,
                title=f"A customer thanked {agent.first_name}: {subject}"[:200],
                status=StoryStatus.AWAITING_CONSENT,
                created_at=at or timezone.now(),
            )
    except IntegrityError:
        # Another run made it first.
        return SuccessStory.objects.get(source_key=source_key)
    _notify_agent_after_commit(story)
    return story


def _notify_agent_after_commit(story: SuccessStory) -> None:
    from careloop.recognition.tasks import notify_agent_of_story

    story_id = story.pk
    transaction.on_commit(lambda: notify_agent_of_story.enqueue(story_id))


def claim_agent_notification(story: SuccessStory) -> bool:
    """Mark the agent notified; False when they already were (each story emails once)."""
    return bool(
        SuccessStory.objects.filter(
            pk=story.pk, agent_notified_at__isnull=True, status=StoryStatus.AWAITING_CONSENT
        ).update(agent_notified_at=timezone.now())
    )


def release_agent_notification(story: SuccessStory) -> None:
    SuccessStory.objects.filter(pk=story.pk).update(agent_notified_at=None)


# --- stories proposed by colleagues ---------------------------------------------------------


def propose_story(
    *,
    by: User,
    agent: User,
    evidence_message: Message,
    title: str,
    note: str = "",
    value: Value | None = None,
) -> SuccessStory:
    """A colleague drafts a story about `agent` from a customer's message in a conversation."""
    if evidence_message.author_kind != Message.Author.CUSTOMER:
        raise ValidationError("A story rests on the customer's own words: pick their message.")
    conversation = evidence_message.conversation
    if agent not in agents_who_replied(conversation):
        raise ValidationError(f"{agent} did not reply in this conversation.")
    title = title.strip()
    if not title:
        raise ValidationError("Give the story a title.")
    source_key = f"message:{evidence_message.pk}"
    if SuccessStory.objects.filter(source_key=source_key).exists():
        raise ValidationError("There is already a story about these words.")
    return SuccessStory.objects.create(
        agent=agent,
        conversation=conversation,
        evidence_message=evidence_message,
        customer_words=evidence_message.body_text,
        source_label=CUSTOMER_MESSAGE_LABEL,
        source_key=source_key,
        origin=StoryOrigin.COLLEAGUE,
        title=title[:200],
        note=note.strip(),
        value=value,
        proposed_by=by,
        status=StoryStatus.DRAFT,
    )


def edit_story(
    story: SuccessStory, *, by: User, title: str, note: str, value: Value | None
) -> SuccessStory:
    """Change how a story is told (never the customer's words) until the agent decides."""
    if by.pk not in (story.agent_id, story.proposed_by_id):
        raise PermissionDenied("Only the agent and whoever proposed the story edit it.")
    if story.status not in (StoryStatus.DRAFT, StoryStatus.AWAITING_CONSENT):
        raise ValidationError("A story is edited only before the agent decides.")
    if not title.strip():
        raise ValidationError("Give the story a title.")
    story.title, story.note, story.value = title.strip()[:200], note.strip(), value
    story.save(update_fields=["title", "note", "value"])
    return story


def ask_for_consent(story: SuccessStory, *, by: User) -> SuccessStory:
    if by.pk != story.proposed_by_id:
        raise PermissionDenied("Whoever proposed the story asks for consent.")
    if story.status != StoryStatus.DRAFT:
        raise ValidationError("Only a draft waits to be sent for consent.")
    story.status = StoryStatus.AWAITING_CONSENT
    story.save(update_fields=["status"])
    _notify_agent_after_commit(story)
    return story


def consent_to_story(
    story: SuccessStory, *, by: User, at: datetime.datetime | None = None
) -> SuccessStory:
    """The agent agrees: the story is shared with everyone, with its evidence.

    `at` (default now) is when they agreed, for recorded history."""
    _check_agent(story, by)
    if story.status != StoryStatus.AWAITING_CONSENT:
        raise ValidationError("This story is not waiting for your consent.")
    now = at or timezone.now()
    story.status, story.decided_at, story.shared_at = StoryStatus.SHARED, now, now
    story.save(update_fields=["status", "decided_at", "shared_at"])
    record_audit(by, "recognition.story_shared", story, summary=story.title)
    return story


def decline_story(story: SuccessStory, *, by: User) -> SuccessStory:
    """The agent keeps it private, before sharing or by withdrawing consent later."""
    _check_agent(story, by)
    if story.status == StoryStatus.DECLINED:
        return story
    withdrawn = story.status == StoryStatus.SHARED
    story.status, story.decided_at, story.shared_at = StoryStatus.DECLINED, timezone.now(), None
    story.save(update_fields=["status", "decided_at", "shared_at"])
    action = "recognition.story_withdrawn" if withdrawn else "recognition.story_declined"
    record_audit(by, action, story, summary=story.title)
    return story


def _check_agent(story: SuccessStory, by: User) -> None:
    if by.pk != story.agent_id:
        raise PermissionDenied("Only the agent the story is about decides whether it is shared.")
