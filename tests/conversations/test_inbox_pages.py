"""Inbox pages: keyset cursors instead of page numbers, and a total that never counts a large
view in full."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from careloop.conversations import inbox_pages, selectors
from careloop.conversations.inbox_pages import Cursor, page_of
from careloop.conversations.models import Conversation, Status
from careloop.core.permissions import Role
from careloop.people.models import User
from tests.conversations.factories import ConversationFactory
from tests.people.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def agent(client: Client) -> User:
    person = UserFactory(role=Role.AGENT)
    client.force_login(person)
    return person


def waiting(count: int, priorities: list[float] | None = None) -> list[Conversation]:
    now = timezone.now()
    return [
        ConversationFactory(
            status=Status.OPEN,
            waiting_since=now,
            care_priority=priorities[number % len(priorities)] if priorities else 0.0,
        )
        for number in range(count)
    ]


def in_inbox_order(rows: list[Conversation]) -> list[int]:
    return [row.pk for row in sorted(rows, key=lambda row: (-row.care_priority, row.pk))]


def test_pages_walk_the_view_in_order_without_repeats_across_tied_priorities(
    agent: User,
) -> None:
    # Ties on the page edges: the cursor's id breaks them.
    rows = waiting(23, priorities=[5.0, 5.0, 1.5, 0.0])
    view = selectors.inbox_for(agent, selectors.InboxView.WAITING)
    seen: list[int] = []
    cursor: Cursor | None = None
    pages = []
    while True:
        page = page_of(view, after=cursor, size=5)
        pages.append(page)
        seen += [row.pk for row in page]
        if page.next is None:
            break
        cursor = page.next
    assert seen == in_inbox_order(rows)
    assert len(pages) == 5
    # Previous from the third page shows the second again, and knows there is a first.
    back = page_of(view, before=pages[2].previous, size=5)
    assert [row.pk for row in back] == [row.pk for row in pages[1]]
    assert back.previous is not None and back.next == pages[1].next
    first = page_of(view, before=back.previous, size=5)
    assert [row.pk for row in first] == [row.pk for row in pages[0]]
    assert first.previous is None


def test_the_inbox_links_to_the_next_page_by_cursor_and_back(client: Client, agent: User) -> None:
    rows = waiting(60, priorities=[float(number) for number in range(60)])
    response = client.get(reverse("conversations:inbox"), {"view": "waiting"})
    text = response.content.decode()
    assert "50 of 60 conversations" in text
    assert 'rel="prev"' not in text
    next_link = response.context["next_query"]
    assert parse_qs(next_link)["after"] == [response.context["page"].next.token]
    second = client.get(f"{reverse('conversations:inbox')}?{next_link}")
    assert [row.pk for row in second.context["page"]] == in_inbox_order(rows)[50:]
    assert 'rel="prev"' in second.content.decode()
    # Bulk actions and the live poll come back to this page, not the first.
    assert "after=" in urlsplit(second.context["inbox_path"]).query
    back = client.get(f"{reverse('conversations:inbox')}?{second.context['previous_query']}")
    assert [row.pk for row in back.context["page"]] == in_inbox_order(rows)[:50]


def test_a_cursor_that_is_not_one_shows_the_first_page(client: Client, agent: User) -> None:
    waiting(3)
    for nonsense in ("x", "nan_3", "1.0_-4", "inf_1", "1_2_3", ""):
        response = client.get(
            reverse("conversations:inbox"), {"view": "waiting", "after": nonsense}
        )
        assert response.status_code == 200
        assert len(response.context["page"]) == 3, nonsense


def test_a_large_view_is_counted_only_up_to_the_cap(
    agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(inbox_pages, "EXACT_UP_TO", 4)
    waiting(7)
    page = page_of(
        selectors.inbox_for(agent, selectors.InboxView.WAITING),
        size=2,
        index_name=selectors.INBOX_VIEW_INDEXES[selectors.InboxView.WAITING],
    )
    if connection.vendor == "postgresql":
        # Nothing analysed yet: the planner's estimate, never below what the capped count saw.
        assert page.total.exact is False and page.total.count >= 5
        assert page.total_label.startswith("2 of about ")
    else:
        # SQLite keeps no estimates: small installations count.
        assert page.total == inbox_pages.Total(7, exact=True)
        assert page.total_label == "2 of 7 conversations"


def test_postgresql_estimates_a_view_from_its_partial_index(
    agent: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("index sizes are PostgreSQL statistics")
    monkeypatch.setattr(inbox_pages, "EXACT_UP_TO", 4)
    waiting(30)
    ConversationFactory.create_batch(10, status=Status.CLOSED)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE conversations_conversation")
    total = inbox_pages.approximate_total(
        selectors.inbox_for(agent, selectors.InboxView.WAITING), "conv_inbox_waiting"
    )
    assert total == inbox_pages.Total(30, exact=False)


def test_large_totals_read_as_two_significant_figures() -> None:
    assert inbox_pages.about(89_412) == "89\u202f000"
    assert inbox_pages.about(1_234) == "1\u202f200"
    assert inbox_pages.about(57) == "57"
