"""Reads for the care inbox: views, search and the conversation page."""

from __future__ import annotations

import datetime
import hashlib
import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from enum import StrEnum

from django.db import transaction
from django.db.models import BooleanField, Max, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import SafeString

from careloop.conversations import inbox_pages, search_index
from careloop.conversations.models import (
    UNFINISHED,
    Conversation,
    ConversationEvent,
    Customer,
    Message,
    Status,
)
from careloop.core import calendar
from careloop.core.highlight import highlight, marked_html, search_words
from careloop.core.home import Figure
from careloop.core.permissions import Action, Principal, Reach, can, reach, restrict
from careloop.core.replica import reading_connection
from careloop.people.models import User


class InboxView(StrEnum):
    MINE = "mine"
    TEAM = "team"
    UNASSIGNED = "unassigned"
    WAITING = "waiting"
    ON_HOLD = "on_hold"
    ALL_OPEN = "all"

    @property
    def label(self) -> str:
        return INBOX_VIEW_LABELS[self]


INBOX_VIEW_LABELS = {
    InboxView.MINE: "Mine",
    InboxView.TEAM: "My team",
    InboxView.UNASSIGNED: "Unassigned",
    InboxView.WAITING: "Waiting on us",
    InboxView.ON_HOLD: "On hold",
    InboxView.ALL_OPEN: "All open",
}


def _live() -> QuerySet[Conversation]:
    return Conversation.objects.filter(merged_into__isnull=True)


def conversation_list() -> QuerySet[Conversation]:
    """Every conversation not merged away, with what a list of them shows."""
    return _live().select_related("customer", "assignee", "team")


# The partial index (models.Conversation.Meta) holding exactly each view's rows, in its
# order; views that narrow by agent or team share one per kind.
INBOX_VIEW_INDEXES = {
    InboxView.WAITING: "conv_inbox_waiting",
    InboxView.UNASSIGNED: "conv_inbox_unassigned",
    InboxView.ON_HOLD: "conv_inbox_on_hold",
    InboxView.ALL_OPEN: "conv_inbox_open",
}


def _status_is(*statuses: Status) -> Q:
    """The status condition as the partial indexes spell it, with the values written out:
    SQLite uses a partial index only when the query repeats its condition's constants (a
    bound parameter never matches them); PostgreSQL receives them written out either way."""
    column = f'"{Conversation._meta.db_table}"."status"'
    listed = ", ".join(f"'{status.value}'" for status in statuses)  # the enum's own values
    condition = f"{column} = {listed}" if len(statuses) == 1 else f"{column} IN ({listed})"
    return Q(RawSQL(condition, [], output_field=BooleanField()))  # noqa: S611 - constants only


def inbox_for(agent: User, view: InboxView) -> QuerySet[Conversation]:
    """Conversations for one inbox view, the customer who most needs care first."""
    # Exactly the conditions of the view's partial index (models.Conversation.Meta), so the
    # database walks that index in order and stops after a page; and nothing the status
    # already implies: the planner multiplies redundant conditions and then misjudges sizes.
    if view == InboxView.WAITING:
        conversations = _live().filter(_status_is(Status.OPEN), waiting_since__isnull=False)
    elif view == InboxView.ON_HOLD:
        conversations = _live().filter(_status_is(Status.ON_HOLD))
    else:
        conversations = _live().filter(_status_is(*UNFINISHED))
    if view == InboxView.MINE:
        conversations = conversations.filter(assignee=agent)
    elif view == InboxView.TEAM:
        conversations = (
            conversations.filter(team_id=agent.team_id) if agent.team_id else _live().none()
        )
    elif view == InboxView.UNASSIGNED:
        conversations = conversations.filter(assignee__isnull=True)
    # The access policy's rows (every row for an organisation-wide reach: no condition added).
    conversations = restrict(conversations, agent, Action.USE_INBOX)
    # Customers come in a second query: joined, SQLite's planner drives the page from the
    # customer table and sorts every open conversation (1.3 s at 100 000, bench/reads.py).
    return (
        conversations.select_related("assignee", "team")
        .prefetch_related("customer")
        .order_by("-care_priority", "pk")
    )


