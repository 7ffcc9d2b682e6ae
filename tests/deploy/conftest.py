"""Fixtures for the deployment tests: a reachable Redis broker and a PostgreSQL of their own."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
from kombu import Connection
from kombu.exceptions import OperationalError

from tests.deploy.processes import PostgresCluster, start_postgres
from tests.fixtures.broker import broker_url_for_this_worker


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # The fault tests start many processes: they run once, on the PostgreSQL + Redis leg.
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        return
    skip = pytest.mark.skip(
        reason="runs on the PostgreSQL + Redis leg (DATABASE_URL=postgres://...)"
    )
    for item in items:
        if item.get_closest_marker("fault"):
            item.add_marker(skip)


@pytest.fixture
def broker_url() -> str:
    url = broker_url_for_this_worker()
    try:
        with Connection(url, connect_timeout=3) as broker:
            broker.ensure_connection(max_retries=1, interval_start=0, timeout=3)
            broker.default_channel.queue_purge("default")
    except (OperationalError, OSError) as error:
        message = f"Redis at {url} is not reachable: {error}"
        if os.environ.get("CARELOOP_REQUIRE_REDIS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    return url


@pytest.fixture
def postgres() -> Iterator[PostgresCluster]:
    cluster = start_postgres()
    yield cluster
    cluster.stop()
    shutil.rmtree(cluster.data_dir, ignore_errors=True)
