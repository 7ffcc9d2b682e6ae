"""Runs the periodic schedule (ops.schedule) inside careloop's own processes, when no Celery
beat does: a daemon thread that `careloop serve`, `web` and `demo` start, never an import.

Each job has a row (core.models.ScheduledJob). A process takes a due turn with one conditional
UPDATE (due, and not held by a live claim), so two web processes or two machines never run the
same turn twice, on SQLite and PostgreSQL alike. A job that raises is logged and tried again
later; it never stops the others or the thread.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, close_old_connections
from django.db.models import Q
from django.tasks import Task
from django.utils import timezone
from django.utils.module_loading import import_string

from careloop.core.calendar import organisation_time
from careloop.core.models import ScheduledJob
from careloop.ops.schedule import SCHEDULE, PeriodicJob

logger = logging.getLogger(__name__)

# How long a claim holds a turn. Only a process that died mid-job lets one run out; then another
# process runs the job again, which every periodic task is written to bear.
LEASE = timedelta(minutes=15)
# A job that failed is tried again after at most this, not a whole day later.
RETRY_AFTER = timedelta(minutes=5)
TICK_SECONDS = 15.0


@dataclass(frozen=True)
class JobRun:
    """One turn this process took: the job, and what it returned or the error it raised."""

    name: str
    succeeded: bool
    result: object = None
    error: str = ""


def runs_in_process() -> bool:
    """Whether careloop's own processes run the schedule: only while no Celery broker is
    configured. With one, `careloop worker --beat` runs it, and exactly one beat must."""
    return not settings.CELERY_BROKER_URL


def _ensure_rows(jobs: Sequence[PeriodicJob], now: datetime) -> None:
    """A job seen for the first time is due at once."""
    known = set(ScheduledJob.objects.values_list("name", flat=True))
    missing = [
        ScheduledJob(name=job.name, next_run_at=now) for job in jobs if job.name not in known
    ]
    if missing:
        # Another process may add the same rows at the same moment; theirs stand.
        ScheduledJob.objects.bulk_create(missing, ignore_conflicts=True)


def claim(job: PeriodicJob, now: datetime) -> datetime | None:
    """Take the job's turn if it is due and free; the lease's end (the claim's token) or None."""
    held_until = now + LEASE
    taken = (
        ScheduledJob.objects.filter(name=job.name, next_run_at__lte=now)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
        .update(locked_until=held_until, last_started_at=now)
    )
    return held_until if taken == 1 else None


def _run(job: PeriodicJob, now: datetime, every: timedelta, held_until: datetime) -> JobRun:
    try:
        task = import_string(job.task_path)
        if not isinstance(task, Task):
            raise TypeError(f"{job.task_path} is not a django.tasks Task")
        # Dates and rendered emails mean the organisation's zone, as in a request or a worker.
        with organisation_time():
            outcome = JobRun(job.name, succeeded=True, result=task.call())
    except Exception as error:
        logger.exception("Periodic job %s failed; it is tried again later", job.name)
        outcome = JobRun(job.name, succeeded=False, error=f"{type(error).__name__}: {error}")
    next_run_at = now + (every if outcome.succeeded else min(every, RETRY_AFTER))
    # Only the claim that still holds the turn hands it on.
    ScheduledJob.objects.filter(name=job.name, locked_until=held_until).update(
        next_run_at=next_run_at,
        locked_until=None,
        last_finished_at=timezone.now(),
        last_error=outcome.error[:2000],
    )
    return outcome


def run_due_jobs(
    now: datetime | None = None,
    jobs: Sequence[PeriodicJob] = SCHEDULE,
    every: Mapping[str, timedelta] | None = None,
) -> list[JobRun]:
    """Run every job due at `now` that no other process holds, in declaration order.

    `every` replaces some jobs' intervals (the demo runs a few of them more often).
    """
    now = now or timezone.now()
    _ensure_rows(jobs, now)
    runs = []
    for job in jobs:
        try:
            held_until = claim(job, now)
        except DatabaseError:
            logger.exception("Could not claim periodic job %s; trying at the next tick", job.name)
            continue
        if held_until is not None:
            runs.append(_run(job, now, (every or {}).get(job.name, job.every), held_until))
    return runs


class Scheduler:
    """The daemon thread: every few seconds, run what is due."""

    def __init__(
        self,
        jobs: Sequence[PeriodicJob] = SCHEDULE,
        every: Mapping[str, timedelta] | None = None,
        tick_seconds: float = TICK_SECONDS,
    ) -> None:
        self.jobs = tuple(jobs)
        self.every = dict(every or {})
        self.tick_seconds = tick_seconds
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="careloop-scheduler", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float | None = None) -> None:
        self._stopping.set()
        self._thread.join(timeout)

    def _loop(self) -> None:
        while not self._stopping.is_set():
            try:
                run_due_jobs(timezone.now(), self.jobs, self.every)
            except Exception:
                logger.exception("The scheduler's tick failed; it ticks again")
            finally:
                # This thread's own connection: never keep one that broke or outlived its age.
                close_old_connections()
            self._stopping.wait(self.tick_seconds)


_started: Scheduler | None = None
_start_lock = threading.Lock()


def start_scheduler(every: Mapping[str, timedelta] | None = None) -> Scheduler | None:
    """Start this process's scheduler thread, once; None while Celery beat runs the schedule."""
    global _started
    if not runs_in_process():
        logger.info("CELERY_BROKER_URL is set: `careloop worker --beat` runs the schedule.")
        return None
    with _start_lock:
        if _started is None:
            _started = Scheduler(every=every)
            _started.start()
            logger.info("Running the periodic schedule in this process.")
        return _started