def inbox_page(
    agent: User,
    view: InboxView,
    query: str = "",
    *,
    after: inbox_pages.Cursor | None = None,
    before: inbox_pages.Cursor | None = None,
) -> inbox_pages.InboxPage:
    """One page of an inbox view (narrowed by `query`), with its approximate total."""
    conversations = search(inbox_for(agent, view), query)
    # The view's index holds exactly its rows only when neither words nor the access policy
    # narrow it.
    whole_view = not query.strip() and reach(agent, Action.USE_INBOX) is Reach.ORGANISATION
    index_name = INBOX_VIEW_INDEXES.get(view) if whole_view else None
    return inbox_pages.page_of(conversations, after=after, before=before, index_name=index_name)


MAX_SEARCH_CHARS = 200

# A conversation is "due soon" when a response or its resolution is due within this time.
DUE_SOON = datetime.timedelta(hours=2)


def due_by(
    conversations: QuerySet[Conversation], moment: datetime.datetime
) -> QuerySet[Conversation]:
    """Conversations with a response or resolution due at `moment` or earlier (overdue too)."""
    return conversations.filter(
        Q(first_response_due__lte=moment, first_response_at__isnull=True)
        | Q(next_response_due__lte=moment)
        | Q(resolution_due__lte=moment)
    )


def work_figures(agent: User) -> list[Figure]:
    """The home page's count of the agent's own work: open, waiting on us, due soon."""
    mine = inbox_for(agent, InboxView.MINE)
    inbox = reverse("conversations:inbox")
    return [
        Figure("my-open", "Your open conversations", mine.count(), url=f"{inbox}?view=mine"),
        Figure(
            "my-waiting",
            "Waiting on you",
            mine.filter(status=Status.OPEN, waiting_since__isnull=False).count(),
            url=f"{inbox}?view=mine",
        ),
        Figure(
            "my-due-soon",
            "Due within 2 hours",
            due_by(mine, timezone.now() + DUE_SOON).count(),
            url=f"{inbox}?view=mine",
        ),
    ]


def team_queue_figures(lead: User) -> list[Figure]:
    """The home page's count of the team's unfinished conversations (for those with a team)."""
    if lead.team_id is None:
        return []
    queue = inbox_for(lead, InboxView.TEAM)
    inbox = reverse("conversations:inbox")
    return [
        Figure("team-queue", "Your team's queue", queue.count(), url=f"{inbox}?view=team"),
        Figure(
            "team-unassigned",
            "Of which unassigned",
            queue.filter(assignee__isnull=True).count(),
            url=f"{inbox}?view=team",
        ),
    ]


_REFERENCE = re.compile(r"#(\d{1,18})")


def reference(query: str) -> int | None:
    """The conversation number a query names ("#120"), if that is all it is."""
    found = _REFERENCE.fullmatch(query.strip())
    return int(found.group(1)) if found else None


def search(conversations: QuerySet[Conversation], query: str) -> QuerySet[Conversation]:
    """The conversations holding every word of `query` (full-text indexed on both databases);
    "#12" finds #12."""
    # Bounded: each word is a condition, and thousands of them overflow the query.
    query = query.strip()[:MAX_SEARCH_CHARS]
    if not query:
        return conversations
    number = reference(query)
    if number is not None:
        return conversations.filter(pk=number)
    if not search_index.has_words(query):
        return conversations.none()
    return conversations.filter(search_index.matching(query))


# --- search over every conversation, customer and article -----------------------------------

# A text search ranks at most this many of the newest matches: a common word then costs a
# walk from the newest conversation down, never a sort of every match (bench/README.md).
RESULT_WINDOW = 200
# Relevance halves for every this many days since a conversation last changed.
RELEVANCE_HALF_LIFE_DAYS = 90
CUSTOMER_RESULTS = 10
MIN_CUSTOMER_WORD = 3


@dataclass(frozen=True)
class ConversationFilters:
    statuses: Sequence[str] = ()
    channel: str = ""
    team_id: int | None = None
    assignee_id: int | None = None
    tag: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None
    customer_id: int | None = None


@dataclass(frozen=True)
class ConversationHit:
    conversation: Conversation
    snippet: SafeString


