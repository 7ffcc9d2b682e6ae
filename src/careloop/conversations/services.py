"""Changes to customers and conversations: one function per use case.

Channels (email, chat, API) all end in `receive_customer_message`; agents act through
`reply`, `change_status`, `assign` and friends. Each records an event and keeps SLA figures
and care priority current.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from careloop.conversations import care_priority, sla
from careloop.conversations.business_time import BusinessCalendar
from careloop.conversations.events import (
    publish_conversation,
    publish_message_read,
    publish_reply,
)
from careloop.conversations.models import (
    FINISHED,
    Attachment,
    Channel,
    ContactPoint,
    Conversation,
    ConversationEvent,
    Customer,
    Message,
    Priority,
    Status,
    Tag,
)
from careloop.conversations.sanitise import safe_filename, sanitise_html
from careloop.conversations.signals import conversation_solved
from careloop.core import events
from careloop.core.permissions import Action, holders
from careloop.notifications import services as notifications
from careloop.notifications.selectors import mentioned_people
from careloop.people.models import Team, User
from careloop.people.selectors import current_organisation

HISTORY_WINDOW = timedelta(days=30)
SEARCH_TEXT_LIMIT = 20_000


def _append_search_text(conversation: Conversation, *parts: str) -> None:
    """Keep the searchable text current; the oldest text is kept when it grows too long."""
    addition = " ".join(part for part in parts if part)
    combined = f"{conversation.search_text} {addition}".strip()
    conversation.search_text = combined[:SEARCH_TEXT_LIMIT]
    Conversation.objects.filter(pk=conversation.pk).update(search_text=conversation.search_text)


def business_calendar() -> BusinessCalendar:
    return BusinessCalendar.for_organisation(current_organisation())


# --- customers -----------------------------------------------------------------------------


def _followed(customer: Customer) -> Customer:
    """The customer that absorbed this one through merges, if any."""
    seen = set()
    while customer.merged_into_id is not None and customer.pk not in seen:
        seen.add(customer.pk)
        customer = Customer.objects.get(pk=customer.merged_into_id)
    return customer


@transaction.atomic
def find_or_create_customer(
    *, kind: ContactPoint.Kind, value: str, full_name: str = ""
) -> Customer:
    """The customer behind a contact point, created on first contact."""
    value = value.strip().lower() if kind == ContactPoint.Kind.EMAIL else value.strip()
    point = ContactPoint.objects.select_related("customer").filter(kind=kind, value=value).first()
    if point is not None:
        return _followed(point.customer)
    customer = Customer.objects.create(
        full_name=full_name.strip() or (value.split("@")[0] if "@" in value else value),
        email=value if kind == ContactPoint.Kind.EMAIL else None,
    )
    ContactPoint.objects.create(customer=customer, kind=kind, value=value)
    return customer


@transaction.atomic
def find_or_create_customer_by(
    *, email: str = "", external_id: str = "", full_name: str = ""
) -> Customer:
    """The customer named by another system's id and/or an email address.

    The external id wins when both are given; the email joins that customer as a contact
    point unless it already belongs to someone.
    """
    if not external_id:
        return find_or_create_customer(
            kind=ContactPoint.Kind.EMAIL, value=email, full_name=full_name
        )
    customer = find_or_create_customer(
        kind=ContactPoint.Kind.EXTERNAL, value=external_id, full_name=full_name
    )
    address = email.strip().lower()
    if (
        address
        and not ContactPoint.objects.filter(kind=ContactPoint.Kind.EMAIL, value=address).exists()
    ):
        ContactPoint.objects.create(customer=customer, kind=ContactPoint.Kind.EMAIL, value=address)
        if not customer.email:
            customer.email = address
            customer.save(update_fields=["email"])
    return customer


# What staff may change on a customer's profile (the email is a contact point: channels own it).
EDITABLE_CUSTOMER_FIELDS = ("full_name", "company", "language", "preferred_channel", "notes")


@transaction.atomic
def create_customer(*, full_name: str, email: str = "", **profile: str) -> Customer:
    """A new customer, reachable by `email` if given; ValidationError when the address is
    already someone's (merge instead)."""
    address = email.strip().lower()
    if address and (
        Customer.objects.filter(email=address).exists()
        or ContactPoint.objects.filter(kind=ContactPoint.Kind.EMAIL, value=address).exists()
    ):
        raise ValidationError({"email": ["A customer with this email exists already."]})
    unknown = set(profile) - set(EDITABLE_CUSTOMER_FIELDS)
    if unknown:
        raise ValueError(f"Not a profile field: {', '.join(sorted(unknown))}")
    customer = Customer.objects.create(
        full_name=full_name.strip(), email=address or None, **profile
    )
    if address:
        ContactPoint.objects.create(customer=customer, kind=ContactPoint.Kind.EMAIL, value=address)
    return customer


