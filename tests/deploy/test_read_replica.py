"""A real streaming replica on loopback serves search; writes stay on the primary."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from careloop.conversations.models import Conversation
from careloop.core import replica
from careloop.core.replica import REPLICA, ReplicaRouter, replica_reads
from tests.deploy.processes import PostgresCluster, run_careloop, start_standby

ROOT = Path(__file__).resolve().parents[2]


def test_reads_go_to_the_replica_only_inside_replica_reads_and_only_when_configured(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    router = ReplicaRouter()
    assert router.db_for_read(Conversation) == "default"
    with replica_reads():
        # No DATABASE_REPLICA_URL: everything reads the primary.
        assert router.db_for_read(Conversation) == "default"
        monkeypatch.setattr(replica, "replica_configured", lambda: True)
        assert router.db_for_read(Conversation) == REPLICA
        assert router.db_for_write(Conversation) == "default"
    assert router.db_for_read(Conversation) == "default"
    assert router.allow_migrate(REPLICA, "conversations") is False


@pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith("postgres"),
    reason="streaming replication is PostgreSQL's: runs on the PostgreSQL leg",
)
def test_search_is_served_by_a_streaming_replica(postgres: PostgresCluster, tmp_path: Path) -> None:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "careloop.settings.base",
        "DATABASE_URL": postgres.url,
        "CARELOOP_DATA_DIR": str(tmp_path),
        "CARELOOP_ALLOWED_HOSTS": "testserver",
    }
    run_careloop(environment, "migrate", "--verbosity=0")
    standby = start_standby(postgres)
    try:
        environment["DATABASE_REPLICA_URL"] = standby.url
        finished = subprocess.run(
            [sys.executable, "-m", "tests.deploy.replica_reads"],
            env=environment,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert finished.returncode == 0, finished.stdout + finished.stderr + standby.log()
        seen = json.loads(finished.stdout.strip().splitlines()[-1])
    finally:
        standby.stop()
        shutil.rmtree(standby.data_dir, ignore_errors=True)
    first, second = seen["first"], seen["second"]
    assert seen["replica_in_recovery"] is True
    # While the replica's replay was paused the primary held both, the page showed the
    # replica's view: only the first.
    assert seen["on_primary_while_paused"] == [first, second]
    assert seen["found_while_paused"] == [first]
    assert seen["found_after_resume"] == [first, second]
    # The search itself ran on the replica; the primary only served the session and user.
    assert any("conversations_conversation" in sql for sql in seen["replica_queries"])
    assert not any("conversations_conversation" in sql for sql in seen["primary_queries"])
