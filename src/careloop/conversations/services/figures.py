"""Keeping a conversation's figures current: SLA due times, the breach flag and care priority,
recomputed as messages arrive, as the empathy engine reads them and as the clock runs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.utils import timezone

from careloop.conversations import care_priority, sla
from careloop.conversations.business_time import BusinessCalendar
from careloop.conversations.events import publish_messages_read
from careloop.conversations.hooks import customer_messages_read
from careloop.conversations.models import Conversation, ConversationEvent, Message, Status
from careloop.conversations.rules import ConversationRules, current_rules
from careloop.conversations.services.timeline import _event, _record
from careloop.people.selectors import current_organisation

HISTORY_WINDOW = timedelta(days=30)


def business_calendar() -> BusinessCalendar:
    return BusinessCalendar.for_organisation(current_organisation())


def _history_counts(conversation: Conversation, now: datetime) -> tuple[int, int]:
    recent = Conversation.objects.filter(
        customer_id=conversation.customer_id,
        created_at__gte=now - HISTORY_WINDOW,
        merged_into__isnull=True,
    ).exclude(pk=conversation.pk)
    tag_ids = list(conversation.tags.values_list("pk", flat=True))
    same_problem = recent.filter(tags__in=tag_ids).distinct().count() if tag_ids else 0
    return recent.count(), same_problem


def _compute_figures(
    conversation: Conversation,
    rules: ConversationRules,
    now: datetime,
    history: tuple[int, int] | None = None,
) -> bool:
    """Set due times, breach flag and care priority from the current state, in memory only.

    True when the conversation has just breached its SLA (the caller records the event).
    `history` (recent contacts, same problem) is counted in the database when not given.
    """
    sla.refresh_due_times(
        conversation,
        rules.calendar,
        rules.sla.due_targets(conversation.priority, conversation.channel),
    )
    breached = sla.is_breached(conversation, now)
    newly_breached = breached and not conversation.sla_breached
    conversation.sla_breached = breached or conversation.sla_breached
    if conversation.is_waiting_on_us and conversation.merged_into_id is None:
        recent, same_problem = history or _history_counts(conversation, now)
        result = care_priority.score(
            care_priority.signals_for(conversation, rules.calendar, now, recent, same_problem)
        )
        conversation.care_priority = result.score
        conversation.care_priority_reasons = result.reasons
        conversation.care_priority_breakdown = result.breakdown()
    else:
        conversation.care_priority, conversation.care_priority_reasons = 0.0, []
        conversation.care_priority_breakdown = []
    return newly_breached


FIGURE_FIELDS = (
    "first_response_due",
    "next_response_due",
    "resolution_due",
    "sla_breached",
    "care_priority",
    "care_priority_reasons",
    "care_priority_breakdown",
    "updated_at",
)


def _figure_fields(conversation: Conversation) -> dict[str, Any]:
    return {name: getattr(conversation, name) for name in FIGURE_FIELDS}


def refresh_conversation(
    conversation: Conversation, calendar: BusinessCalendar, now: datetime | None = None
) -> Conversation:
    """Recompute due times, breach flag and care priority from the current state, and save."""
    now = now or timezone.now()
    rules = ConversationRules(calendar=calendar, sla=sla.SlaRules.load(), default_team=None)
    if _compute_figures(conversation, rules, now):
        _record(conversation, ConversationEvent.Kind.SLA_BREACH, at=now)
    # updated_at is the live inbox's change marker (selectors.inbox_marker): always the real
    # clock, even when `now` is a message's earlier arrival time.
    conversation.updated_at = timezone.now()
    Conversation.objects.filter(pk=conversation.pk).update(**_figure_fields(conversation))
    return conversation


@dataclass(frozen=True)
class MessageReading:
    """The empathy engine's reading of one customer message, as stored on it. distress is
    None when the message is in a language the engine does not read (emotions["not_read"])."""

    message: Message
    emotions: dict[str, Any]
    distress: float | None


def record_message_reading(
    message: Message, emotions: dict[str, Any], distress: float | None
) -> None:
    """Store the empathy engine's reading of a customer message; the conversation follows it."""
    record_message_readings([MessageReading(message, emotions, distress)])