def conversations_for(person: User, filters: ConversationFilters) -> QuerySet[Conversation]:
    """Every conversation `person` may find, in any status, narrowed by `filters`; the most
    recently changed first."""
    if not can(person, Action.USE_INBOX):
        return Conversation.objects.none()
    conversations = restrict(_live(), person, Action.USE_INBOX)
    if filters.statuses:
        conversations = conversations.filter(status__in=filters.statuses)
    if filters.channel:
        conversations = conversations.filter(channel=filters.channel)
    if filters.team_id is not None:
        conversations = conversations.filter(team_id=filters.team_id)
    if filters.assignee_id is not None:
        conversations = conversations.filter(assignee_id=filters.assignee_id)
    if filters.tag:
        conversations = conversations.filter(tags__name=filters.tag)
    if filters.since is not None:
        conversations = conversations.filter(created_at__gte=calendar.start_of_day(filters.since))
    if filters.until is not None:
        next_day = filters.until + datetime.timedelta(days=1)
        conversations = conversations.filter(created_at__lt=calendar.start_of_day(next_day))
    if filters.customer_id is not None:
        conversations = conversations.filter(customer_id=filters.customer_id)
    return conversations.order_by("-updated_at", "-pk")


def best_matches(conversations: QuerySet[Conversation], query: str) -> tuple[list[int], bool]:
    """The ids of the newest matches of `query` (at most RESULT_WINDOW), best first:
    relevance weighed by how recently each changed; and whether more matched."""
    if not search_index.has_words(query):
        return [], False
    recent = search_index.newest_matches(conversations, query, RESULT_WINDOW + 1)
    more = len(recent) > RESULT_WINDOW
    recent = recent[:RESULT_WINDOW]
    scores = search_index.relevance([pk for pk, _ in recent], query)
    now = timezone.now()

    def weight(pk: int, changed: datetime.datetime) -> float:
        age_days = max((now - changed).total_seconds(), 0.0) / 86_400
        # The small floor keeps recency deciding between matches the database scores alike.
        return (scores.get(pk, 0.0) + 1e-6) * 0.5 ** (age_days / RELEVANCE_HALF_LIFE_DAYS)

    ranked = sorted(recent, key=lambda row: -weight(*row))
    return [pk for pk, _ in ranked], more


def conversation_hits(ids: Sequence[int], query: str) -> list[ConversationHit]:
    """The conversations `ids` (in that order), each with the passage that matched `query`."""
    rows = Conversation.objects.select_related("customer", "assignee", "team").in_bulk(ids)
    passages = search_index.snippets(ids, query)
    return [
        ConversationHit(rows[pk], marked_html(passages.get(pk, ""))) for pk in ids if pk in rows
    ]


@dataclass(frozen=True)
class CustomerHit:
    customer: Customer
    name: SafeString
    details: SafeString


def customers_found(person: User, query: str) -> list[CustomerHit]:
    """Customers whose name, email or company hold every word of `query`, if `person` may
    see customers."""
    # Fragments shorter than three letters match too many to be useful, and PostgreSQL's
    # trigram indexes (migration 0012) cannot serve them.
    words = [word for word in search_words(query) if len(word) >= MIN_CUSTOMER_WORD]
    if not words or not can(person, Action.VIEW_CUSTOMERS):
        return []
    customers = Customer.objects.filter(merged_into__isnull=True, erased_at__isnull=True)
    for word in words:
        customers = customers.filter(
            Q(full_name__icontains=word) | Q(email__icontains=word) | Q(company__icontains=word)
        )
    return [
        CustomerHit(
            customer,
            highlight(str(customer), words),
            highlight(" · ".join(filter(None, (customer.email, customer.company))), words),
        )
        for customer in customers.order_by("full_name", "pk")[:CUSTOMER_RESULTS]
    ]


# A common word matches a large share of the table; with PostgreSQL's default 4 MB the GIN
# bitmap turns lossy and every row on those pages is re-checked (26 s instead of 1.5 s at
# 1 M conversations, bench/README.md). The raise is scoped to one search's transaction.
SEARCH_WORK_MEM = "64MB"


@contextmanager
def search_work_memory(query: str) -> Iterator[None]:
    """Run a search (and the page that reads it) with enough sort memory on PostgreSQL."""
    connection = reading_connection()
    if not query.strip() or connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = %s", [SEARCH_WORK_MEM])
        yield


