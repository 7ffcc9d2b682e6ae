"""What the live inbox costs: 200 agents polling their open inbox and conversation.

    python bench/live.py --conversations 20000               # SQLite file under /tmp
    python bench/live.py --conversations 20000 --reuse       # keep bench/inbox.py's seeded data
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/careloop \\
        python bench/live.py --conversations 100000          # database careloop_bench

Seeds the data bench/inbox.py seeds (same database file, so --reuse shares it), signs in
--agents agents (half on "Waiting on us", a quarter each on "Mine" and "My team"), opens each
one's inbox and a conversation, then times their polls through Django's test client with the
whole middleware: quiet rounds (nothing changed: 204), and rounds right after a customer writes
(the first poll after a change re-renders the page it shows, or only moves the marker when the
change left that page alone). Prints p50/p95/max ms and queries per poll; a JSON result lands in
bench/results/.
"""

from __future__ import annotations

import argparse
import html
import json
import os
import platform
import random
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import inbox as inbox_bench  # noqa: E402 - the seeding lives next door

RESULTS_DIR = BENCH_DIR / "results"
WRITER_EMAIL = "live-writer@bench.example"
VIEWS = ("waiting", "waiting", "mine", "team")  # half on "Waiting on us"
INBOX_POLL = re.compile(r'id="inbox-live"[^>]*hx-get="[^"?]*\?([^"]*)"')
THREAD_POLL = re.compile(r'id="thread-live"[^>]*hx-get="[^"?]*\?after=(\d+)"')


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=20_000)
    parser.add_argument("--agents", type=int, default=200)
    parser.add_argument("--quiet-rounds", type=int, default=5, help="polls per agent, no change")
    parser.add_argument("--change-rounds", type=int, default=3, help="a customer writes, all poll")
    parser.add_argument("--reuse", action="store_true", help="keep a seeded database of size N")
    parser.add_argument("--seed", type=int, default=11)
    return parser.parse_args(argv)


