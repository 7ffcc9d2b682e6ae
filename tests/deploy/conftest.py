"""Fixtures for the deployment tests: a reachable Redis broker and a PostgreSQL of their own."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

from tests.deploy.processes import PostgresCluster, start_postgres
from tests.fixtures.broker import emptied_broker_url


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
    return emptied_broker_url("default")


@pytest.fixture
def postgres() -> Iterator[PostgresCluster]:
    cluster = start_postgres()
    yield cluster
    cluster.stop()
    shutil.rmtree(cluster.data_dir, ignore_errors=True)
