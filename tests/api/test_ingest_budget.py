"""An API create stays within its query budget: the create itself in at most 10 queries."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from careloop.api.views import open_from_api
from careloop.conversations.models import Conversation
from careloop.conversations.rules import forget_rules
from careloop.core.permissions import Role
from careloop.people.models import User
from tests.fixtures.api import ClientMaker

pytestmark = pytest.mark.django_db


@pytest.fixture
def rules_kept(settings: Any) -> Iterator[None]:
    """Rules read once and kept, as production does (tests read them on every use)."""
    settings.CARELOOP_RULES_CACHE_S = 60
    forget_rules()
    yield
    forget_rules()


def create(client: APIClient, key: str, **fields: Any) -> Any:
    body = {"customer": {"email": "ana@example.test", "name": "Ana"}, "body": "Late again"}
    response = client.post(
        reverse("api:conversations"),
        {**body, **fields},
        format="json",
        headers={"Idempotency-Key": key},
    )
    assert response.status_code == 201, response.json()
    return response


def test_the_create_itself_takes_at_most_ten_queries_even_with_priority_and_tags(
    person_with_role: Callable[[Role], User],
    django_assert_max_num_queries: Callable[[int], Any],
    settings: Any,
) -> None:
    owner = person_with_role(Role.AGENT)
    data = {
        "customer": {"email": "ana@example.test", "name": "Ana"},
        "subject": "",
        "body": "Late again",
    }
    open_from_api(data, owner)
    # Even reading the rules (five queries), as tests do on every use.
    with django_assert_max_num_queries(10):
        open_from_api(data, owner)
    settings.CARELOOP_RULES_CACHE_S = 60
    forget_rules()
    open_from_api(data, owner)
    # With priority and a tag never seen before, then one already known.
    with django_assert_max_num_queries(10):
        open_from_api({**data, "priority": "high", "tags": ["late"]}, owner)
    with django_assert_max_num_queries(8):
        message = open_from_api({**data, "priority": "high", "tags": ["late"]}, owner)
    forget_rules()
    conversation = Conversation.objects.get(pk=message.conversation_id)
    # Computed once, with everything known: the priority's SLA, the history, the tag.
    assert conversation.priority == "high" and conversation.first_response_due is not None
    assert any("same problem" in reason for reason in conversation.care_priority_reasons)


def test_a_whole_api_create_request_takes_thirteen_queries_with_the_rules_kept(
    api_as: ClientMaker, rules_kept: None
) -> None:
    client = api_as(Role.AGENT)
    create(client, "warm-up")
    with CaptureQueriesContext(connection) as queries:
        create(client, "measured")
    statements = [
        query["sql"]
        for query in queries.captured_queries
        if not query["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN", "COMMIT"))
    ]
    # Zone (middleware), key, raw request and idempotency row, their lock, customer,
    # history, conversation, message, events, the record's state, the answer, the audit
    # entry: 13 where it took 30 before. Reading the message is a task after commit.
    assert len(statements) <= 13, statements


def test_a_batch_of_fifty_new_conversations_takes_as_many_queries_as_a_batch_of_five(
    api_as: ClientMaker, django_assert_max_num_queries: Callable[[int], Any]
) -> None:
    client = api_as(Role.AGENT)

    def batch(key: str, numbers: range) -> int:
        items = [
            {
                "idempotency_key": f"item-{number}",
                "customer": {"email": f"customer{number}@example.test"},
                "body": f"Order {number} is late",
            }
            for number in numbers
        ]
        with CaptureQueriesContext(connection) as queries:
            response = client.post(
                reverse("api:conversations-batch"),
                {"messages": items},
                format="json",
                headers={"Idempotency-Key": key},
            )
        assert [item["status"] for item in response.json()["results"]] == [201] * len(numbers)
        return len(queries.captured_queries)

    batch("warm-up", range(3))
    # Savepoints and the rules read cold (as tests read them) included: well under one query a
    # conversation, where single creates take ten.
    with django_assert_max_num_queries(40):
        fifty = batch("fifty", range(100, 150))
    assert batch("five", range(200, 205)) == fifty
    assert Conversation.objects.count() == 58
