"""Conversations: opened by a customer's first message, continued by the next ones, moved
through statuses and priorities.

Channels (email, chat, API) all end in `receive_customer_message`. Each change records an
event and keeps SLA figures and care priority current (`services.figures`).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from careloop.conversations import sla
from careloop.conversations.business_time import BusinessCalendar
from careloop.conversations.events import publish_conversation
from careloop.conversations.hooks import conversation_solved
from careloop.conversations.models import (
    FINISHED,
    Channel,
    Conversation,
    ConversationEvent,
    Customer,
    Message,
    Priority,
    Status,
)
from careloop.conversations.rules import current_rules
from careloop.conversations.sanitise import sanitise_html
from careloop.conversations.services.assignment import assign_round_robin
from careloop.conversations.services.figures import (
    HISTORY_WINDOW,
    _compute_figures,
    _figure_fields,
    business_calendar,
    refresh_conversation,
)
from careloop.conversations.services.tags import _tags_named, tag_slugs
from careloop.conversations.services.timeline import _event, _record
from careloop.core import events
from careloop.notifications import services as notifications
from careloop.people.models import User

logger = logging.getLogger(__name__)

SEARCH_TEXT_LIMIT = 20_000


def _with_text(search_text: str, *parts: str) -> str:
    """The searchable text with `parts` added; the oldest text is kept when it grows too long."""
    addition = " ".join(part for part in parts if part)
    return f"{search_text} {addition}".strip()[:SEARCH_TEXT_LIMIT]


def _append_search_text(conversation: Conversation, *parts: str) -> None:
    """Keep the searchable text current (written at once)."""
    conversation.search_text = _with_text(conversation.search_text, *parts)
    Conversation.objects.filter(pk=conversation.pk).update(search_text=conversation.search_text)


# --- messages in ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Opening:
    """A customer's first message, and what the caller knows about the conversation it opens."""

    customer: Customer
    body_text: str
    subject: str = ""
    body_html: str = ""
    email_message_id: str = ""
    priority: Priority | None = None
    tags: Sequence[str] = ()
    at: datetime | None = None
    # True when the customer was created for this message: they have no history to look up.
    new_customer: bool = False


def open_conversation(
    customer: Customer,
    *,
    channel: Channel,
    body_text: str,
    subject: str = "",
    body_html: str = "",
    email_message_id: str = "",
    priority: Priority | None = None,
    tags: Sequence[str] = (),
    actor: User | None = None,
    at: datetime | None = None,
    new_customer: bool = False,
) -> Message:
    """Open a conversation with the customer's first message, its priority and tags set by
    `actor`: SLA due times, care priority and search text are computed once."""
    opening = Opening(
        customer,
        body_text,
        subject=subject,
        body_html=body_html,
        email_message_id=email_message_id,
        priority=priority,
        tags=tags,
        at=at,
        new_customer=new_customer,
    )
    return open_conversations([opening], channel=channel, actor=actor)[0]


@transaction.atomic(savepoint=False)
def open_conversations(
    openings: Sequence[Opening], *, channel: Channel, actor: User | None = None
) -> list[Message]:
    """Open one conversation per opening, in order, writing each table once for all of them.

    Everything a conversation's row holds (team, due times, care priority, search text) is
    computed before it is inserted, so nothing is written twice.
    """
    if not openings:
        return []
    rules = current_rules()
    now = timezone.now()
    wanted_tags = [tag_slugs(opening.tags) for opening in openings]
    tags = _tags_named({name for names in wanted_tags for name in names})
    histories = _opening_histories(openings, wanted_tags, now)
    team = rules.default_team
    conversations, breached = [], []
    for opening, history in zip(openings, histories, strict=True):
        at = opening.at or now
        customer = opening.customer
        conversation = Conversation(
            customer=customer,
            subject=opening.subject[:300],
            channel=channel,
            priority=opening.priority or Priority.NORMAL,
            team=team,
            created_at=at,
            waiting_since=at,
            last_customer_message_at=at,
            search_text=_with_text(
                "", opening.subject[:300], customer.full_name, customer.email or ""
            ),
        )
        conversation.search_text = _with_text(conversation.search_text, opening.body_text)
        breached.append(_compute_figures(conversation, rules, at, history))
        conversation.updated_at = now
        conversations.append(conversation)
    Conversation.objects.bulk_create(conversations)
    Conversation.tags.through.objects.bulk_create(
        Conversation.tags.through(conversation_id=conversation.pk, tag_id=tags[name].pk)
        for conversation, names in zip(conversations, wanted_tags, strict=True)
        for name in names
    )
    messages = Message.objects.bulk_create(
        Message(
            conversation=conversation,
            author_kind=Message.Author.CUSTOMER,
            channel=channel,
            body_text=opening.body_text,
            body_html=sanitise_html(opening.body_html) if opening.body_html else "",
            email_message_id=opening.email_message_id,
            created_at=conversation.created_at,
        )
        for opening, conversation in zip(openings, conversations, strict=True)
    )
    timeline = []
    for opening, conversation, message, names, newly_breached in zip(
        openings, conversations, messages, wanted_tags, breached, strict=True
    ):
        at = conversation.created_at
        timeline += [
            _event(conversation, ConversationEvent.Kind.CREATED, at=at, channel=channel),
            _event(conversation, ConversationEvent.Kind.MESSAGE, at=at, message=message.pk),
        ]
        if newly_breached:
            timeline.append(_event(conversation, ConversationEvent.Kind.SLA_BREACH, at=at))
        if conversation.priority != Priority.NORMAL:
            timeline.append(
                _event(
                    conversation,
                    ConversationEvent.Kind.PRIORITY,
                    actor,
                    now,
                    old=Priority.NORMAL,
                    new=conversation.priority,
                )
            )
        if opening.tags:
            timeline.append(
                _event(conversation, ConversationEvent.Kind.TAGGED, actor, now, tags=names)
            )
    ConversationEvent.objects.bulk_create(timeline)
    if team is not None and team.auto_assign:
        for conversation in conversations:
            assign_round_robin(conversation, team)
    for conversation in conversations:
        publish_conversation(events.CONVERSATION_CREATED, conversation)
    transaction.on_commit(lambda: _after_customer_messages([m.pk for m in messages]))
    return messages