def update_customer(customer: Customer, **changes: str) -> Customer:
    """Change profile fields (EDITABLE_CUSTOMER_FIELDS) of a customer."""
    unknown = set(changes) - set(EDITABLE_CUSTOMER_FIELDS)
    if unknown:
        raise ValueError(f"Not a profile field: {', '.join(sorted(unknown))}")
    for name, value in changes.items():
        setattr(customer, name, value)
    if changes:
        customer.save(update_fields=list(changes))
    return customer


@transaction.atomic
def merge_customers(source: Customer, target: Customer) -> Customer:
    """Move everything of `source` to `target`; `source` stays as a pointer for the audit trail."""
    if source.pk == target.pk:
        raise ValueError("A customer cannot be merged into itself.")
    Conversation.objects.filter(customer=source).update(customer=target)
    ContactPoint.objects.filter(customer=source).update(customer=target)
    if not target.notes and source.notes:
        target.notes = source.notes
    if target.email is None and source.email:
        email, source.email = source.email, None
        source.save(update_fields=["email"])
        target.email = email
    target.save()
    source.merged_into = target
    source.save(update_fields=["merged_into"])
    return target


# --- messages in ---------------------------------------------------------------------------


def _record(
    conversation: Conversation,
    kind: ConversationEvent.Kind,
    actor: User | None = None,
    at: datetime | None = None,
    **detail: object,
) -> None:
    ConversationEvent.objects.create(
        conversation=conversation, kind=kind, actor=actor, detail=detail, at=at or timezone.now()
    )


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
    at = at or timezone.now()
    calendar = business_calendar()
    if conversation is not None and conversation.merged_into_id is not None:
        conversation = Conversation.objects.get(pk=conversation.merged_into_id)
    started = conversation is None or conversation.status == Status.CLOSED
    if conversation is None or conversation.status == Status.CLOSED:
        conversation = Conversation.objects.create(
            customer=customer,
            subject=subject[:300],
            channel=channel,
            created_at=at,
            waiting_since=at,
        )
        _record(conversation, ConversationEvent.Kind.CREATED, at=at, channel=channel)
        _route(conversation)
    else:
        if conversation.status == Status.SOLVED:
            conversation.reopen_count = F("reopen_count") + 1
            _record(conversation, ConversationEvent.Kind.STATUS, at=at, old="solved", new="open")
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
    conversation.save()
    conversation.refresh_from_db()
    if started:
        publish_conversation(events.CONVERSATION_CREATED, conversation)

    message = Message.objects.create(
        conversation=conversation,
        author_kind=Message.Author.CUSTOMER,
        channel=channel,
        body_text=body_text,
        body_html=sanitise_html(body_html) if body_html else "",
        email_message_id=email_message_id,
        created_at=at,
    )
    _record(conversation, ConversationEvent.Kind.MESSAGE, at=at, message=message.pk)
    if not conversation.search_text:
        _append_search_text(
            conversation, conversation.subject, customer.full_name, customer.email or ""
        )
    _append_search_text(conversation, body_text)
    refresh_conversation(conversation, calendar, now=at)
    transaction.on_commit(lambda: _after_customer_message(message.pk))
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


def _route(conversation: Conversation) -> None:
    """New conversations go to the organisation's default team, assigned if the team says so."""
    team = current_organisation().default_team
    if team is None:
        return
    if team.auto_assign:
        assign_round_robin(conversation, team)
    else:
        conversation.team = team
        conversation.save(update_fields=["team", "updated_at"])


def _after_customer_message(message_id: int) -> None:
    from careloop.conversations.tasks import read_customer_message

    read_customer_message.enqueue(message_id)


# --- agents act ----------------------------------------------------------------------------