@transaction.atomic
def record_message_readings(readings: Sequence[MessageReading]) -> None:
    """Store readings of customer messages; each conversation is re-ranked once.

    A conversation's distress is its latest customer message's, so an improving mood lowers
    the priority again. Writes are batched: one UPDATE for the messages, one for their
    conversations, whatever the number of readings.
    """
    if not readings:
        return
    scored_at = timezone.now()
    messages = []
    for reading in readings:
        message = reading.message
        message.emotions, message.distress = reading.emotions, reading.distress
        message.scored_at = scored_at
        messages.append(message)
    Message.objects.bulk_update(messages, ["emotions", "distress", "scored_at"])
    latest_read = (
        Message.objects.filter(
            conversation=OuterRef("pk"),
            author_kind=Message.Author.CUSTOMER,
            scored_at__isnull=False,
        )
        .order_by("-created_at", "-pk")
        .values("pk")[:1]
    )
    # Locked in id order, so two readers of different messages never wait on each other in
    # a circle; ingest never waits on the engine, only on these writes.
    conversations = list(
        Conversation.objects.select_for_update()
        .filter(pk__in={message.conversation_id for message in messages})
        .annotate(latest_read=Subquery(latest_read))
        .order_by("pk")
    )
    latest_readings = {
        row["pk"]: row
        for row in Message.objects.filter(
            pk__in=[conversation.latest_read for conversation in conversations]
        ).values("pk", "distress", "emotions")
    }
    rules, now = current_rules(), timezone.now()
    histories = _histories(conversations, now)
    breaches = []
    for conversation in conversations:
        latest = latest_readings.get(conversation.latest_read)
        conversation.distress = latest["distress"] if latest else None
        emotions = (latest["emotions"] if latest else None) or {}
        conversation.distress_not_read = str(emotions.get("not_read", ""))
        if _compute_figures(conversation, rules, now, histories.get(conversation.pk, (0, 0))):
            breaches.append(_event(conversation, ConversationEvent.Kind.SLA_BREACH, at=now))
        conversation.updated_at = now
    Conversation.objects.bulk_update(
        conversations, ["distress", "distress_not_read", *FIGURE_FIELDS]
    )
    ConversationEvent.objects.bulk_create(breaches)
    by_id = {conversation.pk: conversation for conversation in conversations}
    for message in messages:
        message.conversation = by_id[message.conversation_id]
    publish_messages_read(messages)
    customer_messages_read.call([message.pk for message in messages])


def _histories(conversations: Sequence[Conversation], now: datetime) -> dict[int, tuple[int, int]]:
    """(recent contacts, same problem) of each conversation waiting on us, in two or three
    queries for all of them (as `_history_counts` counts one)."""
    waiting = [c for c in conversations if c.is_waiting_on_us and c.merged_into_id is None]
    if not waiting:
        return {}
    since = now - HISTORY_WINDOW
    recent = Conversation.objects.filter(
        customer_id__in={c.customer_id for c in waiting},
        created_at__gte=since,
        merged_into__isnull=True,
    )
    counts = dict(
        recent.values("customer_id").annotate(count=Count("pk")).values_list("customer_id", "count")
    )
    through = Conversation.tags.through
    own_tags: dict[int, set[int]] = {}
    for conversation_id, tag_id in through.objects.filter(
        conversation_id__in=[c.pk for c in waiting]
    ).values_list("conversation_id", "tag_id"):
        own_tags.setdefault(conversation_id, set()).add(tag_id)
    tagged_by_customer: dict[int, dict[int, set[int]]] = {}
    if own_tags:
        for conversation_id, customer_id, tag_id in through.objects.filter(
            conversation__in=recent.filter(
                customer_id__in={c.customer_id for c in waiting if c.pk in own_tags}
            ),
            tag_id__in=set().union(*own_tags.values()),
        ).values_list("conversation_id", "conversation__customer_id", "tag_id"):
            tagged_by_customer.setdefault(customer_id, {}).setdefault(conversation_id, set()).add(
                tag_id
            )
    histories = {}
    for conversation in waiting:
        itself = 1 if conversation.created_at >= since else 0
        mine = own_tags.get(conversation.pk, set())
        same = sum(
            1
            for other, tags in tagged_by_customer.get(conversation.customer_id, {}).items()
            if other != conversation.pk and tags & mine
        )
        histories[conversation.pk] = (counts.get(conversation.customer_id, 0) - itself, same)
    return histories


def refresh_waiting_conversations(now: datetime | None = None) -> int:
    """Waiting grows with the clock: re-score everything still waiting on us."""
    calendar = business_calendar()
    count = 0
    waiting = Conversation.objects.filter(
        Q(status=Status.OPEN) & Q(waiting_since__isnull=False), merged_into__isnull=True
    )
    for conversation in waiting.iterator(chunk_size=500):
        refresh_conversation(conversation, calendar, now)
        count += 1
    return count
