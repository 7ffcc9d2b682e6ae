"""Reads for the care inbox: views, search and the conversation page."""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum

from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection, transaction
from django.db.models import Max, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from careloop.conversations.models import FINISHED, Conversation, Customer, Message, Status
from careloop.core.home import Figure
from careloop.core.permissions import Action, restrict
from careloop.core.whole_numbers import parse_whole_number
from careloop.people.models import User

UNFINISHED = [status for status in Status if status not in FINISHED]


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

# The search index expression; migration 0003 builds a GIN index on exactly this on PostgreSQL.
SEARCH_CONFIG = "simple"


def _live() -> QuerySet[Conversation]:
    return Conversation.objects.filter(merged_into__isnull=True)


def inbox_for(agent: User, view: InboxView) -> QuerySet[Conversation]:
    """Conversations for one inbox view, the customer who most needs care first."""
    # Listing the unfinished statuses (not excluding the finished ones) lets the database use
    # the status and team indexes; see bench/README.md.
    conversations = _live().filter(status__in=UNFINISHED)
    if view == InboxView.MINE:
        conversations = conversations.filter(assignee=agent)
    elif view == InboxView.TEAM:
        conversations = (
            conversations.filter(team_id=agent.team_id) if agent.team_id else _live().none()
        )
    elif view == InboxView.UNASSIGNED:
        conversations = conversations.filter(assignee__isnull=True)
    elif view == InboxView.WAITING:
        conversations = conversations.filter(status=Status.OPEN, waiting_since__isnull=False)
    elif view == InboxView.ON_HOLD:
        conversations = conversations.filter(status=Status.ON_HOLD)
    return conversations.select_related("customer", "assignee", "team").order_by(
        "-care_priority", "waiting_since", "pk"
    )


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


def search(conversations: QuerySet[Conversation], query: str) -> QuerySet[Conversation]:
    """Full-text search on PostgreSQL (indexed), substring matches on SQLite; "#12" finds #12."""
    # Bounded: on SQLite each word is a condition, and thousands of them overflow the query.
    query = query.strip()[:MAX_SEARCH_CHARS]
    if not query:
        return conversations
    number = parse_whole_number(query[1:]) if query.startswith("#") else None
    if number is not None:
        return conversations.filter(pk=number)
    if connection.vendor == "postgresql":
        return conversations.annotate(
            document=SearchVector("search_text", config=SEARCH_CONFIG)
        ).filter(document=SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch"))
    for term in dict.fromkeys(query.split()):
        conversations = conversations.filter(search_text__icontains=term)
    return conversations


# A common word matches a large share of the table; with PostgreSQL's default 4 MB the GIN
# bitmap turns lossy and every row on those pages is re-checked (26 s instead of 1.5 s at
# 1 M conversations, bench/README.md). The raise is scoped to one search's transaction.
SEARCH_WORK_MEM = "64MB"


@contextmanager
def search_work_memory(query: str) -> Iterator[None]:
    """Run a search (and the page that reads it) with enough sort memory on PostgreSQL."""
    if not query.strip() or connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL work_mem = %s", [SEARCH_WORK_MEM])
        yield


def conversation_page(pk: int) -> Conversation:
    return (
        Conversation.objects.select_related("customer", "assignee", "team", "merged_into")
        .prefetch_related("tags", "messages__author", "messages__attachments", "events__actor")
        .get(pk=pk)
    )


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


def readable_messages(person: User, messages: QuerySet[Message]) -> QuerySet[Message]:
    """The messages of a thread `person` may read: every public message, and the internal
    notes the access policy gives them (their own, and their team's; see Message)."""
    notes = restrict(messages.filter(is_internal_note=True), person, Action.READ_INTERNAL_NOTES)
    return messages.filter(Q(is_internal_note=False) | Q(pk__in=notes.values("pk")))


def thread_for(person: User, conversation: Conversation) -> list[Message]:
    return list(readable_messages(person, conversation.messages.all()))


# --- live updates ---------------------------------------------------------------------------
# Open inboxes and conversation pages poll every few seconds. A poll that finds nothing new
# must cost one indexed query, so 200 agents polling stay cheap (bench/live.py).


def inbox_marker() -> str:
    """When any conversation last changed; every write that touches a row the inbox shows
    moves it (services.refresh_conversation stamps updated_at). One lookup on `conv_updated`."""
    latest = Conversation.objects.aggregate(latest=Max("updated_at"))["latest"]
    return latest.isoformat() if latest else "none"


def inbox_page_signature(
    conversations: QuerySet[Conversation], start: int, end: int, count: int
) -> str:
    """What one inbox page shows, compactly: how many rows the view holds (`count`), and which
    rows, in which order, as of which change. Equal signatures mean the same rendered page."""
    rows = conversations.values_list("pk", "updated_at")[start:end]
    parts = [str(count)]
    parts += [f"{pk}@{changed.timestamp():.6f}" for pk, changed in rows]
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
