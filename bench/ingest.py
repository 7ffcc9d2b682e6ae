"""Ingest and reading through the production profile: API -> gunicorn -> PostgreSQL -> Celery.

    .venv/bin/python bench/ingest.py [--creates 2000] [--batched 10000] [--unread 5000]

Starts a PostgreSQL of its own (like tests/deploy), `careloop web` nodes (gunicorn) and Celery
workers on Redis (CARELOOP_BENCH_BROKER_URL, default redis://127.0.0.1:6379/14), then measures:

1. API creates: single `POST /api/v1/conversations/` requests from 8 client threads, each with
   its own Idempotency-Key; creates/s, latency p50/p95, errors, and the queries of one create;
2. the batch endpoint: 100 messages a request from the same threads; messages/s, p50/p95;
3. reading: `--unread` messages stored with the workers stopped, then two worker processes
   (concurrency 1 each) read them in micro-batches; messages/s, the workers' memory after;
4. the live path: one message stored with the workers idle, until its conversation is re-ranked.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.deploy.processes import (
    PostgresCluster,
    Service,
    free_port,
    port_open,
    run_careloop,
    start_postgres,
)

CLIENT_THREADS = 8
ERRORS: list[str] = []
UNREAD = (
    "SELECT count(*) FROM conversations_message "
    "WHERE author_kind = 'customer' AND scored_at IS NULL"
)
# How fast the readers went: from the first reading stored to the last, for one run's messages.
READING_SPAN = (
    "SELECT count(*), extract(epoch FROM max(scored_at) - min(scored_at)) "
    "FROM conversations_message WHERE body_text LIKE %s"
)
QUERIES_OF_ONE_CREATE = """
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
import json
client = Client(HTTP_HOST="127.0.0.1")
headers = {"Authorization": "Bearer %s", "Idempotency-Key": "count-%s"}
body = json.dumps({"customer": {"email": "bench1@example.test"}, "body": "Counting queries"})
for n in range(2):
    with CaptureQueriesContext(connection) as queries:
        client.post("/api/v1/conversations/", body, content_type="application/json",
                    headers={**headers, "Idempotency-Key": f"count-%s-{n}"})
statements = [q["sql"] for q in queries.captured_queries]
print(len(statements), "|", "; ".join(sql[:40] for sql in statements))
"""


def post(port: int, secret: str, path: str, key: str, payload: object) -> tuple[float, int]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/{path}",
        data=json.dumps(payload).encode(),
        method="POST",
        headers={
            "Authorization": f"Bearer {secret}",
            "Content-Type": "application/json",
            "Idempotency-Key": key,
        },
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - loopback
            status = response.status
            answer = json.loads(response.read())
    except urllib.error.HTTPError as error:
        status, answer = error.code, {}
        if len(ERRORS) < 3:
            ERRORS.append(f"{error.code} {error.read()[:300]!r}")
    elapsed = time.perf_counter() - started
    if path.endswith("batch/") and status == 200:
        bad = [r for r in answer["results"] if r["status"] != 201]
        status = 207 if bad else 200
    return elapsed, status


def opening(number: int, run: str) -> dict[str, object]:
    return {
        "customer": {"email": f"bench{number % 500}@example.test"},
        "body": f"My order {number} has not arrived and I am getting worried about it. [{run}]",
    }


def item(number: int, run: str) -> dict[str, object]:
    return {**opening(number, run), "idempotency_key": f"{run}-{number}"}


def timed(count: int, send: Callable[[int], tuple[float, int]]) -> tuple[float, list[float], int]:
    started = time.perf_counter()
    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        answers = list(pool.map(send, range(count)))
    seconds = time.perf_counter() - started
    errors = sum(1 for _, status in answers if status not in (200, 201))
    return seconds, sorted(latency for latency, _ in answers), errors


def percentiles(latencies: list[float]) -> str:
    p95 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.95))]
    return f"p50 {statistics.median(latencies) * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms"


def count(cluster: PostgresCluster, sql: str) -> int:
    with psycopg.connect(cluster.url.replace("postgres://", "postgresql://")) as connection:
        row = connection.execute(sql).fetchone()
    return int(row[0]) if row else 0


def span(cluster: PostgresCluster, pattern: str) -> tuple[int, float]:
    with psycopg.connect(cluster.url.replace("postgres://", "postgresql://")) as connection:
        row = connection.execute(READING_SPAN, [pattern]).fetchone()
    assert row is not None
    return int(row[0]), max(float(row[1] or 0), 1e-3)


def seconds(cluster: PostgresCluster, sql: str) -> float:
    with psycopg.connect(cluster.url.replace("postgres://", "postgresql://")) as connection:
        row = connection.execute(sql).fetchone()
    return float(row[0]) if row and row[0] is not None else float("nan")


def wait_for(cluster: PostgresCluster, sql: str, timeout: float = 600) -> float:
    started = time.perf_counter()
    while count(cluster, sql) and time.perf_counter() - started < timeout:
        time.sleep(0.05)
    return time.perf_counter() - started


def cpu_seconds(services: list[Service]) -> float:
    """CPU time (user + system) spent so far by these services' processes, pools included."""
    groups = {service.process.pid for service in services if service.process is not None}
    ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[2]) in groups:  # field 5 of /proc/<pid>/stat: the process group
            ticks += int(fields[11]) + int(fields[12]) + int(fields[13]) + int(fields[14])
    return ticks / os.sysconf("SC_CLK_TCK")


