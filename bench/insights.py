"""Insights dashboards on the roll-ups a large installation has: prints p50/p95/max.

    python bench/insights.py --conversations 100000                 # SQLite file under /tmp
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/careloop \\
        python bench/insights.py --conversations 1000000   # database careloop_bench_insights

The dashboards read only roll-ups, so the script seeds what `careloop insights rebuild` would
write for N conversations over a year on 8 teams and 4 channels: one DailyRollup row per team,
day and channel, one CustomerActivity row per conversation (N / 3 customers, so customers come
back) and TeamEmpathyMonth rows; then it times the retention roll-up task on that activity
(every preset period, every team and channel) and the dashboards, which read it. On PostgreSQL
it creates (and replaces) the database `careloop_bench_insights` (or --database) next to the
one DATABASE_URL names. Timing the daily roll-up task needs real conversations: seed them with
bench/inbox.py and run `careloop insights rebuild`.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from datetime import date, timedelta
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

BENCH_DIR = Path(__file__).resolve().parent
RESULTS_DIR = BENCH_DIR / "results"
BENCH_DATABASE = "careloop_bench_insights"
BENCH_TMP = Path(tempfile.gettempdir()) / "careloop-bench"
TEAMS = 8
CHANNELS = ("email", "chat", "api", "web")
DAYS = 365
BATCH = 20_000


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--max-seconds", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--database", default=BENCH_DATABASE, help="PostgreSQL database name")
    parser.add_argument("--task-runs", type=int, default=3)
    return parser.parse_args(argv)


def prepare_database_url(conversations: int, database: str) -> str:
    configured = os.environ.get("DATABASE_URL", "")
    if configured.startswith(("postgres://", "postgresql://")):
        import psycopg

        maintenance = urlunsplit(urlsplit(configured)._replace(path="/postgres"))
        with psycopg.connect(maintenance, autocommit=True) as connection:
            connection.execute(f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
            connection.execute(f"CREATE DATABASE {database}")
        return urlunsplit(urlsplit(maintenance)._replace(path=f"/{database}"))
    path = BENCH_TMP / f"insights-{conversations}.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
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


def seed(conversations: int, rng: random.Random) -> float:
    from decimal import Decimal

    from careloop.core import calendar
    from careloop.core.permissions import Role
    from careloop.insights.models import CustomerActivity, DailyRollup, TeamEmpathyMonth
    from careloop.people.models import Team, User

    started = time.perf_counter()
    teams = [Team.objects.create(name=f"Team {n}", slug=f"team-{n}") for n in range(TEAMS)]
    User.objects.create_user(email="lead@bench.example", full_name="Lead", role=Role.CX_LEADER)
    today = calendar.today()
    first = today - timedelta(days=DAYS - 1)
    per_cell = max(1, conversations // (DAYS * TEAMS * len(CHANNELS)))
    rollups = []
    for offset in range(DAYS):
        day = first + timedelta(days=offset)
        for team in teams:
            for channel in CHANNELS:
                n = max(0, int(rng.gauss(per_cell, per_cell / 4)))
                sent = n // 2
                answered = sent // 3
                rollups.append(
                    DailyRollup(
                        day=day, team=team, channel=channel,
                        conversations_created=n, conversations_solved=n,
                        first_response_count=n, first_response_seconds=n * rng.randint(600, 9000),
                        first_response_business_seconds=n * rng.randint(300, 6000),
                        resolution_count=n, resolution_seconds=n * rng.randint(3600, 90000),
                        resolution_business_seconds=n * rng.randint(1800, 50000),
                        sla_met=int(n * 0.9), sla_breached=n - int(n * 0.9),
                        reopened=n // 20, one_touch=n // 3,
                        surveys_sent=sent, surveys_answered=answered, post_surveys_sent=sent,
                        nps_surveys_sent=answered, csat_positive=int(answered * 0.8),
                        csat_total=answered, nps_promoters=answered // 2,
                        nps_detractors=answered // 6, nps_total=answered,
                        ces_sum=answered * 6, ces_total=answered, ces_easy=int(answered * 0.8),
                        detractors=answered // 6, recovered=answered // 12,
                        goodwill_count=n // 50, goodwill_amount=Decimal(n // 50 * 25),
                    )
                )  # fmt: skip
    DailyRollup.objects.bulk_create(rollups, batch_size=BATCH)
    customers = max(1, conversations // 3)
    batch: list[CustomerActivity] = []
    for _ in range(conversations):
        batch.append(
            CustomerActivity(
                day=first + timedelta(days=rng.randrange(DAYS)),
                customer_id=rng.randrange(customers),
                team=teams[rng.randrange(TEAMS)],
                channel=CHANNELS[rng.randrange(len(CHANNELS))],
            )
        )
        if len(batch) == BATCH:
            CustomerActivity.objects.bulk_create(batch)
            batch = []
    CustomerActivity.objects.bulk_create(batch)
    month = first.replace(day=1)
    while month <= today:
        for team in teams:
            TeamEmpathyMonth.objects.create(
                month=month, team=team, replies=1000, empathy_sum=rng.uniform(400, 700), agents=8
            )
        month = (month + timedelta(days=32)).replace(day=1)
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return time.perf_counter() - started


def measure(action: Callable[[], object], runs: int, max_seconds: float) -> dict[str, float]:
    action()
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


def measure_retention_rollup(runs: int) -> dict[str, float]:
    """The retention roll-up task for today, as the hourly refresh runs it after the roll-ups;
    leaves today's rows in place for the dashboards."""
    from careloop.core import calendar
    from careloop.insights.models import RetentionRollup
    from careloop.insights.rollups import recompute_retention

    figures = measure(lambda: recompute_retention(calendar.today()), runs, max_seconds=300.0)
    figures["rows"] = RetentionRollup.objects.count()
    return figures


