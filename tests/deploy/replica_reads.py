"""Run by test_read_replica.py in a process of its own, against a primary (DATABASE_URL) and
its streaming replica (DATABASE_REPLICA_URL): prints, as JSON, which conversations the search
page found while the replica's replay was paused and after it resumed, and where it read."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import django

django.setup()

from django.db import connections  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.urls import reverse  # noqa: E402

from careloop.conversations.models import Channel, Conversation, Customer  # noqa: E402
from careloop.conversations.services import conversations  # noqa: E402
from careloop.core.permissions import Role  # noqa: E402
from careloop.people.models import User  # noqa: E402


def wait_for(condition: Callable[[], bool], what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise SystemExit(f"Gave up waiting for {what}")
        time.sleep(0.05)


def on_replica(sql: str) -> object:
    with connections["replica"].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def replayed(pk: int) -> bool:
    return Conversation.objects.using("replica").filter(pk=pk).exists()


def found(client: Client) -> tuple[list[int], list[str], list[str]]:
    """The conversations the search page lists for "kingfisher", and the SQL each database
    ran for it."""
    with (
        CaptureQueriesContext(connections["replica"]) as replica_reads,
        CaptureQueriesContext(connections["default"]) as primary_reads,
    ):
        response = client.get(reverse("search:search"), {"q": "kingfisher"})
    assert response.status_code == 200, response.status_code
    hits = [hit.conversation.pk for hit in response.context["hits"]]
    return (
        sorted(hits),
        [query["sql"] for query in replica_reads.captured_queries],
        [query["sql"] for query in primary_reads.captured_queries],
    )


def main() -> None:
    setup_test_environment()
    agent = User.objects.create_user("agent@replica.example", role=Role.AGENT)
    customer = Customer.objects.create(full_name="Ines Moreau", email="ines@replica.example")
    first = conversations.receive_customer_message(
        customer, channel=Channel.EMAIL, body_text="The kingfisher mug arrived cracked"
    ).conversation
    wait_for(lambda: replayed(first.pk), "the replica to replay the first conversation")
    client = Client()
    client.force_login(agent)

    on_replica("SELECT pg_wal_replay_pause()")
    wait_for(
        lambda: on_replica("SELECT pg_get_wal_replay_pause_state()") == "paused",
        "the replica to pause",
    )
    second = conversations.receive_customer_message(
        customer, channel=Channel.EMAIL, body_text="A second kingfisher mug, also cracked"
    ).conversation
    on_primary_now = sorted(
        Conversation.objects.filter(search_text__icontains="kingfisher").values_list(
            "pk", flat=True
        )
    )
    paused, replica_sql, primary_sql = found(client)

    on_replica("SELECT pg_wal_replay_resume()")
    wait_for(lambda: replayed(second.pk), "the replica to replay the second conversation")
    resumed, _, _ = found(client)
    print(
        json.dumps(
            {
                "first": first.pk,
                "second": second.pk,
                "on_primary_while_paused": on_primary_now,
                "found_while_paused": paused,
                "found_after_resume": resumed,
                "replica_queries": replica_sql,
                "primary_queries": primary_sql,
                "replica_in_recovery": on_replica("SELECT pg_is_in_recovery()"),
            }
        )
    )


if __name__ == "__main__":
    main()
