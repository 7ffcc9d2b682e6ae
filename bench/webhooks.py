"""Webhook latency: how long from an API create until a loopback receiver holds the signed
`conversation.created` (issue 20 asks for under 2 s), the way careloop runs without a broker
(events leave in the web process's background thread).

    .venv/bin/python bench/webhooks.py [--runs 20]

Builds into a fresh SQLite file under $TMPDIR/careloop-bench (never a real database).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
BENCH_TMP = Path(tempfile.gettempdir()) / "careloop-bench"
BUDGET_S = 2.0


def parse_arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    return parser.parse_args(argv)


def set_up_django() -> None:
    path = BENCH_TMP / "webhooks.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    for leftover in BENCH_TMP.glob("webhooks.sqlite3*"):
        leftover.unlink()
    os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    os.environ.setdefault("CARELOOP_DATA_DIR", str(BENCH_TMP / "data"))
    os.environ["CARELOOP_WEBHOOKS_ALLOW_PRIVATE"] = "true"
    os.environ["DJANGO_SETTINGS_MODULE"] = "careloop.settings.base"
    sys.path.insert(0, str(BENCH_DIR.parent / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def start_receiver(arrivals: dict[str, float], arrived: threading.Condition) -> int:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            import json

            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            with arrived:
                arrivals[str(json.loads(body)["data"]["id"])] = time.perf_counter()
                arrived.notify_all()
            self.send_response(200)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return int(server.server_address[1])


def main(argv: Sequence[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    set_up_django()
    from django.test import Client

    from careloop.api.services import create_api_key
    from careloop.core.permissions import Role
    from careloop.people.models import User
    from careloop.webhooks.services import create_endpoint

    arrivals: dict[str, float] = {}
    arrived = threading.Condition()
    port = start_receiver(arrivals, arrived)
    owner = User.objects.create_user("bench@example.test", full_name="Bench", role=Role.AGENT)
    _, secret = create_api_key(
        name="bench", owner=owner, scopes=["conversations:write"], created_by=None
    )
    create_endpoint(
        url=f"http://127.0.0.1:{port}/hook", event_types=["conversation.created"], created_by=None
    )
    client = Client(headers={"Authorization": f"Bearer {secret}"}, HTTP_HOST="127.0.0.1")
    latencies, answers = [], []
    # Run 0 warms up (the empathy model loads on the first message) and is not counted.
    for run in range(arguments.runs + 1):
        started = time.perf_counter()
        response = client.post(
            "/api/v1/conversations/",
            {"customer": {"email": f"c{run}@example.test", "name": "C"}, "body": "Late order"},
            content_type="application/json",
            headers={"Idempotency-Key": f"bench-{run}"},
        )
        answered = time.perf_counter() - started
        assert response.status_code == 201, response.content[:300]
        conversation_id = str(response.json()["id"])
        with arrived:
            arrived.wait_for(lambda wanted=conversation_id: wanted in arrivals, timeout=30)
        if run:
            latencies.append(arrivals[conversation_id] - started)
            answers.append(answered)
    print(
        f"{arguments.runs} API creates after one warm-up, receiver on loopback, "
        "no broker (events in the background thread)"
    )
    for label, values in (("API answer", answers), ("webhook received", latencies)):
        print(
            f"{label:>18}: p50 {statistics.median(values) * 1000:7.1f} ms"
            f"  max {max(values) * 1000:7.1f} ms"
        )
    print(f"budget {BUDGET_S:.0f} s: {'met' if max(latencies) < BUDGET_S else 'MISSED'}")


if __name__ == "__main__":
    main()
