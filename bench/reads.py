"""Every read an agent waits on, on a database `bench/seed.py` filled: p50/p95/max and queries.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/careloop
    python bench/seed.py --conversations 1000000      # database careloop_bench
    python bench/reads.py --conversations 1000000

Measures, through Django's test client as a signed-in agent (middleware, view, template):
each inbox view's first page and a page deep in "All open" (its cursor), the search page over
everything for a common word, a two-word phrase, a rare word and a word with no match, and the
conversation page for a seeded conversation (three messages) and for one with 200 messages and
200 events. Each line also gives the queries one request runs, and the process's peak RSS
is printed at the end. A JSON result lands in bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import inbox

SEARCHES = {
    "common word": "delivery",
    "two-word phrase": "damaged zip",
    "rare word": inbox.RARE_WORD,
    "no match": "xylophone",
}
INBOX_VIEWS = ("waiting", "mine", "team", "unassigned", "all", "on_hold")
LONG_THREAD = 200


def long_conversation() -> int:
    """A conversation with LONG_THREAD messages and as many events (made once, then reused)."""
    from careloop.conversations.models import Conversation, ConversationEvent, Message

    subject = "Bench: a long thread"
    existing = Conversation.objects.filter(subject=subject).values_list("pk", flat=True).first()
    if existing:
        return existing
    template = Conversation.objects.order_by("pk").first()
    assert template is not None, "seed the database first (bench/seed.py)"
    long = Conversation.objects.create(
        customer_id=template.customer_id,
        subject=subject,
        channel="email",
        team_id=template.team_id,
        assignee_id=template.assignee_id,
    )
    start = datetime.now(UTC) - timedelta(days=5)
    Message.objects.bulk_create(
        Message(
            conversation=long,
            author_kind="customer" if number % 2 == 0 else "agent",
            author_id=None if number % 2 == 0 else template.assignee_id,
            channel="email",
            is_internal_note=number % 10 == 5,
            body_text=f"Message {number} about the delivery of order {number}",
            created_at=start + timedelta(minutes=number),
        )
        for number in range(LONG_THREAD)
    )
    ConversationEvent.objects.bulk_create(
        ConversationEvent(
            conversation=long,
            kind="status",
            actor_id=template.assignee_id,
            at=start + timedelta(minutes=number),
        )
        for number in range(LONG_THREAD)
    )
    return long.pk


def measurements(runs: int, max_seconds: float) -> dict[str, dict[str, float]]:
    from django.db import connections
    from django.test import Client
    from django.test.utils import setup_test_environment
    from django.urls import reverse

    from careloop.conversations.models import Conversation
    from careloop.people.models import User

    setup_test_environment()  # responses carry their template context
    agent = User.objects.filter(email="agent0@bench.example").get()
    client = Client()
    client.force_login(agent)
    results: dict[str, dict[str, float]] = {}

    def timed(label: str, url: str, params: dict[str, str] | None = None) -> None:
        def render() -> object:
            response = client.get(url, params or {})
            assert response.status_code == 200, (label, response.status_code)
            return response

        render()
        executed: list[str] = []

        def count(execute, sql, params, many, context):  # type: ignore[no-untyped-def]
            executed.append(sql)
            return execute(sql, params, many, context)

        with connections["default"].execute_wrapper(count):
            response = render()
        figures = inbox.measure(render, runs, max_seconds)
        figures["queries"] = len(executed)
        # The web process's own CPU per request: what a loaded, shared machine inflates least.
        cpu = []
        for _ in range(5):
            started = time.process_time()
            render()
            cpu.append((time.process_time() - started) * 1000)
        figures["django_cpu_ms"] = round(statistics.median(cpu), 1)
        results[label] = figures
        print(f"  {label}: {figures}", flush=True)
        return response

    inbox_url = reverse("conversations:inbox")
    for view in INBOX_VIEWS:
        response = timed(f"inbox '{view}', first page", inbox_url, {"view": view})
        total = response.context["page"].total_label
        results[f"inbox '{view}', first page"]["shows"] = total  # type: ignore[assignment]
    # Ten pages deep in "All open", by following the Next links.
    query = {"view": "all"}
    for _ in range(10):
        response = client.get(inbox_url, query)
        query = dict(part.split("=", 1) for part in response.context["next_query"].split("&"))
    timed("inbox 'all', 11th page (cursor)", inbox_url, query)

    for label, words in SEARCHES.items():
        timed(f"inbox 'all' narrowed by {label} '{words}'", inbox_url, {"view": "all", "q": words})

    search_url = reverse("search:search")
    for label, words in SEARCHES.items():
        timed(f"search everything, {label} '{words}'", search_url, {"q": words})

    seeded = Conversation.objects.order_by("pk").values_list("pk", flat=True)[1000]
    timed(
        "conversation page, 3 messages",
        reverse("conversations:conversation", args=[seeded]),
    )
    timed(
        f"conversation page, {LONG_THREAD} messages and {LONG_THREAD} events",
        reverse("conversations:conversation", args=[long_conversation()]),
    )
    return results


def explain() -> dict[str, str]:
    """EXPLAIN ANALYZE of each inbox view's page and its capped count, and of a search."""
    from django.db import connection

    from careloop.conversations import selectors
    from careloop.people.models import User

    agent = User.objects.filter(email="agent0@bench.example").get()
    options = {"analyze": True, "buffers": True} if connection.vendor == "postgresql" else {}
    plans = {}
    for view in selectors.InboxView:
        rows = selectors.inbox_for(agent, view)
        plans[f"inbox {view.value} page"] = rows[: inbox.PAGE_SIZE + 1].explain(**options)
        plans[f"inbox {view.value} capped count"] = (
            rows.order_by().values("pk")[:1001].explain(**options)
        )
    return plans


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--max-seconds", type=float, default=30.0)
    arguments = parser.parse_args(argv)
    inbox.set_up_django(inbox.prepare_database_url(arguments.conversations, reuse=True))
    from django.db import connection

    from careloop.conversations.models import Conversation

    if Conversation.objects.count() < arguments.conversations:
        sys.exit("Seed first: python bench/seed.py --conversations N")
    vendor = connection.vendor
    load_before = os.getloadavg()
    print(f"{arguments.conversations:,} conversations on {vendor}", flush=True)
    results = measurements(arguments.runs, arguments.max_seconds)
    plans = explain()
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    width = max(len(label) for label in results)
    print(f"\n{arguments.conversations:,} conversations on {vendor}, {os.cpu_count()} CPUs")
    print(f"{'measurement'.ljust(width)}  p50 / p95 / max ms (runs)   Django CPU ms  queries")
    for label, figures in results.items():
        wall = (
            f"{figures['p50_ms']} / {figures['p95_ms']} / {figures['max_ms']} ({figures['runs']})"
        )
        print(
            f"{label.ljust(width)}  {wall:<26}  {figures['django_cpu_ms']:>13}  "
            f"{figures['queries']:>7}"
        )
    print(
        f"peak RSS of this process (Django, the test client, all of the above): "
        f"{peak_rss_mb:.0f} MB; load average {load_before} → {os.getloadavg()}"
    )
    inbox.RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC)
    result_file = (
        inbox.RESULTS_DIR / f"{stamp:%Y-%m-%d}-reads-{vendor}-{arguments.conversations}.json"
    )
    result_file.write_text(
        json.dumps(
            {
                "date": stamp.isoformat(timespec="seconds"),
                "vendor": vendor,
                "conversations": arguments.conversations,
                "cpus": os.cpu_count(),
                "load_average_before_after": [load_before, os.getloadavg()],
                "peak_rss_mb": round(peak_rss_mb),
                "results": results,
                "explain": plans,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"Wrote {result_file.relative_to(inbox.BENCH_DIR.parent)}")


if __name__ == "__main__":
    main()
