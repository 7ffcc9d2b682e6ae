"""Demo organisation build times: prints seconds for each step, with the budgets the tests
once asserted (a 200-conversation demo in under 10 s, a second demo learning run in under 1 s).

    .venv/bin/python bench/demo.py [--conversations 200] [--runs 3]

Each run builds into a fresh SQLite file under $TMPDIR/careloop-bench (never a real database).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
BENCH_TMP = Path(tempfile.gettempdir()) / "careloop-bench"
BUDGETS_S = {"demo conversations": 10.0, "demo learning, run again": 1.0}


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=200)
    parser.add_argument("--runs", type=int, default=3)
    return parser.parse_args(argv)


def set_up_django() -> None:
    path = BENCH_TMP / "demo.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("CARELOOP_DATA_DIR", str(BENCH_TMP / "data"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "careloop.settings.base"
    sys.path.insert(0, str(BENCH_DIR.parent / "src"))
    import django

    django.setup()


def fresh_database() -> None:
    from django.core.management import call_command
    from django.db import connection

    connection.close()
    for leftover in BENCH_TMP.glob("demo.sqlite3*"):
        leftover.unlink()
    call_command("migrate", interactive=False, verbosity=0)


def timed(step: Callable[[], object]) -> float:
    started = time.perf_counter()
    step()
    return time.perf_counter() - started


def one_run(conversations: int) -> dict[str, float]:
    from careloop.demo.conversations import create_demo_conversations
    from careloop.demo.learning import create_demo_learning
    from careloop.demo.organisation import create_demo_organisation

    fresh_database()
    return {
        "demo without conversations": timed(lambda: create_demo_organisation(conversations=0)),
        "demo conversations": timed(lambda: create_demo_conversations(conversations)),
        "demo learning, run again": timed(create_demo_learning),
    }


def main(argv: Sequence[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    set_up_django()
    runs = [one_run(arguments.conversations) for _ in range(arguments.runs)]
    print(f"{arguments.conversations} conversations, {arguments.runs} runs (seconds)")
    for label in runs[0]:
        seconds = [run[label] for run in runs]
        budget = BUDGETS_S.get(label)
        note = f"  (budget {budget:.0f} s)" if budget else ""
        print(f"{label:32} median {statistics.median(seconds):6.2f}  max {max(seconds):6.2f}{note}")


if __name__ == "__main__":
    main()
