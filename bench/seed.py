"""Seed the bench database with N conversations and say how long it took and how much disk.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/careloop \\
        python bench/seed.py --conversations 1000000          # database careloop_bench
    python bench/seed.py --conversations 100000               # SQLite file under /tmp
    ... --conversations 10000000                               # 10 M: a flag, not yet measured

COPY on PostgreSQL (executemany on SQLite), about three messages per conversation; the same
data `bench/inbox.py` and `bench/reads.py` measure with `--reuse`. Never touches the database
DATABASE_URL names: it creates (and replaces) `careloop_bench` next to it.
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import inbox


def disk_bytes() -> int:
    """The bench database's size on disk."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_database_size(current_database())")
            return int(cursor.fetchone()[0])
    return sum(
        path.stat().st_size
        for path in Path(connection.settings_dict["NAME"]).parent.glob(
            f"{Path(connection.settings_dict['NAME']).name}*"
        )
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=11)
    arguments = parser.parse_args(argv)
    database_url = inbox.prepare_database_url(arguments.conversations, reuse=False)
    inbox.set_up_django(database_url)
    from django.db import connection

    print(f"Seeding {arguments.conversations:,} conversations on {connection.vendor}…", flush=True)
    started = time.perf_counter()
    rng = random.Random(arguments.seed)  # noqa: S311 - made-up data, not secrets
    steps = inbox.seed(arguments.conversations, rng)
    elapsed = time.perf_counter() - started
    print(
        "  "
        + ", ".join(
            f"{step} {seconds:.1f} s" for step, seconds in steps.items() if step != "message_count"
        )
    )
    print(
        f"Seeded {arguments.conversations:,} conversations and {int(steps['message_count']):,} "
        f"messages in {elapsed / 60:.1f} min; the database takes {disk_bytes() / 2**30:.2f} GiB "
        f"({os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f})."
    )


if __name__ == "__main__":
    main()