def summary(
    durations: list[float], queries: list[int], statuses: Counter[int], cpu_times: list[float]
) -> dict[str, Any]:
    durations = sorted(durations)
    return {
        # CPU time of this process (Django and SQLite in process): what the server spends,
        # without the waiting that other work on a shared machine adds to wall time.
        "cpu_mean_ms": round(statistics.fmean(cpu_times), 2),
        "polls": len(durations),
        "p50_ms": round(statistics.median(durations), 2),
        "p95_ms": round(durations[min(len(durations) - 1, int(len(durations) * 0.95))], 2),
        "max_ms": round(durations[-1], 2),
        "mean_ms": round(statistics.fmean(durations), 2),
        "queries_per_poll": {str(k): v for k, v in sorted(Counter(queries).items())},
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def live_state(content: bytes) -> dict[str, str]:
    """The query the inbox's poller sends next, as the page wrote it."""
    found = INBOX_POLL.search(content.decode())
    assert found is not None, "the inbox page has no live poller"
    return {k: v[0] for k, v in parse_qs(html.unescape(found.group(1))).items()}


def sign_in_agents(count: int) -> list[Any]:
    from django.db import transaction

    from careloop.core.permissions import Role
    from careloop.people.models import Team, User

    teams = list(Team.objects.order_by("pk"))
    existing = {u.email for u in User.objects.filter(email__startswith="live")}
    with transaction.atomic():
        for number in range(count):
            email = f"live{number}@bench.example"
            if email in existing:
                continue
            person = User(
                email=email,
                full_name=f"Live agent {number}",
                role=Role.AGENT,
                team=teams[number % len(teams)],
            )
            person.set_unusable_password()
            person.save()
    return list(User.objects.filter(email__startswith="live").order_by("pk")[:count])


def main(argv: Sequence[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    database_url = inbox_bench.prepare_database_url(arguments.conversations, arguments.reuse)
    inbox_bench.set_up_django(database_url)
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from careloop.conversations.models import Channel, Conversation, Customer
    from careloop.conversations.services import conversations

    rng = random.Random(arguments.seed)  # noqa: S311 - made-up data, not secrets
    seeded = Conversation.objects.exclude(customer__email=WRITER_EMAIL)
    if seeded.count() != arguments.conversations:
        if seeded.exists():
            sys.exit("The bench database holds another size; run without --reuse.")
        print(f"Seeding {arguments.conversations:,} conversations on {connection.vendor}…")
        inbox_bench.seed(arguments.conversations, rng)

    agents = sign_in_agents(arguments.agents)
    open_conversations = list(
        Conversation.objects.filter(status="open").values_list("pk", flat=True)[:500]
    )
    pollers: list[tuple[Client, dict[str, str], str, dict[str, str]]] = []
    print(f"Opening {len(agents)} inboxes and conversations…", flush=True)
    for number, agent in enumerate(agents):
        client = Client()
        client.force_login(agent)
        view = VIEWS[number % len(VIEWS)]
        page = client.get(reverse("conversations:inbox"), {"view": view})
        state = live_state(page.content)
        conversation_pk = rng.choice(open_conversations)
        opened = client.get(reverse("conversations:conversation", args=[conversation_pk]))
        found = THREAD_POLL.search(opened.content.decode())
        assert found is not None, "the conversation page has no live thread"
        thread = {"after": found.group(1)}
        pollers.append(
            (client, state, reverse("conversations:thread-live", args=[conversation_pk]), thread)
        )
    inbox_live = reverse("conversations:inbox-live")

    def poll_round(
        kind: str, bucket: dict[str, tuple[list[float], list[int], Counter[int], list[float]]]
    ) -> None:
        for client, state, thread_url, thread in pollers:
            url, params = (inbox_live, state) if kind == "inbox" else (thread_url, thread)
            connection.queries_log.clear()  # it keeps 9 000 queries; counts need room
            with CaptureQueriesContext(connection) as captured:
                started, cpu_started = time.perf_counter(), time.process_time()
                response = client.get(url, params, headers={"HX-Request": "true"})
                elapsed = (time.perf_counter() - started) * 1000
                cpu = (time.process_time() - cpu_started) * 1000
            durations, queries, statuses, cpu_times = bucket.setdefault(
                kind, ([], [], Counter(), [])
            )
            durations.append(elapsed)
            cpu_times.append(cpu)
            queries.append(len(captured.captured_queries))
            statuses[response.status_code] += 1
            if kind == "inbox" and response.status_code == 200:
                state.update(live_state(response.content))

    load_before = os.getloadavg()
    quiet: dict[str, tuple[list[float], list[int], Counter[int], list[float]]] = {}
    for _ in range(arguments.quiet_rounds):
        poll_round("inbox", quiet)
        poll_round("thread", quiet)
    changed: dict[str, tuple[list[float], list[int], Counter[int], list[float]]] = {}
    # The bench's own customer, so a later --reuse still finds the seeded size.
    customer, _ = Customer.objects.get_or_create(
        email=WRITER_EMAIL, defaults={"full_name": "Live bench customer"}
    )
    for number in range(arguments.change_rounds):
        conversations.receive_customer_message(
            customer, channel=Channel.CHAT, body_text=f"Anyone there? ({number})"
        )
        poll_round("inbox", changed)
    results = {
        "inbox poll, nothing changed": summary(*quiet["inbox"]),
        "conversation poll, nothing new": summary(*quiet["thread"]),
        "inbox poll, first after a customer wrote": summary(*changed["inbox"]),
    }

    print(
        f"\n{arguments.agents} agents, {arguments.conversations:,} conversations on "
        f"{connection.vendor}, {os.cpu_count()} CPUs"
    )
    width = max(len(label) for label in results)
    print(
        f"{'poll'.ljust(width)}  {'polls':>5}  {'p50 ms':>7}  {'p95 ms':>7}  {'max ms':>7}  queries"
    )
    for label, figures in results.items():
        print(
            f"{label.ljust(width)}  {figures['polls']:>5}  {figures['p50_ms']:>7}  "
            f"{figures['p95_ms']:>7}  {figures['max_ms']:>7}  {figures['queries_per_poll']}"
        )
    inbox_cpu = results["inbox poll, nothing changed"]["cpu_mean_ms"]
    thread_cpu = results["conversation poll, nothing new"]["cpu_mean_ms"]
    print(
        f"\nCPU per quiet poll (mean): inbox {inbox_cpu} ms, conversation {thread_cpu} ms; at one"
        f" of each a second, {arguments.agents} quiet agents keep "
        f"{arguments.agents * (inbox_cpu + thread_cpu) / 1000:.2f} CPU cores busy."
    )

    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC)
    name = f"{stamp:%Y-%m-%d}-live-{connection.vendor}-{arguments.conversations}.json"
    (RESULTS_DIR / name).write_text(
        json.dumps(
            {
                "date": stamp.isoformat(timespec="seconds"),
                "vendor": connection.vendor,
                "conversations": arguments.conversations,
                "agents": arguments.agents,
                "load_average_before_after": [load_before, os.getloadavg()],
                "machine": {
                    "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                    "python": platform.python_version(),
                },
                "results": results,
            },
            indent=2,
        )
    )


if __name__ == "__main__":
    main()
