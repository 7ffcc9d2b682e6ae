"""Reads that may come from a streaming replica: insights, exports and search.

With `DATABASE_REPLICA_URL` set, the settings add a `replica` database. Views that only read
and can live with a second of replication lag run inside `replica_reads()` (or carry
`@reads_from_replica`); while one does, every ORM read goes to the replica and every write
still goes to the primary. Everything else, and everything without a replica, reads the
primary. Raw SQL asks `reading_database()` which connection to use.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.models import Model

REPLICA = "replica"

# A context variable, not a thread-local: right for threaded gunicorn workers and ASGI alike.
_replica_reads: ContextVar[bool] = ContextVar("careloop_replica_reads", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


@contextmanager
def replica_reads() -> Iterator[None]:
    """Send the ORM's reads to the replica (when there is one) inside this block."""
    token = _replica_reads.set(True)
    try:
        yield
    finally:
        _replica_reads.reset(token)


def reads_from_replica[**P, R](view: Callable[P, R]) -> Callable[P, R]:
    """Run a read-only view against the replica (place it under `@requires`)."""

    @wraps(view)
    def on_replica(*args: P.args, **kwargs: P.kwargs) -> R:
        with replica_reads():
            return view(*args, **kwargs)

    return on_replica


def reading_database() -> str:
    """The alias reads go to here and now."""
    if _replica_reads.get() and replica_configured():
        return REPLICA
    return DEFAULT_DB_ALIAS


def reading_connection() -> BaseDatabaseWrapper:
    """The connection raw SQL that reads should use here and now."""
    return connections[reading_database()]


class ReplicaRouter:
    """Reads inside `replica_reads()` to the replica; all writes and migrations to the primary."""

    def db_for_read(self, model: type[Model], **hints: Any) -> str | None:
        if _replica_reads.get() and replica_configured():
            return REPLICA
        # An instance read from the replica loads its relations from the primary afterwards.
        return DEFAULT_DB_ALIAS

    def db_for_write(self, model: type[Model], **hints: Any) -> str:
        return DEFAULT_DB_ALIAS

    def allow_relation(self, first: Model, second: Model, **hints: Any) -> bool:
        # The replica is a copy of the primary: the same rows in both.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool:
        return db == DEFAULT_DB_ALIAS
