"""Gunicorn hooks for `careloop web`, loaded as `python:careloop.ops.gunicorn_hooks`."""

from __future__ import annotations

from typing import Any


def post_worker_init(worker: Any) -> None:
    """Each worker, once the application is loaded, runs the schedule unless Celery beat does;
    the database claim keeps workers and machines from running the same turn twice."""
    from careloop.ops.scheduler import start_scheduler

    start_scheduler()
