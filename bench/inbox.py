"""Inbox and search latency on a large database: seeds N conversations, prints p50/p95/max.

    python bench/inbox.py --conversations 100000                  # SQLite file under /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/careloop \\
        python bench/inbox.py --conversations 1000000             # database careloop_bench

On PostgreSQL the script creates (and replaces) the database `careloop_bench` next to the one
DATABASE_URL names; it never touches that one. Seeding uses COPY on PostgreSQL and executemany
on SQLite, with about three messages per conversation and search text built from the demo's
own message templates. A JSON result lands in bench/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
# CARELOOP_BENCH_DATABASE picks another name, so two people can seed on one server.
BENCH_DATABASE = os.environ.get("CARELOOP_BENCH_DATABASE", "careloop_bench")
BENCH_TMP = Path(tempfile.gettempdir()) / "careloop-bench"
PAGE_SIZE = 50
MESSAGES_PER_CONVERSATION = (2, 3, 3, 4)  # about three on average
TEXT_POOL_SIZE = 4000
BATCH = 20_000
# One conversation in RARE_EVERY mentions the rare word; the common word comes from templates.
RARE_WORD = "kingfisher"
RARE_EVERY = 20_000
SEARCHES = {
    "common word": "delivery",
    "common phrase": "damaged zip",
    "rare word": RARE_WORD,
    "no match": "xylophone",
}
INBOX_VIEWS = ("waiting", "mine", "team", "unassigned", "all")
FIRST_NAMES = (
    "Anna", "Ben", "Chloé", "Daan", "Emma", "Felix", "Greta", "Hugo", "Ines", "Jonas", "Katja",
    "Lars", "Mila", "Noah", "Olga", "Pieter", "Quinn", "Rosa", "Sven", "Tess", "Ugo", "Vera",
    "Wim", "Xenia", "Yara", "Zoë", "Amir", "Bea", "Carlos", "Dina",
)  # fmt: skip
LAST_NAMES = (
    "Jansen", "Müller", "Dubois", "García", "Rossi", "Smith", "Nowak", "Berg", "Visser",
    "Laurent", "Schmidt", "Costa", "Novak", "Lindqvist", "Okafor", "Tanaka", "Haddad", "Reyes",
    "Bell", "Kowalski", "Moreau", "Fischer", "Bakker", "Silva",
)  # fmt: skip


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=50, help="timed runs per measurement")
    parser.add_argument(
        "--max-seconds", type=float, default=30.0, help="stop a measurement after this long"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="keep an already seeded bench database of size N"
    )
    parser.add_argument(
        "--drop", action="store_true", help="drop the PostgreSQL bench database when done"
    )
    parser.add_argument("--seed", type=int, default=11)
    return parser.parse_args(argv)


# --- the database ---------------------------------------------------------------------------


def maintenance_url() -> str | None:
    """The PostgreSQL server's `postgres` database, or None when DATABASE_URL is not PostgreSQL."""
    configured = os.environ.get("DATABASE_URL", "")
    if not configured.startswith(("postgres://", "postgresql://")):
        return None
    return urlunsplit(urlsplit(configured)._replace(path="/postgres"))


def drop_bench_database(maintenance: str) -> None:
    import psycopg

    with psycopg.connect(maintenance, autocommit=True) as connection:
        connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")


def prepare_database_url(conversations: int, reuse: bool) -> str:
    """Point DATABASE_URL at a bench database, created fresh unless it is reused."""
    maintenance = maintenance_url()
    if maintenance is not None:
        if not reuse:
            import psycopg

            drop_bench_database(maintenance)
            with psycopg.connect(maintenance, autocommit=True) as connection:
                connection.execute(f"CREATE DATABASE {BENCH_DATABASE}")
        return urlunsplit(urlsplit(maintenance)._replace(path=f"/{BENCH_DATABASE}"))
    path = BENCH_TMP / f"inbox-{conversations}.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not reuse:
        for leftover in path.parent.glob(f"{path.name}*"):
            leftover.unlink()
    return f"sqlite:///{path}"