@transaction.atomic
def receive_customer_message(
    customer: Customer,
    *,
    channel: Channel,
    body_text: str,
    body_html: str = "",
    subject: str = "",
    conversation: Conversation | None = None,
    email_message_id: str = "",
    at: datetime | None = None,
) -> Message:
    """Store what a customer wrote, in the conversation it continues or in a new one."""
    if conversation is not None and conversation.merged_into_id is not None:
        conversation = Conversation.objects.get(pk=conversation.merged_into_id)
    if conversation is None or conversation.status == Status.CLOSED:
        return open_conversation(
            customer,
            channel=channel,
            body_text=body_text,
            body_html=body_html,
            subject=subject,
            email_message_id=email_message_id,
            at=at,
        )
    at = at or timezone.now()
    rules = current_rules()
    timeline = []
    reopened = conversation.status == Status.SOLVED
    if reopened:
        conversation.reopen_count += 1
        timeline.append(
            _event(conversation, ConversationEvent.Kind.STATUS, at=at, old="solved", new="open")
        )
    if conversation.status in (Status.SOLVED, Status.PENDING):
        conversation.status = Status.OPEN
    if conversation.waiting_since is None:
        conversation.waiting_since = at
    notifications.notify(
        notifications.Kind.CUSTOMER_REPLIED,
        [conversation.assignee],
        conversation,
        f"The customer replied: {conversation}",
        url=reverse("conversations:conversation", args=[conversation.pk]),
    )
    conversation.last_customer_message_at = at
    message = Message.objects.create(
        conversation=conversation,
        author_kind=Message.Author.CUSTOMER,
        channel=channel,
        body_text=body_text,
        body_html=sanitise_html(body_html) if body_html else "",
        email_message_id=email_message_id,
        created_at=at,
    )
    timeline.append(_event(conversation, ConversationEvent.Kind.MESSAGE, at=at, message=message.pk))
    if not conversation.search_text:
        customer_of = conversation.customer
        conversation.search_text = _with_text(
            "", conversation.subject, customer_of.full_name, customer_of.email or ""
        )
    conversation.search_text = _with_text(conversation.search_text, body_text)
    if _compute_figures(conversation, rules, at):
        timeline.append(_event(conversation, ConversationEvent.Kind.SLA_BREACH, at=at))
    conversation.updated_at = timezone.now()
    Conversation.objects.filter(pk=conversation.pk).update(
        status=conversation.status,
        # Counted in the database: two messages reopening it at once count twice.
        reopen_count=F("reopen_count") + 1 if reopened else F("reopen_count"),
        waiting_since=conversation.waiting_since,
        last_customer_message_at=at,
        search_text=conversation.search_text,
        **_figure_fields(conversation),
    )
    ConversationEvent.objects.bulk_create(timeline)
    transaction.on_commit(lambda: _after_customer_messages([message.pk]))
    return message


@transaction.atomic
def hold_unverified_message(
    conversation: Conversation,
    *,
    sender: str,
    channel: Channel,
    body_text: str,
    body_html: str = "",
    email_message_id: str = "",
    at: datetime | None = None,
) -> Message:
    """Keep what someone other than the customer sent into their conversation.

    The team sees it, marked with the sender; it is not the customer's reply, so it reopens
    nothing, starts no wait, is not scored and is not searchable as the customer's words.
    """
    at = at or timezone.now()
    message = Message.objects.create(
        conversation=conversation,
        author_kind=Message.Author.SYSTEM,
        unverified_sender=sender[:320],
        channel=channel,
        body_text=body_text,
        body_html=sanitise_html(body_html) if body_html else "",
        email_message_id=email_message_id,
        created_at=at,
    )
    _record(
        conversation, ConversationEvent.Kind.UNVERIFIED, at=at, message=message.pk, sender=sender
    )
    return message


