"""Import speed: writes a generic CSV of N conversations, imports it, then imports it again.

    python bench/importers.py --conversations 100000                  # SQLite file under /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/careloop \\
        python bench/importers.py --conversations 100000              # careloop_import_bench

About three messages per conversation (customer, agent, sometimes a note or a follow-up), a
customer for every three conversations, twenty agents, one conversation in ten still open.
The second run finds everything imported and must create nothing. On PostgreSQL the script
creates (and replaces) the database `careloop_import_bench`; a JSON result lands in
bench/results/.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import sys
import tempfile
import time
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
BENCH_TMP = Path(tempfile.gettempdir()) / "careloop-bench"
BENCH_DATABASE = "careloop_import_bench"
HEADER = [
    "conversation_external_id", "customer_email", "customer_name", "subject", "status", "tags",
    "message_external_id", "author_email", "author_role", "internal", "body", "created_at",
]  # fmt: skip
CUSTOMER_LINES = (
    "My order {n} arrived damaged and I'm really disappointed.",
    "Where is my parcel? It was due on Monday.",
    "I was charged twice for order {n}, please refund one.",
    "Can I change the delivery address for order {n}?",
    "Thanks, that worked perfectly.",
    "This is the third time I'm writing about this. Nobody answers.",
)
AGENT_LINES = (
    "I'm sorry about that. A replacement for order {n} is on its way.",
    "Thanks for your patience, the parcel ships today.",
    "I've refunded the second charge; it shows in 3-5 days.",
    "Done, the address is updated.",
)
TAGS = ("billing", "shipping", "returns", "account", "damaged", "refund")


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--seed", type=int, default=7)
    return parser.parse_args(argv)


def write_export(path: Path, conversations: int, rng: random.Random) -> int:
    """The CSV; returns how many messages it holds."""
    start = datetime(2023, 1, 1, tzinfo=UTC)
    messages = 0
    with path.open("w", newline="") as target:
        writer = csv.writer(target)
        writer.writerow(HEADER)
        for number in range(conversations):
            customer = number // 3
            status = "open" if number % 10 == 0 else rng.choice(("solved", "closed"))
            opened = start + timedelta(minutes=5 * number)
            common = [
                f"t{number}",
                f"customer{customer}@example.com",
                f"Customer {customer}",
                f"Order {number}",
                status,
                ",".join(rng.sample(TAGS, rng.randint(0, 2))),
            ]
            agent = f"agent{number % 20}@acme.example"
            rows = [
                ("customer", "", False, rng.choice(CUSTOMER_LINES), opened),
                ("agent", agent, False, rng.choice(AGENT_LINES), opened + timedelta(hours=2)),
            ]
            if rng.random() < 0.5:
                rows.append(
                    (
                        "agent",
                        agent,
                        True,
                        "Checked with the warehouse.",
                        opened + timedelta(hours=3),
                    )
                )
            if status == "open" or rng.random() < 0.5:
                rows.append(
                    ("customer", "", False, rng.choice(CUSTOMER_LINES), opened + timedelta(hours=5))
                )
            for index, (role, author, internal, body, at) in enumerate(rows, start=1):
                writer.writerow(
                    [*common, index, author, role, "true" if internal else "false",
                     body.format(n=number), at.isoformat()]
                )  # fmt: skip
            messages += len(rows)
    return messages


def prepare_database_url() -> str:
    configured = os.environ.get("DATABASE_URL", "")
    if configured.startswith(("postgres://", "postgresql://")):
        import psycopg

        maintenance = urlunsplit(urlsplit(configured)._replace(path="/postgres"))
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {BENCH_DATABASE} WITH (FORCE)")
            connection.execute(f"CREATE DATABASE {BENCH_DATABASE}")
        return urlunsplit(urlsplit(maintenance)._replace(path=f"/{BENCH_DATABASE}"))
    path = BENCH_TMP / "importers.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    for leftover in path.parent.glob(f"{path.name}*"):
        leftover.unlink()
    return f"sqlite:///{path}"


def main(argv: Sequence[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    os.environ["DATABASE_URL"] = prepare_database_url()
    os.environ.setdefault("CARELOOP_DATA_DIR", str(BENCH_TMP / "data"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "careloop.settings.base"
    sys.path.insert(0, str(BENCH_DIR.parent / "src"))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from careloop.importers.management.commands.import_data import ProgressLine
    from careloop.importers.services import import_file

    call_command("migrate", interactive=False, verbosity=0)
    export = BENCH_TMP / f"import-{arguments.conversations}.csv"
    started = time.perf_counter()
    rng = random.Random(arguments.seed)  # noqa: S311 - made-up data, not secrets
    messages = write_export(export, arguments.conversations, rng)
    print(f"Wrote {export} ({messages} messages) in {time.perf_counter() - started:.1f} s")

    started, cpu_started = time.perf_counter(), time.process_time()
    run = import_file(
        "csv", export, batch_size=arguments.batch_size, on_progress=ProgressLine(sys.stderr)
    )
    first_seconds = time.perf_counter() - started
    # On a shared machine wall time says more about the neighbours than about the import; the
    # process's CPU time is what an otherwise idle machine would need (SQLite runs in-process).
    first_cpu_seconds = time.process_time() - cpu_started
    sys.stderr.write("\n")
    assert run.conversations_created == arguments.conversations, run
    assert run.messages_created == messages, run

    started = time.perf_counter()
    again = import_file("csv", export, batch_size=arguments.batch_size)
    second_seconds = time.perf_counter() - started
    assert again.conversations_created == again.messages_created == 0, again

    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "vendor": connection.vendor,
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "conversations": arguments.conversations,
        "messages": messages,
        "import_seconds": round(first_seconds, 1),
        "import_cpu_seconds": round(first_cpu_seconds, 1),
        "load_average": os.getloadavg(),
        "conversations_per_second": round(arguments.conversations / first_seconds),
        "second_run_seconds": round(second_seconds, 1),
    }
    print(json.dumps(result, indent=2))
    RESULTS_DIR.mkdir(exist_ok=True)
    name = f"{datetime.now(UTC):%Y-%m-%d}-importers-{connection.vendor}-{arguments.conversations}"
    (RESULTS_DIR / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")


if __name__ == "__main__":
    main()