def rss_mb(service: Service) -> float:
    """Resident memory of a worker: its main process and its pool children."""
    assert service.process is not None
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        group = int(os.getpgid(int(status.parent.name))) if fields.get("Pid") else -1
        if group == service.process.pid and "VmRSS" in fields:
            total += int(fields["VmRSS"].split()[0])
    return total / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--creates", type=int, default=2000)
    parser.add_argument("--batched", type=int, default=10000)
    parser.add_argument("--unread", type=int, default=5000)
    parser.add_argument("--web-nodes", type=int, default=2)
    options = parser.parse_args()

    cluster = start_postgres()
    data_dir = Path(tempfile.mkdtemp(prefix="careloop-ingest-"))
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "careloop.settings.production",
        "DATABASE_URL": cluster.url,
        "CELERY_BROKER_URL": os.environ.get(
            "CARELOOP_BENCH_BROKER_URL", "redis://127.0.0.1:6379/14"
        ),
        "CARELOOP_SECRET_KEY": "bench-" + "b" * 50,
        "CARELOOP_SSL_REDIRECT": "false",
        "CARELOOP_DATA_DIR": str(data_dir),
        "CARELOOP_API_RATE": "1000000/min",
        "CARELOOP_EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    services: list[Service] = []
    try:
        run_careloop(environment, "migrate", "--verbosity=0")
        secret = run_careloop(
            environment,
            "shell",
            "--verbosity=0",
            "-c",
            "from careloop.api.services import create_api_key; from careloop.api.scopes import "
            "Scope; from careloop.people.models import User; owner = User.objects.create_user("
            "'bench@example.test'); print(create_api_key(name='bench', owner=owner, "
            "scopes=list(Scope), created_by=None)[1])",
        ).strip()
        queries = run_careloop(
            environment,
            "shell",
            "--verbosity=0",
            "-c",
            QUERIES_OF_ONE_CREATE % (secret, "x", "x"),
        ).strip()
        ports = [free_port() for _ in range(options.web_nodes)]
        web = [
            Service(
                f"web-{port}",
                ["web", f"--bind=127.0.0.1:{port}", "--workers=2", "--threads=4"],
                environment,
                data_dir / f"web-{port}.log",
            )
            for port in ports
        ]
        workers = [
            Service(
                f"worker-{index}",
                ["worker", "--concurrency=1", "--loglevel=WARNING"],
                environment,
                data_dir / f"worker-{index}.log",
            )
            for index in range(2)
        ]
        services = [*web, *workers]
        for service in web:
            service.start()
        while not all(port_open(port) for port in ports):
            time.sleep(0.2)
        for port in ports:  # warm each node up
            post(port, secret, "conversations/", f"warm-{port}", opening(-port, "warm"))

        # 3. Reading, first: the messages wait unread while no worker runs.
        stored_s, _, unread_errors = timed(
            options.unread // 100,
            lambda n: post(
                ports[n % len(ports)],
                secret,
                "conversations/batch/",
                f"batch-unread-{n}",
                {"messages": [item(n * 100 + i, "unread") for i in range(100)]},
            ),
        )
        waiting = count(cluster, UNREAD)
        for service in workers:
            service.start()
        worker_cpu = cpu_seconds(workers)
        run_careloop(
            environment,
            "shell",
            "--verbosity=0",
            "-c",
            "from careloop.conversations.tasks import read_unread_customer_messages as t; "
            "t.enqueue()",
        )
        wait_for(cluster, UNREAD)
        read_count, read_s = span(cluster, "%worried about it. [unread]")
        read_cpu_ms = (cpu_seconds(workers) - worker_cpu) * 1000 / max(read_count, 1)
        memory = [rss_mb(worker) for worker in workers]

        # 4. The live path: one message, the workers idle.
        time.sleep(1)
        post(ports[0], secret, "conversations/", "live-1", opening(10**7, "live"))
        wait_for(cluster, UNREAD, timeout=30)
        live_s = seconds(
            cluster,
            "SELECT extract(epoch FROM scored_at - created_at) FROM conversations_message "
            "WHERE body_text LIKE '%[live]'",
        )

        # 1. Single creates, read by the workers as they come.
        web_cpu = cpu_seconds(web)
        creates_s, create_latencies, create_errors = timed(
            options.creates,
            lambda n: post(
                ports[n % len(ports)], secret, "conversations/", f"create-{n}", opening(n, "c")
            ),
        )
        create_cpu_ms = (cpu_seconds(web) - web_cpu) * 1000 / options.creates
        creates_read_s = creates_s + wait_for(cluster, UNREAD)

        # 2. The batch endpoint.
        batches = options.batched // 100
        web_cpu = cpu_seconds(web)
        batch_s, batch_latencies, batch_errors = timed(
            batches,
            lambda n: post(
                ports[n % len(ports)],
                secret,
                "conversations/batch/",
                f"batch-{n}",
                {"messages": [item(n * 100 + i, "b") for i in range(100)]},
            ),
        )
        batch_cpu_ms = (cpu_seconds(web) - web_cpu) * 1000 / (batches * 100)
        batch_read_s = batch_s + wait_for(cluster, UNREAD)
        total = count(cluster, "SELECT count(*) FROM conversations_message")

        print(
            f"CPU cores: {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}; web: "
            f"{options.web_nodes} gunicorn nodes x 2 workers x 4 threads; readers: 2 Celery "
            f"worker processes; client threads: {CLIENT_THREADS}"
        )
        print(
            f"API creates: {options.creates / creates_s:.0f}/s ({options.creates} in "
            f"{creates_s:.1f} s, {create_errors} errors), {percentiles(create_latencies)}, "
            f"web CPU {create_cpu_ms:.1f} ms a create; "
            f"queries of one create (whole request): {queries}; all read "
            f"{creates_read_s - creates_s:.1f} s after the last"
        )
        print(
            f"Batch endpoint: {batches * 100 / batch_s:.0f} messages/s ({batches} requests of "
            f"100 in {batch_s:.1f} s, {batch_errors} with errors), web CPU {batch_cpu_ms:.2f} ms a "
            f"message, per request "
            f"{percentiles(batch_latencies)}; all read {batch_read_s - batch_s:.1f} s after"
        )
        print(
            f"Reading: {waiting} unread (stored at {waiting / stored_s:.0f}/s, "
            f"{unread_errors} errors) read by 2 worker processes, {read_count} in {read_s:.1f} s "
            f"from the first reading to the last = {read_count / read_s:.0f} messages/s, "
            f"worker CPU "
            f"{read_cpu_ms:.2f} ms a message (boot included); "
            "worker memory after: " + ", ".join(f"{mb:.0f} MB" for mb in memory)
        )
        print(f"Live path: stored and re-ranked in {live_s * 1000:.0f} ms")
        print(f"Messages stored in all: {total}")
        for error in ERRORS:
            print(f"error: {error}")
    finally:
        for service in services:
            service.stop()
        cluster.stop()
        shutil.rmtree(cluster.data_dir, ignore_errors=True)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