def measurements(runs: int, max_seconds: float) -> dict[str, dict[str, float]]:
    from django.core.cache import cache
    from django.test import Client
    from django.urls import reverse

    from careloop.core import calendar
    from careloop.people.models import Team, User

    client = Client()
    client.force_login(User.objects.get(email="lead@bench.example"))
    team = Team.objects.order_by("pk").first()
    assert team is not None
    pages = {
        "dashboard, last 7 days": (reverse("insights:dashboard"), {"period": "7"}),
        "dashboard, last 30 days": (reverse("insights:dashboard"), {"period": "30"}),
        "dashboard, last 90 days": (reverse("insights:dashboard"), {"period": "90"}),
        "dashboard, last 365 days": (reverse("insights:dashboard"), {"period": "365"}),
        "dashboard, 90 days, one team, email": (
            reverse("insights:dashboard"),
            {"period": "90", "team": str(team.pk), "channel": "email"},
        ),
        "dashboard, 365 days, one team": (
            reverse("insights:dashboard"),
            {"period": "365", "team": str(team.pk)},
        ),
        "dashboard, 30 days, chat": (
            reverse("insights:dashboard"),
            {"period": "30", "channel": "chat"},
        ),
        "CSV export, last 365 days": (reverse("insights:export"), {"period": "365"}),
        "culture analytics, 12 months": (reverse("insights:culture"), {"months": "12"}),
    }
    # A period that is no preset: retention is counted from the activity, then cached.
    yesterday = calendar.today() - timedelta(days=1)
    custom = {
        "start": str(yesterday - timedelta(days=29)),
        "end": str(yesterday),
    }

    def get(url: str, query: dict[str, str], cold: bool = True) -> object:
        if cold:  # nothing cached: what the first view after a roll-up refresh costs
            cache.clear()
        response = client.get(url, query)
        assert response.status_code == 200, response.status_code
        return response

    results = {}
    # Preset periods read the retention roll-up, so the cache does not matter to them.
    for label, (url, query) in pages.items():
        results[label + " (cold cache)"] = measure(partial(get, url, query), runs, max_seconds)
    # The custom period's page leaves its uncounted retention to a request of its own.
    dashboard_url, retention_url = reverse("insights:dashboard"), reverse("insights:retention")
    results["dashboard, custom 30 days ending yesterday (cold cache)"] = measure(
        partial(get, dashboard_url, custom), runs, max_seconds
    )
    results["its retention figure, counted (cold cache)"] = measure(
        partial(get, retention_url, custom), runs, max_seconds
    )
    results["its retention figure, cached"] = measure(
        partial(get, retention_url, custom, cold=False), runs, max_seconds
    )
    return results


def main(argv: Sequence[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    database_url = prepare_database_url(arguments.conversations, arguments.database)
    set_up_django(database_url)
    from django.db import connection

    rng = random.Random(arguments.seed)  # noqa: S311 - benchmark data, not secrets
    seconds = seed(arguments.conversations, rng)
    print(f"seeded roll-ups for {arguments.conversations} conversations in {seconds:.1f} s")
    task = measure_retention_rollup(arguments.task_runs)
    print(f"{'retention roll-up task':60} p50 {task['p50_ms']:8.1f}  p95 {task['p95_ms']:8.1f}  "
          f"max {task['max_ms']:8.1f} ms ({task['runs']} runs, {task['rows']} rows)")  # fmt: skip
    results = measurements(arguments.runs, arguments.max_seconds)
    for label, figures in results.items():
        print(f"{label:60} p50 {figures['p50_ms']:8.1f}  p95 {figures['p95_ms']:8.1f}  "
              f"max {figures['max_ms']:8.1f} ms ({figures['runs']} runs)")  # fmt: skip
    RESULTS_DIR.mkdir(exist_ok=True)
    out = RESULTS_DIR / (
        f"{date.today()}-insights-{connection.vendor}-{arguments.conversations}.json"
    )
    out.write_text(
        json.dumps(
            {
                "conversations": arguments.conversations,
                "vendor": connection.vendor,
                "python": platform.python_version(),
                "seed_seconds": round(seconds, 1),
                "retention_rollup_task": task,
                "results": results,
            },
            indent=2,
        )
    )
    print(f"wrote {out}")


if __name__ == "__main__":
    main()