@transaction.atomic
def reply(
    conversation: Conversation,
    agent: User,
    body_text: str,
    *,
    internal: bool = False,
    then_status: Status | None = None,
    attachments: Iterable[UploadedFile] = (),
    at: datetime | None = None,
) -> Message:
    """An agent's public reply (sent to the customer on the conversation's channel) or note."""
    at = at or timezone.now()
    if not body_text.strip():
        raise ValueError("A reply needs some text.")
    calendar = business_calendar()
    message = Message.objects.create(
        conversation=conversation,
        author_kind=Message.Author.AGENT,
        author=agent,
        channel=conversation.channel,
        is_internal_note=internal,
        note_team_id=conversation.team_id if internal else None,
        body_text=body_text,
        created_at=at,
    )
    for upload in attachments:
        Attachment.objects.create(
            message=message,
            file=upload,
            filename=safe_filename(upload.name or "attachment"),
            content_type=(upload.content_type or "application/octet-stream")[:120],
            size=upload.size or 0,
        )
    # A note is private to its team (see Message.row_ownership), so its words are not in the
    # search text every agent searches.
    if not internal:
        _append_search_text(conversation, body_text)
    if internal:
        _record(conversation, ConversationEvent.Kind.NOTE, agent, at, message=message.pk)
        notifications.notify(
            notifications.Kind.MENTIONED,
            mentioned_people(body_text),
            message,
            f"{agent} mentioned you in a note: {conversation}",
            url=reverse("conversations:conversation", args=[conversation.pk]),
            actor=agent,
        )
        return message

    if conversation.first_response_at is None:
        sla.record_first_response(conversation, calendar, at)
    if conversation.waiting_since is not None:
        message.response_seconds = int((at - conversation.waiting_since).total_seconds())
        message.response_business_seconds = calendar.seconds_between(conversation.waiting_since, at)
        message.save(update_fields=["response_seconds", "response_business_seconds"])
    conversation.waiting_since = None
    conversation.public_reply_count += 1
    if conversation.assignee_id is None:
        conversation.assignee = agent
    _record(conversation, ConversationEvent.Kind.REPLY, agent, at, message=message.pk)
    if then_status is not None and then_status != conversation.status:
        _apply_status(conversation, then_status, agent, calendar, at)
    conversation.save()
    refresh_conversation(conversation, calendar, now=at)
    publish_reply(message)
    transaction.on_commit(lambda: _deliver(message.pk))
    return message


def _deliver(message_id: int) -> None:
    from careloop.conversations.tasks import deliver_reply

    deliver_reply.enqueue(message_id)


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
        transaction.on_commit(
            lambda: conversation_solved.send(Conversation, conversation=conversation, actor=actor)
        )
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


def post_automated_message(
    conversation: Conversation, body_text: str, at: datetime | None = None
) -> Message:
    """A message from the team with no agent behind it (a survey link in a chat): the customer
    sees it on the conversation's channel, but it is not a reply and touches no SLA."""
    if not body_text.strip():
        raise ValueError("A message needs some text.")
    return Message.objects.create(
        conversation=conversation,
        author_kind=Message.Author.AGENT,
        author=None,
        channel=conversation.channel,
        body_text=body_text,
        created_at=at or timezone.now(),
    )


@transaction.atomic
def assign(conversation: Conversation, assignee: User | None, actor: User | None) -> Conversation:
    conversation.assignee = assignee
    if assignee is not None and assignee.team_id is not None:
        conversation.team_id = assignee.team_id
    conversation.save(update_fields=["assignee", "team", "updated_at"])
    _record(
        conversation,
        ConversationEvent.Kind.ASSIGNED,
        actor,
        assignee=assignee.pk if assignee else None,
        assignee_name=str(assignee) if assignee else "",
    )
    notifications.notify(
        notifications.Kind.ASSIGNED,
        [assignee],
        conversation,
        f"Assigned to you: {conversation}",
        url=reverse("conversations:conversation", args=[conversation.pk]),
        actor=actor,
    )
    publish_conversation(events.CONVERSATION_ASSIGNED, conversation)
    return conversation


def open_conversation_count(agent: User) -> int:
    return agent.assigned_conversations.exclude(status__in=FINISHED).count()


@transaction.atomic
def assign_round_robin(conversation: Conversation, team: Team) -> User | None:
    """Give the conversation to the team's agent whose turn it is and who has room for it.

    Returns None (and leaves it unassigned) when every agent is at capacity.
    """
    agents = (
        User.objects.select_for_update()
        .filter(team=team, pk__in=holders(Action.RECEIVE_ASSIGNMENTS).values("pk"))
        .order_by(F("last_assigned_at").asc(nulls_first=True), "pk")
    )
    for agent in agents:
        if open_conversation_count(agent) < agent.conversation_capacity:
            agent.last_assigned_at = timezone.now()
            agent.save(update_fields=["last_assigned_at"])
            conversation.team = team
            assign(conversation, agent, None)
            return agent
    conversation.team = team
    conversation.save(update_fields=["team", "updated_at"])
    return None


@transaction.atomic
def set_priority(conversation: Conversation, priority: Priority, actor: User | None) -> None:
    old = conversation.priority
    conversation.priority = priority
    conversation.save(update_fields=["priority", "updated_at"])
    _record(conversation, ConversationEvent.Kind.PRIORITY, actor, old=old, new=priority)
    refresh_conversation(conversation, business_calendar())


@transaction.atomic
def set_tags(conversation: Conversation, names: Iterable[str], actor: User | None) -> None:
    from django.utils.text import slugify

    wanted = sorted({slugify(name)[:60] for name in names if slugify(name)})
    tags = [Tag.objects.get_or_create(name=name)[0] for name in wanted]
    conversation.tags.set(tags)
    _record(conversation, ConversationEvent.Kind.TAGGED, actor, tags=wanted)
    refresh_conversation(conversation, business_calendar())


