"""One page of an inbox view: keyset pagination and an approximate total.

An inbox view is ordered by care priority (highest first), then by id (oldest first). A page
starts after (or ends before) the last row another page showed, named in the URL as a cursor
`<care priority>_<id>`: the database walks the view's partial index from there and stops
after one page, however deep the page is, and no page counts the whole view. The total says
"50 of about 89 000": exact up to EXACT_UP_TO, else an estimate (see `estimated_rows`).
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Q, QuerySet

from careloop.conversations.models import Conversation

PAGE_SIZE = 50
# Views up to this size are counted exactly (the count stops there); larger ones estimated.
EXACT_UP_TO = 1_000


@dataclass(frozen=True)
class Cursor:
    """Where a page starts or ends: the care priority and id of a row at its edge."""

    care_priority: float
    pk: int

    @property
    def token(self) -> str:
        return f"{self.care_priority!r}_{self.pk}"

    @classmethod
    def parse(cls, token: str | None) -> Cursor | None:
        """The cursor a URL names, or None when it names none (or nonsense: the first page)."""
        if not token or token.count("_") != 1:
            return None
        priority, pk = token.split("_")
        try:
            care_priority = float(priority)
        except ValueError:
            return None
        if not math.isfinite(care_priority) or not pk.isdigit() or len(pk) > 18:
            return None
        return cls(care_priority, int(pk))

    @classmethod
    def of(cls, row: Conversation) -> Cursor:
        return cls(row.care_priority, row.pk)


@dataclass(frozen=True)
class Total:
    count: int
    exact: bool


@dataclass(frozen=True)
class InboxPage:
    rows: list[Conversation]
    total: Total
    next: Cursor | None
    previous: Cursor | None

    def __iter__(self) -> Iterator[Conversation]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    @property
    def total_label(self) -> str:
        """ "12 conversations", or "50 of about 89 000 conversations" for a large view."""
        count = self.total.count
        noun = "conversation" if count == 1 else "conversations"
        if self.total.exact and count <= len(self.rows):
            return f"{count} {noun}"
        if self.total.exact:
            return f"{len(self.rows)} of {count} {noun}"
        return f"{len(self.rows)} of about {about(count)} {noun}"


def _after(cursor: Cursor) -> Q:
    # The first conjunct is a range on the index; the second only drops ties already shown.
    return Q(care_priority__lte=cursor.care_priority) & (
        Q(care_priority__lt=cursor.care_priority) | Q(pk__gt=cursor.pk)
    )


def _before(cursor: Cursor) -> Q:
    return Q(care_priority__gte=cursor.care_priority) & (
        Q(care_priority__gt=cursor.care_priority) | Q(pk__lt=cursor.pk)
    )


def page_of(
    conversations: QuerySet[Conversation],
    *,
    after: Cursor | None = None,
    before: Cursor | None = None,
    size: int = PAGE_SIZE,
    index_name: str | None = None,
) -> InboxPage:
    """The page of `conversations` (an inbox view, in inbox order) after `after`, or before
    `before`, or the first; `index_name` is the partial index holding exactly the view's rows
    (its size is the estimate when the view is large)."""
    if before is not None:
        backwards = conversations.filter(_before(before)).order_by("care_priority", "-pk")
        rows = list(backwards[: size + 1])
        more_before = len(rows) > size
        rows = rows[:size][::-1]
        previous = Cursor.of(rows[0]) if more_before and rows else None
        following = Cursor.of(rows[-1]) if rows else None
    else:
        ordered = conversations.order_by("-care_priority", "pk")
        if after is not None:
            ordered = ordered.filter(_after(after))
        rows = list(ordered[: size + 1])
        following = Cursor.of(rows[size - 1]) if len(rows) > size else None
        rows = rows[:size]
        previous = Cursor.of(rows[0]) if after is not None and rows else None
    if before is None and after is None and len(rows) < size:
        # The whole view is on this page: its size is known without asking.
        total = Total(len(rows), exact=True)
    else:
        total = approximate_total(conversations, index_name)
    return InboxPage(rows, total, following, previous)


def approximate_total(conversations: QuerySet[Conversation], index_name: str | None) -> Total:
    """How many rows `conversations` holds: exact up to EXACT_UP_TO, else estimated."""
    estimate = estimated_rows(conversations, index_name)
    if estimate is not None and estimate > 2 * EXACT_UP_TO:
        # Well past the cap: not counted at all, not even up to the cap (counting the first
        # thousand matches of a common word reads most of them: 280 ms at 1 M).
        return Total(estimate, exact=False)
    capped = conversations.order_by().values("pk")[: EXACT_UP_TO + 1].count()
    if capped <= EXACT_UP_TO:
        return Total(capped, exact=True)
    if estimate is None:
        return Total(conversations.order_by().count(), exact=True)
    return Total(max(estimate, capped), exact=False)


def index_size(index_name: str, connection: BaseDatabaseWrapper) -> int | None:
    """How many rows a PostgreSQL (partial) index held when last analysed; None if never.

    ANALYZE (autovacuum runs it as rows change) stores in pg_class.reltuples the share of its
    sampled rows a partial index's condition admits, times the table's rows: the size of the
    view that index holds. The planner's own estimate is wrong exactly there: it multiplies
    "open" by "someone waiting" as if unrelated (1 770 where 89 919 are, bench/README.md).
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples FROM pg_class WHERE relname = %s", [index_name])
        found = cursor.fetchone()
    return int(found[0]) if found is not None and found[0] > 0 else None


def estimated_rows(conversations: QuerySet[Conversation], index_name: str | None) -> int | None:
    """PostgreSQL's estimate of how many rows `conversations` holds; None elsewhere: the size
    of the view's partial index, else (one agent's, one team's, a search) the planner's."""
    connection = connections[conversations.db]
    if connection.vendor != "postgresql":
        # SQLite keeps no statistics it refreshes by itself: small installations count.
        return None
    if index_name is not None:
        indexed = index_size(index_name, connection)
        if indexed is not None:
            return indexed
    with connection.cursor() as cursor:
        sql, params = conversations.order_by().values("pk").query.sql_with_params()
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def about(count: int) -> str:
    """A large estimate to two significant figures: 89 412 → "89 000"."""
    if count < 100:
        return str(count)
    digits = len(str(count)) - 2
    return f"{round(count, -digits):,}".replace(",", "\u202f")
