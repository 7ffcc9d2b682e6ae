"""Ingest throughput through the production profile: API -> gunicorn -> PostgreSQL -> Celery.

    .venv/bin/python bench/ingest.py [--messages 3000] [--web-nodes 2] [--workers 2]

Starts a PostgreSQL of its own (like tests/deploy), `careloop web` nodes and Celery workers
on Redis (CARELOOP_BENCH_BROKER_URL, default redis://127.0.0.1:6379/14), posts messages with
several client threads and reports: messages stored per second, request latency (p50/p95),
and how long until the empathy engine had read every message.
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
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.deploy.processes import (
    Service,
    free_port,
    port_open,
    run_careloop,
    start_postgres,
)


def post(port: int, secret: str, number: int) -> float:
    body = json.dumps(
        {
            "customer": {"email": f"bench{number % 500}@example.test"},
            "body": f"My order {number} has not arrived and I am getting worried about it.",
        }
    ).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/v1/conversations/",
        data=body,
        method="POST",
        headers={
            "Authorization": f"Bearer {secret}",
            "Content-Type": "application/json",
            "Idempotency-Key": f"bench-{number}",
        },
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - loopback
        assert response.status == 201
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--messages", type=int, default=3000)
    parser.add_argument("--web-nodes", type=int, default=2)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--client-threads", type=int, default=8)
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
        ports = [free_port() for _ in range(options.web_nodes)]
        services = [
            Service(
                f"web-{p}",
                ["web", f"--bind=127.0.0.1:{p}", "--workers=2"],
                environment,
                data_dir / f"web-{p}.log",
            )
            for p in ports
        ] + [
            Service(
                f"worker-{i}",
                ["worker", "--concurrency=2", "--loglevel=WARNING"],
                environment,
                data_dir / f"worker-{i}.log",
            )
            for i in range(options.workers)
        ]
        for service in services:
            service.start()
        while not all(port_open(port) for port in ports):
            time.sleep(0.2)
        for port in ports:  # warm each node up
            post(port, secret, -1 - port)

        started = time.perf_counter()
        with ThreadPoolExecutor(options.client_threads) as pool:
            latencies = list(
                pool.map(lambda n: post(ports[n % len(ports)], secret, n), range(options.messages))
            )
        stored_s = time.perf_counter() - started
        import psycopg

        unread_sql = (
            "SELECT count(*) FROM conversations_message "
            "WHERE author_kind = 'customer' AND scored_at IS NULL"
        )
        with psycopg.connect(cluster.url.replace("postgres://", "postgresql://")) as connection:
            while (connection.execute(unread_sql).fetchone() or [1])[0]:
                time.sleep(0.2)
        read_s = time.perf_counter() - started
        latencies.sort()
        print(
            f"messages: {options.messages}, web nodes: {options.web_nodes} x 2 gunicorn "
            f"workers, Celery workers: {options.workers} x 2, client threads: "
            f"{options.client_threads}, CPU cores: {os.cpu_count()}"
        )
        print(f"stored: {options.messages / stored_s:.0f} messages/s ({stored_s:.1f} s)")
        print(
            f"request latency ms: p50 {statistics.median(latencies) * 1000:.0f}, "
            f"p95 {latencies[int(len(latencies) * 0.95)] * 1000:.0f}"
        )
        print(
            f"all read by the empathy engine after {read_s:.1f} s "
            f"({options.messages / read_s:.0f} messages/s end to end)"
        )
    finally:
        for service in services:
            service.stop()
        cluster.stop()
        shutil.rmtree(cluster.data_dir, ignore_errors=True)
        shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