def change_tags(
    conversation: Conversation, *, add: Iterable[str], remove: Iterable[str], actor: User | None
) -> None:
    """Add and remove tags by name, keeping the others."""
    from django.utils.text import slugify

    dropped = {slugify(name) for name in remove}
    kept = [tag.name for tag in conversation.tags.all() if tag.name not in dropped]
    set_tags(conversation, [*kept, *add], actor)


@transaction.atomic
def merge_conversations(
    source: Conversation, target: Conversation, actor: User | None
) -> Conversation:
    """Fold `source` into `target`: its messages move, and it closes pointing at `target`."""
    if source.pk == target.pk:
        raise ValueError("A conversation cannot be merged into itself.")
    if source.customer_id != target.customer_id:
        merge_customers(source.customer, target.customer)
    Message.objects.filter(conversation=source).update(conversation=target)
    target.tags.add(*source.tags.all())
    if source.waiting_since and (
        target.waiting_since is None or source.waiting_since < target.waiting_since
    ):
        target.waiting_since = source.waiting_since
        if target.status not in (Status.OPEN, Status.ON_HOLD):
            target.status = Status.OPEN
        target.save()
    source.merged_into = target
    source.status = Status.CLOSED
    source.waiting_since = None
    source.care_priority = 0
    source.save()
    _record(source, ConversationEvent.Kind.MERGED, actor, into=target.pk)
    _record(target, ConversationEvent.Kind.MERGED, actor, absorbed=source.pk)
    refresh_conversation(target, business_calendar())
    return target


# --- keeping figures current ----------------------------------------------------------------


def _history_counts(conversation: Conversation, now: datetime) -> tuple[int, int]:
    recent = Conversation.objects.filter(
        customer_id=conversation.customer_id,
        created_at__gte=now - HISTORY_WINDOW,
        merged_into__isnull=True,
    ).exclude(pk=conversation.pk)
    tag_ids = list(conversation.tags.values_list("pk", flat=True))
    same_problem = recent.filter(tags__in=tag_ids).distinct().count() if tag_ids else 0
    return recent.count(), same_problem


def refresh_conversation(
    conversation: Conversation, calendar: BusinessCalendar, now: datetime | None = None
) -> Conversation:
    """Recompute due times, breach flag and care priority from the current state, and save."""
    now = now or timezone.now()
    sla.refresh_due_times(conversation, calendar)
    breached = sla.is_breached(conversation, now)
    if breached and not conversation.sla_breached:
        _record(conversation, ConversationEvent.Kind.SLA_BREACH, at=now)
    conversation.sla_breached = breached or conversation.sla_breached
    if conversation.is_waiting_on_us and conversation.merged_into_id is None:
        recent, same_problem = _history_counts(conversation, now)
        result = care_priority.score(
            care_priority.signals_for(conversation, calendar, now, recent, same_problem)
        )
        conversation.care_priority = result.score
        conversation.care_priority_reasons = result.reasons
        conversation.care_priority_breakdown = result.breakdown()
    else:
        conversation.care_priority, conversation.care_priority_reasons = 0.0, []
        conversation.care_priority_breakdown = []
    # updated_at is the live inbox's change marker (selectors.inbox_marker): always the real
    # clock, even when `now` is a message's earlier arrival time.
    conversation.updated_at = timezone.now()
    Conversation.objects.filter(pk=conversation.pk).update(
        first_response_due=conversation.first_response_due,
        next_response_due=conversation.next_response_due,
        resolution_due=conversation.resolution_due,
        sla_breached=conversation.sla_breached,
        care_priority=conversation.care_priority,
        care_priority_reasons=conversation.care_priority_reasons,
        care_priority_breakdown=conversation.care_priority_breakdown,
        updated_at=conversation.updated_at,
    )
    return conversation


def record_message_reading(message: Message, emotions: dict[str, Any], distress: float) -> None:
    """Store the empathy engine's reading of a customer message; the conversation follows it.

    The conversation's distress is the latest customer message's, so an improving mood lowers
    the priority again.
    """
    message.emotions, message.distress, message.scored_at = emotions, distress, timezone.now()
    message.save(update_fields=["emotions", "distress", "scored_at"])
    conversation = message.conversation
    latest = (
        conversation.messages.filter(author_kind=Message.Author.CUSTOMER, distress__isnull=False)
        .order_by("-created_at", "-pk")
        .first()
    )
    conversation.distress = latest.distress if latest else distress
    Conversation.objects.filter(pk=conversation.pk).update(distress=conversation.distress)
    refresh_conversation(conversation, business_calendar())
    publish_message_read(message)


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