def set_up_django(database_url: str) -> None:
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("CARELOOP_DATA_DIR", str(BENCH_TMP / "data"))
    os.environ["CARELOOP_ALLOWED_HOSTS"] = "testserver"
    os.environ["DJANGO_SETTINGS_MODULE"] = "careloop.settings.base"
    sys.path.insert(0, str(BENCH_DIR.parent / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


# --- seeding --------------------------------------------------------------------------------


def text_pool(rng: random.Random) -> list[str]:
    """Messages written from the demo's templates, so words occur as often as in the demo."""
    from careloop.conversations.models import Customer
    from careloop.demo import conversation_texts as texts
    from careloop.demo.conversations import slot_values

    pool = []
    now = datetime.now(UTC)
    for _ in range(TEXT_POOL_SIZE):
        topic = rng.choice(texts.TOPICS)
        customer = Customer(full_name=f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}")
        slots = slot_values(rng, customer, topic, now)
        template = rng.choice(
            [rng.choice(topic.problems), rng.choice(topic.follow_ups), rng.choice(topic.answers)]
        )
        pool.append(
            f"{rng.choice(texts.OPENERS[rng.choice(list(texts.Tone))])} "
            f"{template.format_map(slots)} {rng.choice(topic.details).format_map(slots)}".strip()
        )
    return pool


def subject_pool(rng: random.Random) -> list[str]:
    from careloop.conversations.models import Customer
    from careloop.demo import conversation_texts as texts
    from careloop.demo.conversations import slot_values

    now = datetime.now(UTC)
    subjects = []
    for _ in range(TEXT_POOL_SIZE // 4):
        topic = rng.choice(texts.TOPICS)
        slots = slot_values(rng, Customer(full_name="Bench Customer"), topic, now)
        subjects.append(rng.choice(topic.subjects).format_map(slots))
    return subjects


class Writer:
    """Inserts plain rows fast: COPY on PostgreSQL, executemany on SQLite."""

    def __init__(self) -> None:
        from django.db import connection

        self.connection = connection
        self.postgres = connection.vendor == "postgresql"

    def value(self, value: object) -> object:
        if isinstance(value, datetime) and not self.postgres:
            # The format Django's SQLite backend stores: naive UTC text.
            return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ")
        if isinstance(value, (list, dict)):
            return json.dumps(value)
        return value

    def insert(self, table: str, columns: Sequence[str], rows: Iterator[Sequence[object]]) -> int:
        count = 0
        with self.connection.cursor() as cursor:
            if self.postgres:
                sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
                with cursor.cursor.copy(sql) as copy:
                    for row in rows:
                        copy.write_row([self.value(value) for value in row])
                        count += 1
                return count
            # Table and column names are this script's own constants, never input.
            sql = (
                f"INSERT INTO {table} ({', '.join(columns)}) "  # noqa: S608
                f"VALUES ({', '.join(['%s'] * len(columns))})"
            )
            batch: list[list[object]] = []
            for row in rows:
                batch.append([self.value(value) for value in row])
                if len(batch) >= BATCH:
                    cursor.executemany(sql, batch)
                    count += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                count += len(batch)
        return count


def seed(conversations: int, rng: random.Random) -> dict[str, float]:
    """Teams, agents, customers, conversations and messages; returns seconds per step."""
    from django.db import transaction

    from careloop.conversations.models import Conversation, Customer, Message
    from careloop.core.permissions import Role
    from careloop.people.models import User
    from careloop.people.services import create_team

    timings: dict[str, float] = {}
    writer = Writer()
    now = datetime.now(UTC)
    started = time.perf_counter()
    with transaction.atomic():
        teams = [create_team(name=f"Bench team {number}", description="") for number in range(4)]
        agents = []
        for number in range(24):
            agent = User(
                email=f"agent{number}@bench.example",
                full_name=f"{FIRST_NAMES[number]} {LAST_NAMES[number]}",
                role=Role.AGENT,
                team=teams[number % 4],
            )
            agent.set_unusable_password()
            agents.append(agent)
        User.objects.bulk_create(agents)
        agents = list(User.objects.filter(email__endswith="@bench.example").order_by("pk"))
        customer_count = max(conversations // 4, 1)
        customer_table = Customer._meta.db_table
        writer.insert(
            customer_table,
            [
                "full_name",
                "email",
                "company",
                "language",
                "preferred_channel",
                "notes",
                "created_at",
            ],
            (
                [
                    f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}",
                    f"customer{number}@bench.example",
                    "",
                    "en",
                    "",
                    "",
                    now,
                ]
                for number in range(customer_count)
            ),
        )
        customers = list(Customer.objects.order_by("pk").values_list("pk", "full_name", "email"))
    timings["people"] = time.perf_counter() - started

    pool, subjects = text_pool(rng), subject_pool(rng)
    started = time.perf_counter()
    plans: list[
        tuple[datetime, int, list[str]]
    ] = []  # created_at, agent pk, texts per conversation

    def conversation_rows() -> Iterator[list[object]]:
        for number in range(conversations):
            customer_id, name, email = customers[rng.randrange(len(customers))]
            roll = rng.random()
            status = (
                "closed"
                if roll < 0.70
                else "solved"
                if roll < 0.82
                else "open"
                if roll < 0.92
                else "pending"
                if roll < 0.97
                else "on_hold"
            )
            waiting = status == "open" and roll < 0.91
            age = timedelta(hours=rng.uniform(0.1, 72) if waiting else rng.uniform(24, 365 * 24))
            created_at = now - age
            agent = agents[rng.randrange(len(agents))]
            assigned = not (waiting and rng.random() < 0.3)
            texts = [rng.choice(pool) for _ in range(rng.choice(MESSAGES_PER_CONVERSATION))]
            if number % RARE_EVERY == 7:
                texts[0] = f"{texts[0]} The {RARE_WORD} blue one, please."
            plans.append((created_at, agent.pk, texts))
            subject = rng.choice(subjects)
            replied = created_at + timedelta(minutes=rng.randint(5, 600))
            finished = status in ("solved", "closed")
            care = round(rng.uniform(5, 140), 2) if waiting else 0.0
            yield [
                customer_id,
                subject,
                rng.choice(("email", "email", "chat", "api")),
                status,
                rng.choice(("normal", "normal", "normal", "high", "low", "urgent")),
                agent.pk if assigned else None,
                agent.team_id,
                f"bench{number:016x}",
                None,
                created_at,
                now,
                created_at if waiting else None,
                created_at,
                None if waiting else replied,
                replied if finished else None,
                replied if finished else None,
                0,
                0 if waiting else 1,
                None,
                None,
                None,
                None if waiting else int((replied - created_at).total_seconds()),
                None,
                None,
                None,
                0,
                None,
                rng.random() < 0.1,
                round(rng.random(), 2) if waiting else None,
                " ".join([subject, name, email, *texts]),
                care,
                ["Customer sounds upset (distress 0.61)", "Waiting 2 h of a 4 h target"]
                if waiting
                else [],
            ]

    columns = [
        "customer_id", "subject", "channel", "status", "priority", "assignee_id", "team_id",
        "reply_token", "merged_into_id", "created_at", "updated_at", "waiting_since",
        "last_customer_message_at", "first_response_at", "first_solved_at", "solved_at",
        "reopen_count", "public_reply_count", "first_response_due", "next_response_due",
        "resolution_due", "first_response_seconds", "first_response_business_seconds",
        "resolution_seconds", "resolution_business_seconds", "paused_business_seconds",
        "paused_since", "sla_breached", "distress", "search_text", "care_priority",
        "care_priority_reasons",
    ]  # fmt: skip
    with transaction.atomic():
        writer.insert(Conversation._meta.db_table, columns, conversation_rows())
    timings["conversations"] = time.perf_counter() - started
    first_pk = Conversation.objects.order_by("pk").values_list("pk", flat=True)[0]

    started = time.perf_counter()

    def message_rows() -> Iterator[list[object]]:
        for offset, (created_at, agent_pk, texts) in enumerate(plans):
            for position, text in enumerate(texts):
                from_customer = position % 2 == 0
                yield [
                    first_pk + offset,
                    "customer" if from_customer else "agent",
                    None if from_customer else agent_pk,
                    "email",
                    False,
                    text,
                    "",
                    created_at + timedelta(minutes=30 * position),
                    "",
                    "",
                ]

    message_columns = [
        "conversation_id", "author_kind", "author_id", "channel", "is_internal_note",
        "body_text", "body_html", "created_at", "email_message_id", "unverified_sender",
    ]  # fmt: skip
    with transaction.atomic():
        messages = writer.insert(Message._meta.db_table, message_columns, message_rows())
    timings["messages"] = time.perf_counter() - started
    timings["message_count"] = messages

    started = time.perf_counter()
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings["analyze"] = time.perf_counter() - started
    return timings


# --- measuring -------------------------------------------------------------------------------


def measure(action: Callable[[], object], runs: int, max_seconds: float) -> dict[str, float]:
    action()  # warm caches and connections; not counted
    durations = []
    deadline = time.perf_counter() + max_seconds
    for _ in range(runs):
        started = time.perf_counter()
        action()
        durations.append((time.perf_counter() - started) * 1000)
        if time.perf_counter() > deadline:
            break
    durations.sort()
    return {
        "runs": len(durations),
        "p50_ms": round(statistics.median(durations), 1),
        "p95_ms": round(durations[min(len(durations) - 1, int(len(durations) * 0.95))], 1),
        "max_ms": round(durations[-1], 1),
    }


def measurements(runs: int, max_seconds: float) -> dict[str, dict[str, float]]:
    from django.test import Client
    from django.urls import reverse

    from careloop.conversations import selectors
    from careloop.people.models import User

    agent = User.objects.filter(email="agent0@bench.example").get()
    client = Client()
    client.force_login(agent)
    inbox_url = reverse("conversations:inbox")
    results: dict[str, dict[str, float]] = {}

    def page(view: str, query: str = "") -> Callable[[], object]:
        def render() -> object:
            response = client.get(inbox_url, {"view": view, "q": query})
            assert response.status_code == 200, response.status_code
            return response

        return render

    def first_rows(view: selectors.InboxView, query: str = "") -> Callable[[], object]:
        def evaluate() -> object:
            rows = list(selectors.search(selectors.inbox_for(agent, view), query)[:PAGE_SIZE])
            # What the rows template reads from each row.
            return [(row.customer.full_name, row.assignee, row.team) for row in rows]

        return evaluate

    for view in INBOX_VIEWS:
        results[f"inbox page '{view}' (rendered)"] = measure(page(view), runs, max_seconds)
    results["inbox 'waiting' first 50 rows (selector)"] = measure(
        first_rows(selectors.InboxView.WAITING), runs, max_seconds
    )
    for label, query in SEARCHES.items():
        results[f"search {label} '{query}' (selector, first 50)"] = measure(
            first_rows(selectors.InboxView.ALL_OPEN, query), runs, max_seconds
        )
        results[f"search {label} '{query}' (rendered, all open)"] = measure(
            page("all", query), runs, max_seconds
        )
    return results


def explain() -> dict[str, str]:
    """The plans of the inbox and search queries, to see which indexes they use."""
    from django.db import connection

    from careloop.conversations import selectors
    from careloop.people.models import User

    agent = User.objects.filter(email="agent0@bench.example").get()
    options: dict[str, Any] = (
        {"analyze": True, "buffers": True} if connection.vendor == "postgresql" else {}
    )
    queries = {
        "inbox waiting": selectors.inbox_for(agent, selectors.InboxView.WAITING)[:PAGE_SIZE],
        "inbox all open": selectors.inbox_for(agent, selectors.InboxView.ALL_OPEN)[:PAGE_SIZE],
        # The paginator's count, in the shape it runs.
        "inbox waiting count": selectors.inbox_for(agent, selectors.InboxView.WAITING)
        .order_by()
        .values("pk"),
        "search common": selectors.search(
            selectors.inbox_for(agent, selectors.InboxView.ALL_OPEN), SEARCHES["common word"]
        )[:PAGE_SIZE],
        "search rare": selectors.search(
            selectors.inbox_for(agent, selectors.InboxView.ALL_OPEN), RARE_WORD
        )[:PAGE_SIZE],
    }
    plans = {label: query.explain(**options) for label, query in queries.items()}
    common = selectors.search(
        selectors.inbox_for(agent, selectors.InboxView.ALL_OPEN), SEARCHES["common word"]
    )
    plans["search common count"] = common.order_by().values("pk").explain(**options)
    return plans


def print_figures(
    results: dict[str, dict[str, float]], plans: dict[str, str], conversations: int, vendor: str
) -> None:
    """The measured figures as a table, then each query plan."""
    width = max(len(label) for label in results)
    print(f"\n{conversations:,} conversations on {vendor}, {os.cpu_count()} CPUs")
    print(f"{'measurement'.ljust(width)}  {'runs':>4}  {'p50 ms':>8}  {'p95 ms':>8}  {'max ms':>8}")
    for label, figures in results.items():
        print(
            f"{label.ljust(width)}  {figures['runs']:>4}  {figures['p50_ms']:>8}  "
            f"{figures['p95_ms']:>8}  {figures['max_ms']:>8}"
        )
    for label, plan in plans.items():
        print(f"\n-- EXPLAIN {label}\n{plan}")


def main(argv: Sequence[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    maintenance = maintenance_url()
    database_url = prepare_database_url(arguments.conversations, arguments.reuse)
    set_up_django(database_url)
    from django.db import connection

    from careloop.conversations.models import Conversation, Message

    vendor = connection.vendor
    rng = random.Random(arguments.seed)  # noqa: S311 - made-up data, not secrets
    seeding: dict[str, float] = {}
    if Conversation.objects.count() != arguments.conversations:
        if Conversation.objects.exists():
            sys.exit("The bench database holds another size; run without --reuse.")
        print(f"Seeding {arguments.conversations:,} conversations on {vendor}…", flush=True)
        seeding = seed(arguments.conversations, rng)
        print(
            "  "
            + ", ".join(
                f"{step} {seconds:.1f} s"
                for step, seconds in seeding.items()
                if step != "message_count"
            ),
            flush=True,
        )
    load_before = os.getloadavg()
    results = measurements(arguments.runs, arguments.max_seconds)
    plans = explain()

    print_figures(results, plans, arguments.conversations, vendor)

    RESULTS_DIR.mkdir(exist_ok=True)
    stamp = datetime.now(UTC)
    result_file = RESULTS_DIR / f"{stamp:%Y-%m-%d}-{vendor}-{arguments.conversations}.json"
    result_file.write_text(
        json.dumps(
            {
                "date": stamp.isoformat(timespec="seconds"),
                "vendor": vendor,
                "database_version": str(getattr(connection, "pg_version", ""))
                if vendor == "postgresql"
                else sqlite3.sqlite_version,
                "conversations": arguments.conversations,
                "messages": Message.objects.count(),
                # Other work on the machine shows here; compare runs with similar loads.
                "load_average_before_after": [load_before, os.getloadavg()],
                "machine": {
                    "cpus": os.cpu_count(),
                    "platform": platform.platform(),
                    "python": platform.python_version(),
                },
                # Null when --reuse skipped seeding.
                "seeding_seconds": {
                    k: round(v, 1) for k, v in seeding.items() if k != "message_count"
                }
                or None,
                "results": results,
                "explain": plans,
            },
            indent=2,
        )
        + "\n"
    )
    print(f"\nWrote {result_file.relative_to(BENCH_DIR.parent)}")
    if arguments.drop and maintenance is not None:
        connection.close()
        drop_bench_database(maintenance)
        print(f"Dropped the database {BENCH_DATABASE}.")


if __name__ == "__main__":
    main()