def _after_customer_messages(message_ids: list[int]) -> None:
    """Customer messages were stored: make sure they are read soon (never before commit).

    Asking can fail (the broker is down) without failing the store: the periodic sweep
    reads whatever was stored and never asked for."""
    from careloop.conversations.tasks import request_reading

    try:
        request_reading(message_ids)
    except Exception:
        logger.exception("Could not ask for messages %s to be read; the sweep will", message_ids)


# --- agents act ----------------------------------------------------------------------------


def _apply_status(
    conversation: Conversation,
    status: Status,
    actor: User | None,
    calendar: BusinessCalendar,
    at: datetime,
) -> None:
    old = Status(conversation.status)
    if old == Status.ON_HOLD:
        sla.resume_clock(conversation, calendar, at)
    if status == Status.ON_HOLD:
        sla.pause_clock(conversation, at)
    if status in FINISHED and old not in FINISHED:
        sla.record_resolution(conversation, calendar, at)
        conversation.waiting_since = None
        conversation_solved.call(conversation)
    if old == Status.SOLVED and status in (Status.OPEN, Status.PENDING, Status.ON_HOLD):
        conversation.reopen_count += 1
    conversation.status = status
    _record(conversation, ConversationEvent.Kind.STATUS, actor, at, old=old, new=status)
    if status in FINISHED and old not in FINISHED:
        publish_conversation(events.CONVERSATION_SOLVED, conversation)


@transaction.atomic
def change_status(
    conversation: Conversation, status: Status, actor: User | None, at: datetime | None = None
) -> Conversation:
    at = at or timezone.now()
    if status == conversation.status:
        return conversation
    calendar = business_calendar()
    _apply_status(conversation, status, actor, calendar, at)
    conversation.save()
    refresh_conversation(conversation, calendar, now=at)
    return conversation


@transaction.atomic
def set_priority(conversation: Conversation, priority: Priority, actor: User | None) -> None:
    old = conversation.priority
    conversation.priority = priority
    conversation.save(update_fields=["priority", "updated_at"])
    _record(conversation, ConversationEvent.Kind.PRIORITY, actor, old=old, new=priority)
    refresh_conversation(conversation, business_calendar())


# --- keeping figures current ----------------------------------------------------------------


def _opening_histories(
    openings: Sequence[Opening], wanted_tags: Sequence[Sequence[str]], now: datetime
) -> list[tuple[int, int]]:
    """Each opening's (recent contacts, contacts about the same problem) in the 30 days before
    it, counting the openings before it in the same batch: one query for all of them."""
    known = {opening.customer.pk for opening in openings if not opening.new_customer}
    dated = any(opening.at is not None for opening in openings)
    untagged = {
        opening.customer.pk
        for opening, names in zip(openings, wanted_tags, strict=True)
        if not names and opening.customer.pk in known
    }
    recent: dict[int, int] = {}
    if untagged and not dated:
        recent = dict(
            Conversation.objects.filter(
                customer_id__in=untagged,
                created_at__gte=now - HISTORY_WINDOW,
                merged_into__isnull=True,
            )
            .values("customer_id")
            .annotate(count=Count("pk"))
            .values_list("customer_id", "count")
        )
    earlier: dict[int, list[set[str]]] = {}
    histories = []
    for opening, names in zip(openings, wanted_tags, strict=True):
        customer_id = opening.customer.pk
        in_batch = earlier.setdefault(customer_id, [])
        if opening.new_customer and not in_batch:
            stored, same_stored = 0, 0
        elif dated or (names and customer_id in known):
            # Dated openings (an import, an email's own date) and tagged ones: counted alone.
            stored, same_stored = _stored_history(customer_id, names, opening.at or now)
        else:
            stored, same_stored = recent.get(customer_id, 0), 0
        same_in_batch = sum(1 for tags in in_batch if tags & set(names))
        histories.append((stored + len(in_batch), same_stored + same_in_batch))
        in_batch.append(set(names))
    return histories


def _stored_history(customer_id: int, tag_names: Sequence[str], now: datetime) -> tuple[int, int]:
    """(recent conversations, those sharing one of `tag_names`) of a customer, in one query."""
    counts = Conversation.objects.filter(
        customer_id=customer_id, created_at__gte=now - HISTORY_WINDOW, merged_into__isnull=True
    ).aggregate(
        recent=Count("pk", distinct=True),
        same=Count("pk", distinct=True, filter=Q(tags__name__in=tag_names)),
    )
    return counts["recent"], counts["same"] if tag_names else 0