def conversation_page(pk: int) -> Conversation:
    """One conversation with what its page reads of it; its thread comes from `thread_for`
    and its history from `conversation_events`, one query each whatever their length."""
    return (
        Conversation.objects.select_related("customer", "assignee", "team", "merged_into")
        .prefetch_related("tags")
        .get(pk=pk)
    )


# The conversation page shows this many of the newest messages and events; the rest on
# request. A page then costs the same whatever the thread's length (bench/reads.py).
THREAD_WINDOW = 50


def conversation_events(
    conversation: Conversation, window: int | None = THREAD_WINDOW
) -> tuple[list[ConversationEvent], bool]:
    """The newest `window` events of a conversation (all when None), oldest first, and
    whether older ones were left out."""
    events = conversation.events.select_related("actor")
    if window is None:
        return list(events), False
    newest = list(events.order_by("-at", "-pk")[: window + 1])
    return newest[:window][::-1], len(newest) > window


def customer_history(
    customer: Customer, exclude: Conversation | None = None
) -> QuerySet[Conversation]:
    history = customer.conversations.filter(merged_into__isnull=True).order_by("-created_at")
    if exclude is not None:
        history = history.exclude(pk=exclude.pk)
    return history


def conversations_matching(query: str) -> QuerySet[Conversation]:
    """Conversations of any status found by number ("12" or "#12") or words, newest first:
    what conversation pickers offer."""
    query = query.strip()
    conversations = _live().select_related("customer").order_by("-pk")
    if query.lstrip("#").isdigit():
        return conversations.filter(pk=int(query.lstrip("#")))
    return search(conversations, query)


def customers_matching(query: str = "") -> QuerySet[Customer]:
    customers = Customer.objects.filter(merged_into__isnull=True).order_by("full_name")
    query = query.strip()
    if query:
        customers = customers.filter(
            Q(full_name__icontains=query) | Q(email__icontains=query) | Q(company__icontains=query)
        )
    return customers


def readable_messages(person: Principal, messages: QuerySet[Message]) -> QuerySet[Message]:
    """The messages of a thread `person` may read: every public message, and the internal
    notes the access policy gives them (their own, and their team's; see Message)."""
    notes = restrict(messages.filter(is_internal_note=True), person, Action.READ_INTERNAL_NOTES)
    return messages.filter(Q(is_internal_note=False) | Q(pk__in=notes.values("pk")))


def thread_for(
    person: User, conversation: Conversation, window: int | None = THREAD_WINDOW
) -> tuple[list[Message], bool]:
    """The newest `window` messages (all when None) of the thread `person` may read, oldest
    first, each with its author and attachments (two queries however long the thread is);
    and whether older ones were left out."""
    thread = (
        readable_messages(person, conversation.messages.all())
        .select_related("author")
        .prefetch_related("attachments")
    )
    if window is None:
        return list(thread), False
    newest = list(thread.order_by("-created_at", "-pk")[: window + 1])
    return newest[:window][::-1], len(newest) > window


# --- live updates ---------------------------------------------------------------------------
# Open inboxes and conversation pages poll every few seconds. A poll that finds nothing new
# must cost one indexed query, so 200 agents polling stay cheap (bench/live.py).


def inbox_marker() -> str:
    """When any conversation last changed; every write that touches a row the inbox shows
    moves it (services.refresh_conversation stamps updated_at). One lookup on `conv_updated`."""
    latest = Conversation.objects.aggregate(latest=Max("updated_at"))["latest"]
    return latest.isoformat() if latest else "none"


def inbox_page_signature(page: inbox_pages.InboxPage) -> str:
    """What one inbox page shows, compactly: about how many rows the view holds, and which
    rows, in which order, as of which change. Equal signatures mean the same rendered page."""
    parts = [page.total_label, str(page.next), str(page.previous)]
    parts += [f"{row.pk}@{row.updated_at.timestamp():.6f}" for row in page.rows]
    return hashlib.blake2b(",".join(parts).encode(), digest_size=12).hexdigest()


def messages_after(person: User, conversation_id: int, after: int) -> list[Message]:
    """The messages `person` may read that arrived in a conversation after message `after`."""
    newer = Message.objects.filter(conversation_id=conversation_id, pk__gt=after)
    # Most polls find nothing: a plain indexed look first, the access policy only when needed.
    if not newer.exists():
        return []
    return list(
        readable_messages(person, newer)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("created_at", "pk")
    )
