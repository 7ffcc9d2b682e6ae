"""Changes to customers and conversations: one function per use case.

Channels (email, chat, API) all end in `receive_customer_message`; agents act through
`reply`, `change_status`, `assign` and friends. Each records an event and keeps SLA figures
and care priority current.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import Count, F, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from careloop.conversations import care_priority, sla
from careloop.conversations.business_time import BusinessCalendar
from careloop.conversations.events import (
    publish_conversation,
    publish_messages_read,
    publish_reply,
)
from careloop.conversations.hooks import conversation_solved, customer_messages_read
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
from careloop.conversations.rules import ConversationRules, current_rules
from careloop.conversations.sanitise import safe_filename, sanitise_html
from careloop.core import events
from careloop.core.permissions import Action, holders
from careloop.notifications import services as notifications
from careloop.notifications.selectors import mentioned_people
from careloop.people.models import Team, User
from careloop.people.selectors import current_organisation

logger = logging.getLogger(__name__)

HISTORY_WINDOW = timedelta(days=30)
SEARCH_TEXT_LIMIT = 20_000


def _with_text(search_text: str, *parts: str) -> str:
    """The searchable text with `parts` added; the oldest text is kept when it grows too long."""
    addition = " ".join(part for part in parts if part)
    return f"{search_text} {addition}".strip()[:SEARCH_TEXT_LIMIT]


def _append_search_text(conversation: Conversation, *parts: str) -> None:
    """Keep the searchable text current (written at once)."""
    conversation.search_text = _with_text(conversation.search_text, *parts)
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


def find_or_create_customer(
    *, kind: ContactPoint.Kind, value: str, full_name: str = ""
) -> Customer:
    """The customer behind a contact point, created on first contact."""
    return customer_for_contact(kind=kind, value=value, full_name=full_name)[0]


def _customer_name(full_name: str, contact: str) -> str:
    """The name given, else one made from the contact point, cut to fit the name's column
    (a contact point holds up to 320 characters, a name 200)."""
    name = full_name.strip() or (contact.split("@")[0] if "@" in contact else contact)
    return name[: Customer._meta.get_field("full_name").max_length]


# No savepoint of their own: a caller that must survive a race wraps them in one.
@transaction.atomic(savepoint=False)
def customer_for_contact(
    *, kind: ContactPoint.Kind, value: str, full_name: str = ""
) -> tuple[Customer, bool]:
    """The customer behind a contact point, and whether they were created just now."""
    value = value.strip().lower() if kind == ContactPoint.Kind.EMAIL else value.strip()
    point = ContactPoint.objects.select_related("customer").filter(kind=kind, value=value).first()
    if point is not None:
        return _followed(point.customer), False
    customer = Customer.objects.create(
        full_name=_customer_name(full_name, value),
        email=value if kind == ContactPoint.Kind.EMAIL else None,
    )
    ContactPoint.objects.create(customer=customer, kind=kind, value=value)
    return customer, True


def find_or_create_customer_by(
    *, email: str = "", external_id: str = "", full_name: str = ""
) -> Customer:
    """The customer named by another system's id and/or an email address.

    The external id wins when both are given; the email joins that customer as a contact
    point unless it already belongs to someone.
    """
    return customer_named_by(email=email, external_id=external_id, full_name=full_name)[0]


@transaction.atomic(savepoint=False)
def customer_named_by(
    *, email: str = "", external_id: str = "", full_name: str = ""
) -> tuple[Customer, bool]:
    """`find_or_create_customer_by`, and whether the customer was created just now."""
    if not external_id:
        return customer_for_contact(kind=ContactPoint.Kind.EMAIL, value=email, full_name=full_name)
    customer, created = customer_for_contact(
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
    return customer, created


@dataclass(frozen=True)
class CustomerReference:
    """How another system names a customer: an email, its own id, or both."""

    email: str = ""
    external_id: str = ""
    full_name: str = ""

    @property
    def contact(self) -> tuple[str, str]:
        """The contact point that finds them (the external id wins), normalised."""
        if self.external_id:
            return ContactPoint.Kind.EXTERNAL, self.external_id.strip()
        return ContactPoint.Kind.EMAIL, self.email.strip().lower()


@transaction.atomic(savepoint=False)
def customers_named_by(references: Sequence[CustomerReference]) -> list[tuple[Customer, bool]]:
    """`customer_named_by` for many references: the known customers in one query, the new
    ones created in two, whatever the number (a reference giving both an email and an
    external id, or a first contact another request creates at the same moment, goes
    through `customer_named_by` on its own)."""
    simple = [ref for ref in references if not (ref.email and ref.external_id)]
    wanted = {ref.contact for ref in simple}
    found: dict[tuple[str, str], Customer] = {}
    if wanted:
        points = Q()
        for kind in (ContactPoint.Kind.EMAIL, ContactPoint.Kind.EXTERNAL):
            values = {value for point_kind, value in wanted if point_kind == kind}
            if values:
                points |= Q(kind=kind, value__in=values)
        for point in ContactPoint.objects.select_related("customer").filter(points):
            found[(point.kind, point.value)] = _followed(point.customer)
    names: dict[tuple[str, str], str] = {}
    for ref in simple:
        if ref.contact not in found and (ref.full_name.strip() or ref.contact not in names):
            names.setdefault(ref.contact, "")
            names[ref.contact] = names[ref.contact] or ref.full_name.strip()
    created: dict[tuple[str, str], Customer] = {}
    # Inserted in one order everywhere: two batches creating the same customers then wait on
    # each other instead of deadlocking.
    names = dict(sorted(names.items()))
    if names:
        try:
            with transaction.atomic():
                customers = Customer.objects.bulk_create(
                    Customer(
                        full_name=_customer_name(name, value),
                        email=value if kind == ContactPoint.Kind.EMAIL else None,
                    )
                    for (kind, value), name in names.items()
                )
                ContactPoint.objects.bulk_create(
                    ContactPoint(customer=customer, kind=kind, value=value)
                    for (kind, value), customer in zip(names, customers, strict=True)
                )
                created = dict(zip(names, customers, strict=True))
        except IntegrityError:
            created = {}  # someone else's first contact won: each is looked up on its own
    results = []
    for ref in references:
        single = not (ref.email and ref.external_id)
        if single and ref.contact in found:
            results.append((found[ref.contact], False))
        elif single and ref.contact in created:
            results.append((created[ref.contact], True))
        else:
            results.append(
                customer_named_by(
                    email=ref.email, external_id=ref.external_id, full_name=ref.full_name
                )
            )
    return results


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


def _event(
    conversation: Conversation,
    kind: ConversationEvent.Kind,
    actor: User | None = None,
    at: datetime | None = None,
    **detail: object,
) -> ConversationEvent:
    return ConversationEvent(
        conversation=conversation, kind=kind, actor=actor, detail=detail, at=at or timezone.now()
    )


def _record(
    conversation: Conversation,
    kind: ConversationEvent.Kind,
    actor: User | None = None,
    at: datetime | None = None,
    **detail: object,
) -> None:
    _event(conversation, kind, actor, at, **detail).save()


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


def tag_slugs(names: Iterable[str]) -> list[str]:
    """The tags `names` mean, as stored: slugs, each once, sorted."""
    return sorted({slugify(name)[:60] for name in names if slugify(name)})


def _tags_named(names: set[str]) -> dict[str, Tag]:
    """The tags with these names, created where missing (safe when another request races)."""
    if not names:
        return {}
    tags = {tag.name: tag for tag in Tag.objects.filter(name__in=names)}
    missing = names - tags.keys()
    if missing:
        Tag.objects.bulk_create([Tag(name=name) for name in missing], ignore_conflicts=True)
        tags |= {tag.name: tag for tag in Tag.objects.filter(name__in=missing)}
    return tags


@transaction.atomic
def set_tags(conversation: Conversation, names: Iterable[str], actor: User | None) -> None:
    wanted = tag_slugs(names)
    tags = _tags_named(set(wanted))
    conversation.tags.set([tags[name] for name in wanted])
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
    """The empathy engine's reading of one customer message, as stored on it."""

    message: Message
    emotions: dict[str, Any]
    distress: float


def record_message_reading(message: Message, emotions: dict[str, Any], distress: float) -> None:
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
    latest_distress = (
        Message.objects.filter(
            conversation=OuterRef("pk"),
            author_kind=Message.Author.CUSTOMER,
            distress__isnull=False,
        )
        .order_by("-created_at", "-pk")
        .values("distress")[:1]
    )
    # Locked in id order, so two readers of different messages never wait on each other in
    # a circle; ingest never waits on the engine, only on these writes.
    conversations = list(
        Conversation.objects.select_for_update()
        .filter(pk__in={message.conversation_id for message in messages})
        .annotate(latest_distress=Subquery(latest_distress))
        .order_by("pk")
    )
    rules, now = current_rules(), timezone.now()
    histories = _histories(conversations, now)
    breaches = []
    for conversation in conversations:
        conversation.distress = conversation.latest_distress
        if _compute_figures(conversation, rules, now, histories.get(conversation.pk, (0, 0))):
            breaches.append(_event(conversation, ConversationEvent.Kind.SLA_BREACH, at=now))
        conversation.updated_at = now
    Conversation.objects.bulk_update(conversations, ["distress", *FIGURE_FIELDS])
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
