"""Reads for recognition: the feed, stories waiting on someone, and monthly highlights.

There is deliberately no ranking of people by how many kudos they received: highlights are
moments, weighed by the empathy in the replies and what happened for the customer, at most
one per person, and no count is ever shown.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import chain

from django.db.models import Q, QuerySet

from careloop.conversations.models import FINISHED, Conversation, Message
from careloop.core import calendar
from careloop.core.permissions import Action, may, restrict
from careloop.people.models import User
from careloop.recognition.models import Kudos, StoryStatus, SuccessStory

HIGHLIGHTS_PER_MONTH = 6
# How a moment is weighed: empathy shown, the customer's outcome, the customer's own words.
EMPATHY_WEIGHT = 0.4
OUTCOME_WEIGHT = 0.4
CUSTOMER_WORDS_WEIGHT = 0.2


def agents_who_replied(
    conversation: Conversation, before: datetime.datetime | None = None
) -> list[User]:
    """Staff who wrote public replies in the conversation, in the order of their last reply."""
    replies = Message.objects.filter(
        conversation=conversation,
        author_kind=Message.Author.AGENT,
        is_internal_note=False,
        author__isnull=False,
        author__is_active=True,
    )
    if before is not None:
        replies = replies.filter(created_at__lte=before)
    last_reply: dict[int, User] = {}
    for reply in replies.select_related("author").order_by("created_at", "pk"):
        assert reply.author is not None
        last_reply.pop(reply.author.pk, None)
        last_reply[reply.author.pk] = reply.author
    return list(last_reply.values())


def month_bounds(first: datetime.date) -> tuple[datetime.datetime, datetime.datetime]:
    return calendar.start_of_month(first), calendar.end_of_month(first)


def kudos_in(first: datetime.date) -> QuerySet[Kudos]:
    start, end = month_bounds(first)
    return Kudos.objects.filter(created_at__gte=start, created_at__lt=end).select_related(
        "giver", "receiver", "conversation"
    )


def shared_stories_in(first: datetime.date) -> QuerySet[SuccessStory]:
    start, end = month_bounds(first)
    return SuccessStory.objects.filter(
        status=StoryStatus.SHARED, shared_at__gte=start, shared_at__lt=end
    ).select_related("agent", "conversation", "value")


@dataclass(frozen=True)
class FeedEntry:
    at: datetime.datetime
    kudos: Kudos | None = None
    story: SuccessStory | None = None


def feed(first: datetime.date) -> list[FeedEntry]:
    """Kudos and shared stories of one month, newest first."""
    entries = chain(
        (FeedEntry(at=kudos.created_at, kudos=kudos) for kudos in kudos_in(first)),
        (
            FeedEntry(at=story.shared_at, story=story)
            for story in shared_stories_in(first)
            if story.shared_at is not None
        ),
    )
    return sorted(entries, key=lambda entry: entry.at, reverse=True)


def stories_awaiting(agent: User) -> QuerySet[SuccessStory]:
    return SuccessStory.objects.filter(
        agent=agent, status=StoryStatus.AWAITING_CONSENT
    ).select_related("conversation", "proposed_by")


def drafts_by(user: User) -> QuerySet[SuccessStory]:
    return SuccessStory.objects.filter(
        proposed_by=user, status__in=[StoryStatus.DRAFT, StoryStatus.AWAITING_CONSENT]
    ).select_related("agent")


def my_stories(agent: User) -> QuerySet[SuccessStory]:
    return SuccessStory.objects.filter(agent=agent).exclude(status=StoryStatus.DRAFT)


def kudos_received(person: User) -> QuerySet[Kudos]:
    return Kudos.objects.filter(receiver=person).select_related("giver")


def visible_stories(user: User) -> QuerySet[SuccessStory]:
    """Shared stories for everyone; the others only for the agent and whoever proposed them."""
    unshared = restrict(SuccessStory.objects.all(), user, Action.SEE_UNSHARED_STORIES)
    return SuccessStory.objects.filter(
        Q(status=StoryStatus.SHARED) | Q(pk__in=unshared.values("pk"))
    )


def may_view_story(user: User, story: SuccessStory) -> bool:
    return story.is_shared or may(user, Action.SEE_UNSHARED_STORIES, story)


# --- monthly highlights ---------------------------------------------------------------------


@dataclass(frozen=True)
class Highlight:
    """One moment worth telling: who, what, and why it stands out (never a count)."""

    person: User
    title: str
    reasons: tuple[str, ...]
    weight: float
    kudos: Kudos | None = None
    story: SuccessStory | None = None


def reply_empathy(conversation: Conversation, agent: User) -> float | None:
    """Mean empathy of the agent's scored public replies in the conversation, if any."""
    scores = [
        float(score["empathy"])
        for score in Message.objects.filter(
            conversation=conversation,
            author=agent,
            author_kind=Message.Author.AGENT,
            is_internal_note=False,
            reply_score__isnull=False,
        ).values_list("reply_score", flat=True)
        if isinstance(score, dict) and "empathy" in score
    ]
    return sum(scores) / len(scores) if scores else None


def customer_outcome(conversation: Conversation) -> tuple[float, str]:
    """How things ended for the customer, 0..1, with the words that say so."""
    if conversation.status in FINISHED and conversation.reopen_count == 0:
        return 1.0, "solved the first time"
    if conversation.status in FINISHED:
        return 0.6, "solved"
    return 0.2, ""


def _weigh(
    person: User, conversation: Conversation | None, is_shared_story: bool
) -> tuple[float, list[str]]:
    """A moment's weight and the reasons to show. Reply scores are private to the agent and
    their coach, so they are named as a reason only on stories the agent agreed to share."""
    reasons: list[str] = []
    weight = CUSTOMER_WORDS_WEIGHT if is_shared_story else 0.0
    if is_shared_story:
        reasons.append("in the customer's own words")
    if conversation is not None:
        empathy = reply_empathy(conversation, person)
        if empathy is not None:
            weight += EMPATHY_WEIGHT * empathy
            if empathy >= 0.5 and is_shared_story:
                reasons.append("warm, empathetic replies")
        outcome, said = customer_outcome(conversation)
        weight += OUTCOME_WEIGHT * outcome
        if said:
            reasons.append(said)
    return weight, reasons


def monthly_highlights(first: datetime.date, limit: int = HIGHLIGHTS_PER_MONTH) -> list[Highlight]:
    """The month's moments that best show care for customers, at most one per person.

    Each moment is weighed on its own evidence; how many kudos someone received does not
    count, so a popular colleague is not listed above a quiet one who turned a customer round.
    """
    candidates: list[Highlight] = []
    for story in shared_stories_in(first):
        weight, reasons = _weigh(story.agent, story.conversation, is_shared_story=True)
        candidates.append(Highlight(story.agent, story.title, tuple(reasons), weight, story=story))
    for kudos in kudos_in(first):
        weight, reasons = _weigh(kudos.receiver, kudos.conversation, is_shared_story=False)
        reasons.insert(0, f"lived “{kudos.value_name}”")
        candidates.append(
            Highlight(kudos.receiver, kudos.message, tuple(reasons), weight, kudos=kudos)
        )
    return _best_per_person(candidates)[:limit]


def _best_per_person(candidates: Iterable[Highlight]) -> list[Highlight]:
    best: dict[int, Highlight] = {}
    for candidate in candidates:
        current = best.get(candidate.person.pk)
        if current is None or candidate.weight > current.weight:
            best[candidate.person.pk] = candidate
    return sorted(best.values(), key=lambda highlight: -highlight.weight)
